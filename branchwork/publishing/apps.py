from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "branchwork.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        from branchwork.publishing import permissions, signals

        signals.connect(self)
        permissions.register()
