"""Reads that several views (and the API) share."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from branchwork.core import prepared
from branchwork.core.language import join_list
from branchwork.core.models import (
    PARTY_MEMBER_STATUSES,
    VOTING_STATUSES,
    AuditAction,
    AuditEntry,
    Membership,
    MembershipStatus,
    MembershipStatusChange,
    Organization,
    OrganizationKind,
    Person,
    Role,
)
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
    """The organizations above `org`, from the top (every page's crumbs: compiled once per
    path, core/prepared.py)."""
    paths = org.ancestor_paths()
    return prepared.rows(("core.ancestors", tuple(paths)),
                         lambda: Organization.objects.filter(path__in=paths).order_by("depth"))


def person_memberships(person: Person) -> list[Membership]:
    """Every role the person held or holds, newest first (/my/ asks on every request: compiled
    once, core/prepared.py)."""
    return prepared.rows(
        "core.person_memberships",
        lambda person_id: Membership.objects.filter(person_id=person_id).select_related("organization")
        .order_by("-start_on", "organization__path", "pk"),
        person_id=person.pk)


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


# --- Membership status as of a date ---
#
# A person's status is the history of MembershipStatusChange rows. `status_on(person, day)` is the
# status in force during `day` (a change effective on `day` included). Meetings ask a slightly
# different question, `meeting_statuses(...)`/`voting_members(...)`: the statuses in force when the
# meeting's day began, so a change that takes effect that day (usually decided by that very
# meeting, such as an admission or a probationary member's full membership) does not let the
# person vote on it. Only full members with their rights intact vote; probationary members and
# members whose rights are suspended are expected and speak, but do not vote.

# Roles that make someone a member of an organization (not functional roles such as editor).
MEMBER_ROLES = frozenset(
    {Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER, Role.GROUP_LEADER, Role.MEMBER}
)


def fold_history(rows, day: datetime.date) -> str:
    """The status on `day` from one person's history: (status, effective_on, ends_on) tuples in
    date order (an unknown date first). Pure; shared by the selectors below."""
    current = MembershipStatus.NONE
    before_suspension = MembershipStatus.NONE
    suspended_until = None
    for status, effective_on, ends_on in rows:
        if effective_on is not None and effective_on > day:
            break
        if status == MembershipStatus.SUSPENDED:
            if current != MembershipStatus.SUSPENDED:
                before_suspension = current
        current, suspended_until = status, ends_on
    if current == MembershipStatus.SUSPENDED and suspended_until is not None and day > suspended_until:
        return before_suspension
    return current


def statuses_on(person_ids: Iterable[int], day: datetime.date) -> dict[int, str]:
    """Each person's status on `day` (MembershipStatus values), in one query. People without a
    history are NONE."""
    ids = list(person_ids)
    result = dict.fromkeys(ids, MembershipStatus.NONE)
    rows = (
        MembershipStatusChange.objects.filter(person_id__in=ids)
        .filter(Q(effective_on__lte=day) | Q(effective_on__isnull=True))
        .order_by("person_id", F("effective_on").asc(nulls_first=True), "pk")
        .values_list("person_id", "status", "effective_on", "ends_on")
    )
    history: dict[int, list] = defaultdict(list)
    for person_id, status, effective_on, ends_on in rows:
        history[person_id].append((status, effective_on, ends_on))
    for person_id, items in history.items():
        result[person_id] = fold_history(items, day)
    return result


def status_on(person: Person | int, day: datetime.date) -> str:
    """The person's status in force during `day` (a MembershipStatus value)."""
    pk = person if isinstance(person, int) else person.pk
    return statuses_on([pk], day)[pk]


def meeting_statuses(person_ids: Iterable[int], day: datetime.date) -> dict[int, str]:
    """Statuses as a meeting on `day` sees them: those in force when the day began (one query)."""
    return statuses_on(person_ids, day - datetime.timedelta(days=1))


def may_vote(status: str) -> bool:
    return status in VOTING_STATUSES


def is_party_member(status: str) -> bool:
    return status in PARTY_MEMBER_STATUSES


def member_pool(org: Organization, on: datetime.date | None = None) -> list[Organization]:
    """The organizations whose members are the members of `org` for its meetings: the
    organization itself, and for a general branch also the branches under it, as the day `on`
    began (today's tree when `on` is None or today).

    The tree keeps no dated history of its own; what it has is the audit trail, where every
    move (`parent`: from → to, core.services.organization_move) and every closing or reopening
    (`is_active`) of an organization is logged with its time. The tree as `on` began is today's
    with the moves and closings logged since then undone. An organization's creation is not
    undone: entering a branch in Branchwork is not when it was founded (its past records are
    entered after it), and the tree has no founding date."""
    if org.kind != OrganizationKind.GENERAL_BRANCH:
        return [org]
    if on is None or on >= timezone.localdate():
        under = Organization.objects.filter(
            path__startswith=org.path, depth__gt=org.depth, kind=OrganizationKind.BRANCH,
            is_active=True,
        ).order_by("path")
        return [org, *under]
    return [org, *branches_under_on(org, on)]


