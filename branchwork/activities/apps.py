from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "branchwork.activities"
    label = "activities"
    verbose_name = _("Organizational life")

    def ready(self) -> None:
        from branchwork.activities import permissions
        from branchwork.activities.models import (
            Activity,
            ActivityTypeTag,
            Amendment,
            Attachment,
            Attendance,
            Resolution,
        )
        from branchwork.core import audit

        def of_activity(row) -> int | None:
            return Activity.objects.filter(pk=row.activity_id).values_list(
                "organization_id", flat=True).first()

        audit.register(Activity, organization=lambda a: a.organization_id)
        from branchwork.activities.elections import Election, ElectionCandidate

        audit.register(Election, organization=lambda e: e.organization_id)
        audit.register(ElectionCandidate, organization=lambda c: Election.objects.filter(
            pk=c.election_id).values_list("organization_id", flat=True).first())
        # The parts of the record: who was there (and who changed a mark), what was decided,
        # what was attached, what it counts as. Credits are derived from these and not logged.
        for part in (Amendment, Attendance, Resolution, Attachment, ActivityTypeTag):
            audit.register(part, organization=of_activity)
        permissions.register()
