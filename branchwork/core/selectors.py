"""Reads that several views (and the API) share."""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from branchwork.core.language import join_list
from branchwork.core.models import AuditEntry, Membership, Organization, Person, Role
from branchwork.core.permissions import visible_organizations


# Roles sort in the order Role declares them: secretary first, functional roles last.
ROLE_ORDER = {role: i for i, role in enumerate(Role.values)}


@dataclass
class PersonRow:
    person: Person
    memberships: list[Membership] = field(default_factory=list)


def org_people(org: Organization, *, include_former: bool = False) -> list[PersonRow]:
    """The people of an organization with their roles there, in one query."""
    qs = Membership.objects.filter(organization=org).select_related("person", "person__unit")
    if not include_former:
        qs = qs.current()
    rows: dict[int, PersonRow] = {}
    for m in qs.order_by("person__name", "person_id", "start_on"):
        rows.setdefault(m.person_id, PersonRow(m.person)).memberships.append(m)
    for row in rows.values():
        row.memberships.sort(key=lambda m: (ROLE_ORDER[m.role], m.start_on))
    return sorted(rows.values(), key=lambda r: (ROLE_ORDER[r.memberships[0].role], r.person.name))


def org_officers(org: Organization) -> list[Membership]:
    """Current secretary, deputies and committee members, in that order."""
    officers = (
        Membership.objects.current()
        .filter(organization=org, role__in=[Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER])
        .select_related("person")
    )
    return sorted(officers, key=lambda m: (ROLE_ORDER[m.role], m.person.name))


def visible_children(user, org: Organization) -> QuerySet[Organization]:
    return visible_organizations(user).filter(path__startswith=org.path, depth=org.depth + 1).order_by("path")


def ancestors(org: Organization) -> list[Organization]:
    return list(Organization.objects.filter(path__in=org.ancestor_paths()).order_by("depth"))


def person_memberships(person: Person) -> list[Membership]:
    return list(
        person.memberships.select_related("organization").order_by(
            "-start_on", "organization__path"
        )
    )


def memberships_by_org(memberships: list[Membership], day: datetime.date | None = None) -> list[tuple[Organization, list[Membership], list[Membership]]]:
    """Group a person's roles by organization: (org, current roles, past roles)."""
    day = day or timezone.localdate()
    grouped: dict[int, tuple[Organization, list[Membership], list[Membership]]] = {}
    for m in memberships:
        org, current, past = grouped.setdefault(m.organization_id, (m.organization, [], []))
        (current if m.is_active_on(day) else past).append(m)
    return sorted(grouped.values(), key=lambda g: (not g[1], g[0].path))


@dataclass
class ChangeRow:
    field: str
    old: str
    new: str


def _display(field, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return value.get("repr", str(value.get("id")))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


# Field names Django makes from a field's name when the field has none of its own, which the
# audit trail shows: here so that they are in the catalogue.
AUTO_FIELD_NAMES = [
    gettext_noop("created by"),
    gettext_noop("uploaded by"),
    gettext_noop("uploaded at"),
    gettext_noop("issue"),
    gettext_noop("minutes version"),
    gettext_noop("checkin token"),
    gettext_noop("latest revision"),
    gettext_noop("activity"),
    gettext_noop("order"),
    gettext_noop("section"),
    gettext_noop("series"),
    gettext_noop("talk"),
    gettext_noop("journal"),
    gettext_noop("entry"),
    gettext_noop("activity type tag"),
]


def audit_changes(entry: AuditEntry) -> list[ChangeRow]:
    """An entry's changes with field names and choice labels in the reader's language."""
    model = apps.get_model(entry.content_type.app_label, entry.content_type.model) if entry.content_type_id else None
    rows = []
    for name, value in entry.changes.items():
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        # A name Django made from the field's (no verbose_name) is looked up in the catalogue.
        label = gettext(str(field.verbose_name)) if field is not None else name
        if isinstance(value, dict):  # a relation's members added or removed, or an import's file
            rows.append(_described_change(name, label, value))
            continue
        old, new = value
        rows.append(ChangeRow(label, _display(field, old), _display(field, new)))
    return rows


def _names(members) -> str:
    return join_list(m.get("repr", str(m.get("id"))) for m in members) or "—"


def _described_change(name: str, label: str, value: dict) -> ChangeRow:
    if "added" in value or "removed" in value:
        return ChangeRow(label, _names(value.get("removed", [])) if "removed" in value else "—",
                         _names(value.get("added", [])) if "added" in value else "—")
    if name == "file":
        records = value.get("activities") or value.get("articles") or []
        what = _("%(name)s: %(count)s records (SHA-256 %(sha)s…)") % {
            "name": value.get("name") or _("a file"), "count": len(records),
            "sha": str(value.get("sha256", ""))[:12]}
        return ChangeRow(str(_("imported file")), "—", what)
    return ChangeRow(label, "—", str(value))


def audit_entries_for(qs: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
    return qs.select_related("content_type", "organization")
