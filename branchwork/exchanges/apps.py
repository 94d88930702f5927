from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    name = "branchwork.exchanges"
    label = "exchanges"
    verbose_name = _("International exchanges")

    def ready(self) -> None:
        from branchwork.core import audit
        from branchwork.exchanges import permissions
        from branchwork.exchanges.models import (
            Delegation,
            Event,
            Party,
            PartyStatus,
            Trip,
            TripFollowUp,
            TripMember,
            TripStop,
        )

        # Contacts and participants stay out of the trail: it would keep copies of passport
        # numbers and contact details after they are erased. Their changes are logged as events.
        for model in (Party, PartyStatus, Event, Delegation):
            audit.register(model, organization=lambda obj: None)
        # Outbound delegations: the people on them are staff, their trail is the office's.
        for model in (Trip, TripMember, TripStop, TripFollowUp):
            audit.register(model, organization=lambda obj: None)
        permissions.register()
