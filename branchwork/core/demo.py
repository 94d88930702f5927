"""The demo institution: the Party committee of the (fictional) Donghu Institute, its branches,
about sixty people and their roles since 2025, with a few logins that mirror the test personas.

The data is in demo/institution.yaml beside this module; `load()` makes the database agree with it. Everything is keyed on
stable identifiers (codes, emails, usernames; a role on person, organization, role and start
date), so loading again changes nothing and a later version of this file updates in place.
Writes go through core.services, so they are validated like any other and land in the audit
trail under the source "demo".
"""

import datetime
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from branchwork.core import audit, services
from branchwork.core.models import (
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    Person,
    Role,
    Unit,
)

DAY = datetime.timedelta(days=1)
DATA_DIR = "demo"


def read_data(module_file: str, name: str):
    """A data file of the demo, from the `demo/` folder beside the module `module_file`."""
    path = Path(module_file).resolve().parent / DATA_DIR / name
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class UnitSpec(NamedTuple):
    code: str
    name_zh: str
    name_en: str


class OrgSpec(NamedTuple):
    code: str
    kind: str
    parent: str | None
    unit: str | None
    name_zh: str
    name_en: str


class StatusStep(NamedTuple):
    """One dated change of a person's Party status and the decision behind it."""

    status: str  # candidate (发展对象, not yet a Party member), probationary, full
    on: datetime.date  # the day it took effect
    decided_by: str  # the organization (code) whose meeting decided it
    meeting: str  # the kind of meeting (an activity type code)
    approved_by: str = ""  # the committee that approved it (code), for admissions and full membership
    approved_on: datetime.date | None = None
    document: str = ""


class PersonSpec(NamedTuple):
    key: str  # the local part of the email; the username too, for those with a login
    name: str
    name_en: str
    status: str
    joined: str | None
    unit: str | None  # None for a guest from abroad
    position: str
    name_native: str = ""
    history: tuple[StatusStep, ...] = ()

    @property
    def email(self) -> str:
        return f"{self.key}@{EMAIL_DOMAINS.get(self.unit, 'donghu.example')}"

    @property
    def phone(self) -> str:
        if self.unit is None:
            return ""
        # Derived from the key so that it stays put when people are added; all in one fake block.
        return f"1380000{zlib.crc32(self.key.encode()) % 10000:04d}"


class RoleSpec(NamedTuple):
    person: str
    org: str
    role: str
    start: datetime.date
    end: datetime.date | None = None
    portfolio: str = ""
    note: str = ""


class LoginSpec(NamedTuple):
    username: str
    person: str | None
    org: str | None
    role: str | None


_DATA = read_data(__file__, "institution.yaml")
# The records of the demo begin here: roles held before are recorded as held from this day.
START: datetime.date = _DATA["dates"]["start"]
# The international exchange branch elected a new secretary at mid-2025.
HANDOVER: datetime.date = _DATA["dates"]["handover"]
# Ma Xiao moved from the General Office to the Research Office in spring 2026.
TRANSFER: datetime.date = _DATA["dates"]["transfer"]

# Everyone's email is at the Donghu Institute's domain except these (a guest has no unit).
EMAIL_DOMAINS = {(None if k == "guest" else k): v for k, v in _DATA["email_domains"].items()}
UNITS = [UnitSpec(**u) for u in _DATA["units"]]
# Parents come before their children.
ORGANIZATIONS = [OrgSpec(**o) for o in _DATA["organizations"]]


def _person(row: dict) -> PersonSpec:
    row = dict(row)
    joined = row.pop("joined", None)
    history = tuple(StatusStep(**step) for step in row.pop("history", ()))
    return PersonSpec(joined=joined.isoformat() if joined else None, history=history,
                      unit=row.pop("unit"), **row)


PEOPLE = [_person(p) for p in _DATA["people"]]
ROSTERS = _DATA["rosters"]
# Notes on plain memberships from the rosters, keyed on (person, organization).
ROSTER_NOTES = {(n["person"], n["org"]): n["note"] for n in _DATA["roster_notes"]}
ROLES = [RoleSpec(**{"start": START, **r}) for r in _DATA["roles"]]
LOGINS = [LoginSpec(**login) for login in _DATA["logins"]]
ADMIN_EMAIL = _DATA["admin_email"]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    name: str
    name_en: str
    who_zh: str
    who_en: str


def roster_roles() -> list[RoleSpec]:
    """The plain memberships that ROSTERS stands for."""
    people = {p.key: p for p in PEOPLE}
    orgs = {o.code: o for o in ORGANIZATIONS}
    roles = []
    for org_code, keys in ROSTERS.items():
        org = orgs[org_code]
        targets = [org.parent, org_code] if org.kind == OrganizationKind.GROUP else [org_code]
        for key in keys:
            joined = people[key].joined
            start = max(START, datetime.date.fromisoformat(joined)) if joined else START
            for target in targets:
                note = ROSTER_NOTES.get((key, target), "")
                roles.append(RoleSpec(key, target, Role.MEMBER, start=start, note=note))
    return roles


