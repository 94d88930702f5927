from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "branchwork.search"
    label = "bwsearch"
    verbose_name = _("Search")

    def ready(self):
        from branchwork.search import signals

        signals.connect()
