from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
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

        from branchwork.core import audit, auth
        from branchwork.core.models import Membership, MembershipStatusChange, Organization, Person

        auth.connect_signals()
        audit.register(Organization, organization=lambda org: org.pk)
        audit.register(Membership, organization=lambda m: m.organization_id)
        audit.register(Person, organization=lambda person: person.primary_org_id())
        audit.register(MembershipStatusChange, organization=lambda change: Person(pk=change.person_id).primary_org_id())
        post_save.connect(_status_changed, sender=MembershipStatusChange,
                          dispatch_uid="branchwork-status-cache-save")
        post_delete.connect(_status_changed, sender=MembershipStatusChange,
                            dispatch_uid="branchwork-status-cache-delete")
        audit.register(
            get_user_model(),
            organization=lambda user: Person.primary_org_id_of_user(user.pk),
        )
        # Readers cached across requests (core.permissions.reader) are read afresh after any
        # change of what they are made of.
        for model in (Membership, Organization, Person, get_user_model()):
            post_save.connect(_access_changed, sender=model, dispatch_uid=f"branchwork-access-save-{model.__name__}")
            post_delete.connect(_access_changed, sender=model,
                                dispatch_uid=f"branchwork-access-delete-{model.__name__}")



def _access_changed(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    from branchwork.core.generation import access_changed
    from branchwork.core.models import Membership

    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes no role
    if created and sender is not Membership and getattr(instance, "user_id", None) is None:
        return  # a new organization, account or person without an account is in no one's facts yet
    access_changed()


def _status_changed(sender, instance, **kwargs) -> None:
    """Person.membership_status and joined_party_on follow the status history."""
    from branchwork.core.models import Person
    from branchwork.core.services import refresh_status_cache

    if kwargs.get("raw"):
        return  # fixtures load the cache as it was
    person = Person.objects.filter(pk=instance.person_id).first()
    if person is not None:  # not when the person itself is being deleted
        refresh_status_cache(person)