def all_roles() -> list[RoleSpec]:
    return roster_roles() + ROLES


class _Tally:
    """What one load created and changed, by kind of record, for the summary line."""

    KINDS = (
        ("unit", "单位", "units"),
        ("organization", "组织", "organizations"),
        ("person", "人员", "people"),
        ("role", "职务", "roles"),
        ("account", "账号", "accounts"),
    )

    def __init__(self):
        self.created = Counter()
        self.updated = Counter()

    def describe(self) -> str:
        if not self.created and not self.updated:
            return "演示数据已是最新，无需改动。 Demo data already up to date: nothing changed.\n"
        lines = []
        for counter, zh, en in ((self.created, "新建", "created"),
                                (self.updated, "更新", "updated")):
            parts = [f"{kzh} {counter[k]} {ken}" for k, kzh, ken in self.KINDS if counter[k]]
            if parts:
                lines.append(f"{zh} {en}: " + ", ".join(parts) + "\n")
        return "".join(lines)


def _changed(obj, wanted: dict) -> dict:
    return {name: value for name, value in wanted.items() if getattr(obj, name) != value}


def _load_units(tally: _Tally) -> dict[str, Unit]:
    units = {u.code: u for u in Unit.objects.filter(code__in=[s.code for s in UNITS])}
    for spec in UNITS:
        wanted = {"name_zh": spec.name_zh, "name_en": spec.name_en}
        unit = units.get(spec.code)
        if unit is None:
            units[spec.code] = Unit.objects.create(code=spec.code, **wanted)
            tally.created["unit"] += 1
        elif changes := _changed(unit, wanted):
            for name, value in changes.items():
                setattr(unit, name, value)
            unit.full_clean()
            unit.save(update_fields=list(changes))
            tally.updated["unit"] += 1
    return units


def _load_organizations(units: dict[str, Unit], tally: _Tally) -> dict[str, Organization]:
    codes = [s.code for s in ORGANIZATIONS]
    for spec in ORGANIZATIONS:
        # Fetched afresh each time: adding a child in code order can renumber its siblings' paths.
        org = Organization.objects.filter(code=spec.code).first()
        parent = Organization.objects.get(code=spec.parent) if spec.parent else None
        unit = units[spec.unit] if spec.unit else None
        if org is None:
            services.organization_create(
                by=None, parent=parent, code=spec.code, kind=spec.kind,
                name_zh=spec.name_zh, name_en=spec.name_en, unit=unit,
            )
            tally.created["organization"] += 1
            continue
        if org.kind != spec.kind or org.parent_path != (parent.path if parent else ""):
            raise ValueError(
                f"Organization {spec.code!r} exists elsewhere in the tree or as another kind; "
                "the demo does not move organizations. Rename or remove it, then load again."
            )
        wanted = {"name_zh": spec.name_zh, "name_en": spec.name_en, "unit": unit, "is_active": True}
        if changes := _changed(org, wanted):
            services.organization_update(by=None, organization=org, **changes)
            tally.updated["organization"] += 1
    return {o.code: o for o in Organization.objects.filter(code__in=codes)}


def _load_people(units: dict[str, Unit], tally: _Tally) -> dict[str, Person]:
    emails = [s.email for s in PEOPLE]
    existing = {p.email: p for p in Person.objects.select_related("unit").filter(email__in=emails)}
    people = {}
    for spec in PEOPLE:
        wanted = {
            "name": spec.name,
            "name_en": spec.name_en,
            "name_native": spec.name_native,
            "membership_status": spec.status,
            "joined_party_on": datetime.date.fromisoformat(spec.joined) if spec.joined else None,
            "unit": units[spec.unit] if spec.unit else None,
            "position": spec.position,
            "email": spec.email,
            "phone": spec.phone,
        }
        person = existing.get(spec.email)
        if person is None:
            person = services.person_create(by=None, **wanted)
            tally.created["person"] += 1
        elif changes := _changed(person, wanted):
            services.person_update(by=None, person=person, **changes)
            tally.updated["person"] += 1
        people[spec.key] = person
    return people


# A step's status in the history; a candidate (发展对象) is not a Party member yet.
STEP_STATUSES = {"candidate": MembershipStatus.CANDIDATE, "probationary": MembershipStatus.PROBATIONARY,
                 "full": MembershipStatus.FULL}


# The meetings that decide a change of status (activity type codes in the data), as the minutes
# name them.
DECIDING_MEETINGS = {"committee_meeting": "支部委员会", "general_meeting": "党员大会"}


