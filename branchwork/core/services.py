"""Writes to organizations, people and roles. Views and the API call these; nothing else writes.

Each function is keyword-only, validates with full_clean() before saving, runs in one
transaction and attributes its changes to `by` in the audit trail.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from branchwork.core import audit
from branchwork.core.conflicts import Conflict, lock_for_update
from branchwork.core.generation import access_changed
from branchwork.core.models import (
    NOT_YET_MEMBER_STATUSES,
    AuditAction,
    Membership,
    MembershipStatus,
    MembershipStatusChange,
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
# Fields of the person record itself. `membership_status` and `joined_party_on` are kept from the
# status history; person_create and person_update still take them, as the starting point of a
# history that is derived (see `_derive_history`), for the form of a new person and the demo.
PERSON_RECORD_FIELDS = tuple(f for f in PERSON_FIELDS if f not in ("membership_status", "joined_party_on"))
STATUS_CHANGE_FIELDS = ("status", "effective_on", "ends_on", "meeting", "approved_by", "document_number", "note")
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
def organization_set_active(*, by, organization: Organization, active: bool) -> Organization:
    """Close (`active=False`) or reopen an organization. Its members then see nothing of it
    until it is reopened, so only the level above may do this (core.permissions
    `can_restructure_org`; the caller asks). The save is audited like any other change."""
    lock_for_update(organization)
    if organization.is_active == active:
        raise Conflict(
            _("This organization is already open.") if active
            else _("This organization is already closed.")
        )
    organization.is_active = active
    with _as(by):
        organization.save(update_fields=["is_active"])
    return organization


@transaction.atomic
def organization_move(*, by, organization: Organization, parent: Organization) -> Organization:
    """Move an organization (and everything under it) under `parent`. The tree's paths are not
    in the audit trail, so the move is recorded as its own entry: parent, from → to."""
    lock_for_update(organization)
    parent.refresh_from_db()  # its path as it stands now
    old_parent = organization.get_parent(update=True)
    if old_parent is not None and old_parent.pk == parent.pk:
        raise Conflict(_("The organization is already there."))
    if parent.path.startswith(organization.path):
        raise ValidationError(
            {"parent": _("An organization cannot move under itself or an organization under it.")}
        )
    validate_placement(kind=organization.kind, parent=parent)
    organization.move(parent, pos="last-child")
    organization.refresh_from_db()
    access_changed()  # the tree's paths moved without a save: readers hold the old ones
    with _as(by):
        audit.log_event(
            organization,
            AuditAction.UPDATE,
            {"parent": [old_parent.code if old_parent else None, parent.code]},
        )
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
        _derive_history(person, today=timezone.localdate())
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
    lock_for_update(person)
    status_fields = {"membership_status", "joined_party_on"} & set(changes)
    status_changed = any(changes[n] != getattr(person, n) for n in status_fields)
    for name, value in changes.items():
        setattr(person, name, value)
    person.full_clean()
    with _as(by):
        person.save(update_fields=[Person._meta.get_field(n).attname for n in changes] or None)
        if status_changed:
            if person.status_changes.filter(derived=False).exists():
                raise ValidationError({"membership_status": _(
                    "This person's status has a recorded history: record a change of status "
                    "(with its date and decision) instead of editing the status.")})
            # Only a derived history (or none): derive it afresh from the new values.
            person.status_changes.all().delete()
            _derive_history(person, today=timezone.localdate())
    return person


# --- Membership status history ---


def _one_year_later(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def derive_status_history(
    status: str, joined_on: datetime.date | None, today: datetime.date,
) -> tuple[list[tuple[str, datetime.date | None]], str]:
    """From an undated status and a date of joining: the dated history it implies, and what
    could not be derived ("" when everything could). The probationary period lasts one year
    from joining (Party Constitution, Art. 7); a full member becomes full when it ends.
    The data migration 0003 applies the same rules (its own copy, as migrations must)."""
    probationary, full = MembershipStatus.PROBATIONARY, MembershipStatus.FULL
    if status == MembershipStatus.NONE:
        return [], ""
    if status in (probationary, full) and joined_on is None:
        return [(status, None)], "no date of joining: status recorded without a date"
    if status == probationary:
        if _one_year_later(joined_on) <= today:
            return [(probationary, joined_on)], "probationary for more than a year: full membership not recorded"
        return [(probationary, joined_on)], ""
    if status == full:
        became_full = _one_year_later(joined_on)
        if became_full > today:
            return [(probationary, joined_on), (full, today)], \
                "full member less than a year after joining: date of full membership not known"
        return [(probationary, joined_on), (full, became_full)], ""
    if joined_on is not None and status not in NOT_YET_MEMBER_STATUSES:
        return [(probationary, joined_on), (status, max(today, joined_on))], \
            "date of the present status not known: recorded as of today"
    return [(status, None)], "date of the present status not known"


def _derive_history(person: Person, *, today: datetime.date) -> None:
    steps, gap = derive_status_history(person.membership_status, person.joined_party_on, today)
    for status, day in steps:
        MembershipStatusChange.objects.create(
            person=person, status=status, effective_on=day, derived=True, note=gap[:300] if gap else "")


def derive_status_histories(*, people: list[Person], today: datetime.date) -> int:
    """Bulk: give people created without one (benchmarks, test factories) the history their
    status and date of joining imply. One insert; the cached fields already agree."""
    rows = []
    for person in people:
        steps, gap = derive_status_history(person.membership_status, person.joined_party_on, today)
        rows += [MembershipStatusChange(person=person, status=status, effective_on=day, derived=True,
                                        note=gap[:300]) for status, day in steps]
    MembershipStatusChange.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def refresh_status_cache(person: Person) -> None:
    """Keep Person.membership_status (the status today, or on the latest change when one is still
    to come) and joined_party_on (the first probationary entry) in step with the history. Runs after every save and delete of a change
    (core.apps connects it), however the change was made: service, back office or API."""
    from branchwork.core.selectors import fold_history

    rows = list(person.status_changes.order_by(F("effective_on").asc(nulls_first=True), "pk")
                .values_list("status", "effective_on", "ends_on"))
    # Today's status, or where the history goes when it has changes still to come.
    latest = max((d for _s, d, _e in rows if d), default=None)
    today = timezone.localdate()
    end = fold_history(rows, max(today, latest) if latest else today)
    joined = next((d for s, d, _e in rows if s == MembershipStatus.PROBATIONARY and d), None)
    if end in NOT_YET_MEMBER_STATUSES:
        joined = None
    if (person.membership_status, person.joined_party_on) != (end, joined):
        person.membership_status, person.joined_party_on = end, joined
        person.save(update_fields=["membership_status", "joined_party_on"])


@transaction.atomic
def status_change_record(
    *,
    by,
    person: Person,
    status: str,
    effective_on: datetime.date | None,
    ends_on: datetime.date | None = None,
    meeting: str = "",
    approved_by: str = "",
    document_number: str = "",
    note: str = "",
) -> MembershipStatusChange:
    """Record that from `effective_on` the person's status is `status`, by the decision named."""
    lock_for_update(person)
    change = MembershipStatusChange(
        person=person, status=status, effective_on=effective_on, ends_on=ends_on,
        meeting=meeting.strip(), approved_by=approved_by.strip(),
        document_number=document_number.strip(), note=note.strip(),
    )
    change.full_clean()
    with _as(by):
        change.save()
    return change


@transaction.atomic
def status_change_update(*, by, change: MembershipStatusChange, **changes) -> MembershipStatusChange:
    unknown = set(changes) - set(STATUS_CHANGE_FIELDS)
    if unknown:
        raise TypeError(f"status_change_update() cannot change {', '.join(sorted(unknown))}")
    lock_for_update(change.person)
    lock_for_update(change)
    for name, value in changes.items():
        setattr(change, name, value.strip() if isinstance(value, str) and name != "status" else value)
    change.derived = False  # once someone has checked and edited it, it is a record
    change.full_clean()
    with _as(by):
        change.save()
    return change


@transaction.atomic
def status_change_delete(*, by, change: MembershipStatusChange) -> None:
    person = change.person
    lock_for_update(person)
    with _as(by):
        change.delete()


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
