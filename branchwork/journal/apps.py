from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _issue_org(issue) -> int | None:
    from branchwork.journal.models import Journal

    return Journal.objects.filter(pk=issue.journal_id).values_list("organization_id", flat=True).first()


def _section_org(section) -> int | None:
    from branchwork.journal.models import JournalIssue

    return (JournalIssue.objects.filter(pk=section.issue_id)
            .values_list("journal__organization_id", flat=True).first())


def _entry_org(entry) -> int | None:
    from branchwork.journal.models import JournalSection

    return (JournalSection.objects.filter(pk=entry.section_id)
            .values_list("issue__journal__organization_id", flat=True).first())


class JournalConfig(AppConfig):
    name = "branchwork.journal"
    label = "journal"
    verbose_name = _("Internal journal")

    def ready(self) -> None:
        from branchwork.core import audit
        from branchwork.journal import permissions, signals
        from branchwork.journal.models import (
            IssueCorrection,
            Journal,
            JournalEntry,
            JournalIssue,
            JournalSection,
        )

        audit.register(Journal, organization=lambda j: j.organization_id)
        audit.register(JournalIssue, organization=_issue_org)
        audit.register(JournalSection, organization=_section_org)
        audit.register(JournalEntry, organization=_entry_org)
        audit.register(IssueCorrection, organization=_section_org)
        signals.connect()
        permissions.register()
