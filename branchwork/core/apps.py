from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "branchwork.core"
    label = "core"
    verbose_name = _("Organizations and people")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from branchwork.core import audit, auth
        from branchwork.core.models import Membership, Organization, Person

        auth.connect_signals()
        audit.register(Organization, organization=lambda org: org.pk)
        audit.register(Membership, organization=lambda m: m.organization_id)
        audit.register(Person, organization=lambda person: person.primary_org_id())
        audit.register(
            get_user_model(),
            organization=lambda user: Person.primary_org_id_of_user(user.pk),
        )

