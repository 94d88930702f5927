"""Writes to organizations, people and roles. Views and the API call these; nothing else writes.

Each function is keyword-only, validates with full_clean() before saving, runs in one
transaction and attributes its changes to `by` in the audit trail.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from branchwork.core import audit
from branchwork.core.models import (
    Membership,
    Organization,
    Person,
    Role,
    Unit,
    validate_placement,
)

PERSON_FIELDS = (
    "name",
    "name_en",
    "name_native",
    "membership_status",
    "joined_party_on",
    "unit",
    "position",
    "position_en",
    "email",
    "phone",
)
MEMBERSHIP_FIELDS = ("role", "portfolio", "start_on", "end_on", "note")
ORGANIZATION_FIELDS = ("name_zh", "name_en", "unit", "is_active")


def _as(by):
    """Attribute what follows to `by`, keeping the channel (web, api, command) already set."""
    return audit.acting_as(by, source=audit.current_actor().source)


@transaction.atomic
def organization_create(
    *,
    by,
    parent: Organization | None,
    code: str,
    kind: str,
    name_zh: str,
    name_en: str = "",
    unit: Unit | None = None,
) -> Organization:
    validate_placement(kind=kind, parent=parent)
    org = Organization(code=code, kind=kind, name_zh=name_zh, name_en=name_en, unit=unit)
    org.full_clean(exclude=["path", "depth", "numchild"])
    with _as(by):
        if parent is None:
            return Organization.add_root(instance=org)
        return parent.add_child(instance=org)


@transaction.atomic
def organization_update(*, by, organization: Organization, **changes) -> Organization:
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise TypeError(f"organization_update() cannot change {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(organization, name, value)
    organization.full_clean(exclude=["path", "depth", "numchild"])
    with _as(by):
        organization.save(update_fields=list(changes) or None)
    return organization


@transaction.atomic
def person_create(
    *,
    by,
    organization: Organization | None = None,
    role: str = Role.MEMBER,
    start_on: datetime.date | None = None,
    **fields,
) -> Person:
    """Create a person; with `organization`, also give them `role` there from `start_on`."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_create() got unknown fields {', '.join(sorted(unknown))}")
    person = Person(**fields)
    person.full_clean()
    with _as(by):
        person.save()
        if organization is not None:
            membership_create(
                by=by, person=person, organization=organization, role=role,
                start_on=start_on or timezone.localdate(),
            )
    return person


@transaction.atomic
def person_update(*, by, person: Person, **changes) -> Person:
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update() cannot change {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(person, name, value)
    person.full_clean()
    with _as(by):
        person.save(update_fields=[Person._meta.get_field(n).attname for n in changes] or None)
    return person


@transaction.atomic
def membership_create(
    *,
    by,
    person: Person,
    organization: Organization,
    role: str,
    start_on: datetime.date,
    end_on: datetime.date | None = None,
    portfolio: str = "",
    note: str = "",
) -> Membership:
    membership = Membership(
        person=person, organization=organization, role=role, portfolio=portfolio,
        start_on=start_on, end_on=end_on, note=note,
    )
    membership.full_clean()
    with _as(by):
        membership.save()
    return membership


@transaction.atomic
def membership_update(*, by, membership: Membership, **changes) -> Membership:
    unknown = set(changes) - set(MEMBERSHIP_FIELDS)
    if unknown:
        raise TypeError(f"membership_update() cannot change {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(membership, name, value)
    membership.full_clean()
    with _as(by):
        membership.save(update_fields=list(changes) or None)
    return membership


def membership_end(*, by, membership: Membership, end_on: datetime.date) -> Membership:
    return membership_update(by=by, membership=membership, end_on=end_on)


@transaction.atomic
def user_account_create(*, by, person: Person, username: str, password: str | None = None):
    """Give a person a login. Without a password the account can only log in after a reset."""
    User = get_user_model()
    user = User(username=username, email=person.email, first_name=person.name[:150])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with _as(by):
        user.save()
        person.user = user
        person.save(update_fields=["user"])
    return user


@transaction.atomic
def api_token_issue(*, user) -> Token:
    """A fresh API token for `user`; an earlier one stops working."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)
