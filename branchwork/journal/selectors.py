"""Reads of the journal that several views share, each in a fixed number of queries.

Who sees what is the journal's rules (`journal/permissions.py`), asked through core.permissions:
the readers of the internal content of a journal's organization read the journal and its
published issues; its editors and managers also see drafts. Everyone else gets 404, the
anonymous the login page.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from branchwork.core import permissions, prepared
from branchwork.journal.models import IssueStatus, Journal, JournalIssue


def require_reader(user) -> None:
    if not permissions.can(user, "read", Journal):
        raise Http404("No journal here")


def readable_journals(user) -> QuerySet[Journal]:
    return permissions.visible(user, Journal).select_related("organization")


def editable_journal_ids(user, journals) -> set[int]:
    return {j.pk for j in journals if permissions.can(user, "edit", j)}


def issues_for(user, journal: Journal, *, can_edit: bool) -> QuerySet[JournalIssue]:
    qs = journal.issues.select_related("editor").annotate(
        article_count=Count("sections__entries", distinct=True))
    return qs if can_edit else qs.filter(status=IssueStatus.PUBLISHED)


def journals_with_issues(user) -> list[Journal]:
    """Every journal the user reads, each with `.issue_list` (newest first: published ones, and
    drafts where the user edits) and `.can_edit`; in three queries however many issues."""
    journals = list(readable_journals(user))
    if not journals:
        return []
    editable = editable_journal_ids(user, journals)
    visible = Q(status=IssueStatus.PUBLISHED) | Q(journal_id__in=editable)
    issues = (JournalIssue.objects.filter(visible, journal__in=journals)
              .select_related("editor").order_by("-year", "-number", "-pk"))
    by_journal: dict[int, list[JournalIssue]] = {}
    for issue in issues:
        by_journal.setdefault(issue.journal_id, []).append(issue)
    for journal in journals:
        journal.issue_list = by_journal.get(journal.pk, [])
        for issue in journal.issue_list:
            issue.journal = journal
        journal.can_edit = journal.pk in editable
    return journals


def get_journal_or_404(user, slug: str) -> Journal:
    try:
        return readable_journals(user).get(slug=slug)
    except Journal.DoesNotExist:
        raise Http404("No such journal") from None


def get_issue_or_404(user, slug: str, year, number, *, edit: bool = False) -> JournalIssue:
    """The issue, if the user may read it (published, or a draft they may edit); with
    `edit=True`, only if they may edit it. Sets `issue.can_edit`."""
    require_reader(user)
    try:
        issue = (JournalIssue.objects.select_related("journal__organization", "editor")
                 .get(journal__slug=slug, year=year, number=number))
    except (JournalIssue.DoesNotExist, ValueError, TypeError):
        raise Http404("No such issue") from None
    if not permissions.can(user, "read", issue):
        raise Http404("No such issue")
    issue.can_edit = permissions.can(user, "edit", issue)
    if edit and not issue.can_edit:
        raise Http404("No such issue")
    return issue


def latest_issues(user, limit: int = 5) -> list[JournalIssue]:
    """The newest published issues of all journals (for /my/, on every request: compiled once
    per reader fingerprint, core/prepared.py)."""
    return prepared.rows(
        ("journal.latest_issues", permissions.reader(user).fingerprint, limit),
        lambda: permissions.visible(user, JournalIssue).select_related("journal")
        .order_by("-published_on", "-pk")[:limit])


def sections_with_entries(issue: JournalIssue):
    from branchwork.journal.models import JournalEntry

    return issue.sections.prefetch_related(
        Prefetch("entries", queryset=JournalEntry.objects.select_related("page").order_by("order", "pk")))
