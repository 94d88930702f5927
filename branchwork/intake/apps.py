from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "branchwork.intake"
    label = "intake"
    verbose_name = _("Contributions by email")

    def ready(self) -> None:
        from branchwork.intake import permissions

        permissions.register()
