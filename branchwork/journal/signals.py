"""A published issue's PDF is rebuilt when what it shows changes: its facts, sections or
articles (from our forms, the back office or a command), or a portal page one of its articles
takes (published again or withdrawn).

The rebuild is requested once the transaction commits; `services.pdf_request` then compares
fingerprints, so a burst of saves in one transaction ends in one build, and a save that changes
nothing the PDF shows builds nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

UID = "branchwork-journal-rebuild"


def _rebuild_later(issue_id: int | None) -> None:
    if issue_id is None:
        return

    def run() -> None:
        from branchwork.journal import services
        from branchwork.journal.models import IssueStatus, JournalIssue

        issue = (JournalIssue.objects.select_related("journal__organization", "editor")
                 .filter(pk=issue_id, status=IssueStatus.PUBLISHED).first())
        if issue is not None:
            services.pdf_request(issue=issue, by=None)

    transaction.on_commit(run)


def _issue_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _rebuild_later(instance.pk)


def _section_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _rebuild_later(instance.issue_id)


def _entry_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    from branchwork.journal.models import JournalSection

    _rebuild_later(JournalSection.objects.filter(pk=instance.section_id)
                   .values_list("issue_id", flat=True).first())


def _page_changed(sender, instance, **kwargs) -> None:
    from branchwork.journal.models import IssueStatus, JournalEntry

    issue_ids = (JournalEntry.objects.filter(page_id=instance.pk,
                                             section__issue__status=IssueStatus.PUBLISHED)
                 .values_list("section__issue_id", flat=True).distinct())
    for issue_id in issue_ids:
        _rebuild_later(issue_id)


def connect() -> None:
    from wagtail.signals import page_published, page_unpublished

    from branchwork.journal.models import JournalEntry, JournalIssue, JournalSection

    post_save.connect(_issue_saved, sender=JournalIssue, dispatch_uid=UID + "-issue")
    post_save.connect(_section_changed, sender=JournalSection, dispatch_uid=UID + "-section")
    post_delete.connect(_section_changed, sender=JournalSection, dispatch_uid=UID + "-section-del")
    post_save.connect(_entry_changed, sender=JournalEntry, dispatch_uid=UID + "-entry")
    post_delete.connect(_entry_changed, sender=JournalEntry, dispatch_uid=UID + "-entry-del")
    page_published.connect(_page_changed, dispatch_uid=UID + "-page-published")
    page_unpublished.connect(_page_changed, dispatch_uid=UID + "-page-unpublished")