def _load_histories(orgs: dict[str, Organization], people: dict[str, Person], tally: _Tally) -> None:
    """The dated status history of those whose status changed within the demo's years, each
    change with the meeting that decided it and the committee's approval, recorded once (a
    person whose history is already recorded is left as it is). Every meeting then sees the
    statuses of its own day: a candidate is not expected, a probationary member does not vote."""
    for spec in PEOPLE:
        person = people.get(spec.key)
        if not spec.history or person is None or person.status_changes.filter(derived=False).exists():
            continue
        person.status_changes.all().delete()  # what was derived from the status alone
        for step in spec.history:
            meeting = orgs[step.decided_by].name_zh + DECIDING_MEETINGS[step.meeting]
            services.status_change_record(
                by=None, person=person, status=STEP_STATUSES[step.status], effective_on=step.on,
                meeting=f"{meeting}（{step.on.isoformat()}）",
                approved_by=(f"{orgs[step.approved_by].name_zh}（{step.approved_on.isoformat()}）"
                             if step.approved_by else ""),
                document_number=step.document,
            )
        tally.created["status history"] += 1


def _load_roles(orgs: dict[str, Organization], people: dict[str, Person], tally: _Tally) -> None:
    existing = {
        (m.person_id, m.organization_id, m.role, m.start_on): m
        for m in Membership.objects.filter(
            person__in=people.values(), organization__in=orgs.values()
        )
    }
    for spec in all_roles():
        person, org = people[spec.person], orgs[spec.org]
        membership = existing.get((person.pk, org.pk, spec.role, spec.start))
        wanted = {"end_on": spec.end, "portfolio": spec.portfolio, "note": spec.note}
        if membership is None:
            services.membership_create(
                by=None, person=person, organization=org, role=spec.role, start_on=spec.start,
                **wanted,
            )
            tally.created["role"] += 1
        elif changes := _changed(membership, wanted):
            services.membership_update(by=None, membership=membership, **changes)
            tally.updated["role"] += 1


def _ensure_account(user, *, password: str, wanted: dict, tally: _Tally) -> None:
    """Make an existing account usable with the demo password, counting it only if it changed."""
    changes = _changed(user, {**wanted, "is_active": True})
    for name, value in changes.items():
        setattr(user, name, value)
    fields = list(changes)
    if not user.check_password(password):
        user.set_password(password)
        fields.append("password")
    if fields:
        user.save(update_fields=fields)
        tally.updated["account"] += 1


def _reset_lockouts(username: str) -> None:
    """Forget failed login attempts, so that a printed login is never locked out."""
    axes_reset(username=username)


def _load_logins(
    orgs: dict[str, Organization], people: dict[str, Person], password: str, tally: _Tally
) -> list[DemoLogin]:
    User = get_user_model()
    logins = []
    for spec in LOGINS:
        user = User.objects.filter(username=spec.username).first()
        if spec.person is None:
            wanted = {"email": ADMIN_EMAIL, "is_staff": True, "is_superuser": True}
            if user is None:
                User.objects.create_user(spec.username, password=password, **wanted)
                tally.created["account"] += 1
            else:
                _ensure_account(user, password=password, wanted=wanted, tally=tally)
            logins.append(
                DemoLogin(spec.username, password, "", "",
                          "系统管理员（超级用户）", "Administrator (superuser)")
            )
            _reset_lockouts(spec.username)
            continue
        person = people[spec.person]
        if user is None:
            services.user_account_create(
                by=None, person=person, username=spec.username, password=password
            )
            tally.created["account"] += 1
        else:
            _ensure_account(user, password=password, wanted={"email": person.email}, tally=tally)
            if person.user_id != user.pk:
                person.user = user
                person.save(update_fields=["user"])
                tally.updated["account"] += 1
        _reset_lockouts(spec.username)
        org = orgs[spec.org]
        with translation.override("zh-hans"):
            role_zh = str(Role(spec.role).label)
        with translation.override("en"):
            role_en = str(Role(spec.role).label)
        logins.append(
            DemoLogin(
                spec.username, password, person.name, person.name_en,
                f"{org.name_zh} · {role_zh}", f"{org.name_en} · {role_en}",
            )
        )
    return logins


def load(*, stdout=None, password: str | None = None) -> list[DemoLogin]:
    """Make the database hold the demo data; write what changed to `stdout`; return the logins."""
    password = settings.DEMO_PASSWORD if password is None else password
    if not password:
        raise ValueError(
            "The demo password is empty; set DEMO_PASSWORD, or unset it for the default."
        )
    tally = _Tally()
    with transaction.atomic(), audit.acting_as(None, source="demo"):
        units = _load_units(tally)
        orgs = _load_organizations(units, tally)
        people = _load_people(units, tally)
        _load_histories(orgs, people, tally)
        _load_roles(orgs, people, tally)
        logins = _load_logins(orgs, people, password, tally)
    if stdout is not None:
        stdout.write(tally.describe())
    return logins
