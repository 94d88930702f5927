from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulebookConfig(AppConfig):
    name = "branchwork.rulebook"
    label = "rulebook"
    verbose_name = _("Rulebook")

    def ready(self) -> None:
        # Load and validate at start-up: a bad rulebook stops the process with a clear message
        # (file, entry, what is wrong) instead of failing later on some page.
        from branchwork.rulebook.loader import get_rulebook

        get_rulebook()
