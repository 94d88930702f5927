from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "branchwork.activities"
    label = "activities"
    verbose_name = _("Organizational life")

    def ready(self) -> None:
        from branchwork.activities import permissions
        from branchwork.activities.models import Activity, Amendment
        from branchwork.core import audit

        audit.register(Activity, organization=lambda a: a.organization_id)
        audit.register(Amendment, organization=lambda a: a.activity.organization_id)
        permissions.register()
