from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "branchwork.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from branchwork.reports import permissions

        permissions.register()
