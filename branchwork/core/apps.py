from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "branchwork.core"
    label = "core"
    verbose_name = _("Organizations and people")

    def ready(self) -> None:
        from django import forms
        from django.contrib.auth import get_user_model

        from branchwork.core.validators import validate_plain_text

        # Every text field of every form (ours, Wagtail's back office, StreamField blocks)
        # refuses control characters; the API checks its bodies in api.parsers, the importers
        # each cell. EmailField, URLField and SlugField have stricter validators of their own.
        if validate_plain_text not in forms.CharField.default_validators:
            forms.CharField.default_validators = [
                *forms.CharField.default_validators, validate_plain_text]

        from branchwork.core import audit
        from branchwork.core.models import Membership, Organization, Person

        audit.register(Organization, organization=lambda org: org.pk)
        audit.register(Membership, organization=lambda m: m.organization_id)
        audit.register(Person, organization=lambda person: person.primary_org_id())
        audit.register(
            get_user_model(),
            organization=lambda user: Person.primary_org_id_of_user(user.pk),
        )