def branches_under_on(org: Organization, on: datetime.date) -> list[Organization]:
    """The open branches under `org` as the day `on` began, from today's tree and the audit
    trail of the changes made since (see `member_pool`). Two queries."""
    orgs = {o.pk: o for o in Organization.objects.all()}
    by_path = {o.path: o for o in orgs.values()}
    parent = {pk: (by_path[o.parent_path].code if o.parent_path in by_path else None)
              for pk, o in orgs.items()}
    active = {pk: o.is_active for pk, o in orgs.items()}
    began = datetime.datetime.combine(on, datetime.time.min, tzinfo=timezone.get_current_timezone())
    since = (AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Organization), at__gte=began)
        .exclude(action=AuditAction.CREATE)
        .order_by("-at", "-pk").values_list("object_id", "changes"))
    for object_id, changes in since:  # newest first: undo each
        try:
            pk = int(object_id)
        except ValueError:
            continue
        if pk not in orgs:
            continue
        if "parent" in (changes or {}):
            parent[pk] = changes["parent"][0]
        if "is_active" in (changes or {}):
            active[pk] = bool(changes["is_active"][0])
    by_code = {o.code: o.pk for o in orgs.values()}

    def under(pk: int) -> bool:
        seen = set()
        code = parent[pk]
        while code is not None and code not in seen:
            if code == org.code:
                return True
            seen.add(code)
            code = parent.get(by_code.get(code))
        return False

    return sorted((o for pk, o in orgs.items()
                   if o.kind == OrganizationKind.BRANCH and active[pk] and under(pk)), key=lambda o: o.path)


@dataclass(frozen=True)
class MeetingMember:
    person: Person
    organization: Organization  # the organization the person belongs to (their own branch first)
    status: str

    @property
    def voting(self) -> bool:
        return may_vote(self.status)


def expected_members(org: Organization, day: datetime.date) -> list[MeetingMember]:
    """Party members expected at a meeting of `org` on `day`, as the day began; for a general
    branch, the members of all branches under it. Three queries whatever the numbers."""
    pool = member_pool(org, day)
    rank = {o.pk: (0 if o.kind == OrganizationKind.BRANCH else 1, o.path) for o in pool}
    memberships = list(
        Membership.objects.active_on(day)
        .filter(organization__in=pool, role__in=MEMBER_ROLES)
        .select_related("person", "organization")
    )
    memberships.sort(key=lambda m: (rank[m.organization_id], m.person.name, m.person_id))
    statuses = meeting_statuses({m.person_id for m in memberships}, day)
    seen: set[int] = set()
    result = []
    for m in memberships:
        if m.person_id in seen or not is_party_member(statuses[m.person_id]):
            continue
        seen.add(m.person_id)
        result.append(MeetingMember(person=m.person, organization=m.organization,
                                    status=statuses[m.person_id]))
    return sorted(result, key=lambda e: (e.person.name, e.person.pk))


def voting_members(org: Organization, day: datetime.date) -> list[Person]:
    """Members of `org` with a vote at a meeting on `day`: full members with rights intact, as
    the day began (for a general branch, from all branches under it)."""
    return [e.person for e in expected_members(org, day) if e.voting]


def status_history(person: Person) -> list[MembershipStatusChange]:
    return list(person.status_changes.order_by(F("effective_on").asc(nulls_first=True), "pk"))


@dataclass(frozen=True)
class HistoryGap:
    person: Person
    problem: str


def status_history_gaps(today: datetime.date | None = None) -> list[HistoryGap]:
    """What the status histories leave open, for someone to complete from the files: Party
    members without a history, statuses without a date, probation running over a year, and what
    the migration could not derive. Three queries."""
    today = today or timezone.localdate()
    gaps: dict[int, list[str]] = defaultdict(list)
    people: dict[int, Person] = {}
    changes = (MembershipStatusChange.objects.select_related("person")
               .order_by("person__name", "person_id", F("effective_on").asc(nulls_first=True), "pk"))
    histories: dict[int, list] = defaultdict(list)
    for c in changes:
        people[c.person_id] = c.person
        histories[c.person_id].append((c.status, c.effective_on, c.ends_on))
        if c.effective_on is None:
            gaps[c.person_id].append(_("%(status)s without a date") % {"status": c.get_status_display()})
        if c.derived and c.note:
            gaps[c.person_id].append(c.note)
    for pk, rows in histories.items():
        if fold_history(rows, today) == MembershipStatus.PROBATIONARY:
            since = max(d for s, d, _e in rows if s == MembershipStatus.PROBATIONARY and d is not None) \
                if any(s == MembershipStatus.PROBATIONARY and d for s, d, _e in rows) else None
            if since is not None and (today - since).days > 366:
                gaps[pk].append(_("probationary since %(day)s: full membership (or an extension) "
                                  "not recorded") % {"day": since.isoformat()})
    for person in Person.objects.party_members().exclude(pk__in=list(histories)):
        people[person.pk] = person
        gaps[person.pk].append(_("no status history"))
    return [HistoryGap(people[pk], problem)
            for pk in sorted(gaps, key=lambda pk: (people[pk].name, pk))
            for problem in dict.fromkeys(gaps[pk])]


def status_label_on(person: Person, day: datetime.date) -> str:
    """The person's status on `day` in the reader's language (the cached one without a history)."""
    if not person.status_changes.exists():
        return person.get_membership_status_display()
    return str(MembershipStatus(status_on(person, day)).label)
