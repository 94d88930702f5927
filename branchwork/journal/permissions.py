"""Who reads and who edits the internal journal, registered with the one policy
(`core.permissions`):

- a journal, its published issues and their articles are read by the readers of the internal
  content of the journal's organization (`core.permissions.can_read_internal_of`: its members,
  those of the organizations under and above it); `permissions.can(user, "read", Journal)` asks
  whether the user reads any journal (the menu, the index page);
- editors of the journal's organization (or of one above it) and its managers compose, change and
  publish its issues (`edit`), drafts included; a draft is theirs alone.
"""

from django.db.models import QuerySet

from branchwork.core import permissions
from branchwork.journal.models import IssueStatus, Journal, JournalEntry, JournalIssue


def readable_journals(user) -> QuerySet[Journal]:
    return permissions.internal_content(user, Journal.objects.all())


def can_read_journal(user, journal: Journal | None) -> bool:
    if journal is None:
        return permissions.can_read_internal_content(user)
    return permissions.can_read_internal_of(user, journal.organization)


def can_edit_journal(user, journal: Journal) -> bool:
    return permissions.can_edit_publications_of(user, journal.organization)


def published_issues(user) -> QuerySet[JournalIssue]:
    """The published issues the user reads (drafts are shown to those who may `edit` them)."""
    issues = permissions.internal_content(user, JournalIssue.objects.all(),
                                          prefix="journal__organization")
    return issues.filter(status=IssueStatus.PUBLISHED)


def can_read_issue(user, issue: JournalIssue) -> bool:
    if not can_read_journal(user, issue.journal):
        return False
    return issue.is_published or can_edit_issue(user, issue)


def can_edit_issue(user, issue: JournalIssue) -> bool:
    return can_edit_journal(user, issue.journal)


def published_entries(user) -> QuerySet[JournalEntry]:
    """Articles of the published issues the user reads."""
    return (permissions.internal_content(user, JournalEntry.objects.all(),
                                         prefix="section__issue__journal__organization")
            .filter(section__issue__status=IssueStatus.PUBLISHED))


def register() -> None:
    permissions.register(Journal, visible=readable_journals,
                         detail=lambda qs: qs.select_related("organization"),
                         read=can_read_journal, edit=can_edit_journal)
    permissions.register(JournalIssue, visible=published_issues,
                         detail=lambda qs: qs.select_related("journal__organization", "editor"),
                         read=can_read_issue, edit=can_edit_issue)
    permissions.register(JournalEntry, visible=published_entries)
