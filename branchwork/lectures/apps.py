from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LecturesConfig(AppConfig):
    name = "branchwork.lectures"
    label = "lectures"
    verbose_name = _("Lecture hall")

    def ready(self) -> None:
        from branchwork.core import audit
        from branchwork.lectures import permissions
        from branchwork.lectures.models import LectureSeries, Talk

        audit.register(LectureSeries, organization=lambda s: s.organization_id)
        audit.register(Talk, organization=lambda t: t.organization_id)
        permissions.register()
