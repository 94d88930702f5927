"""The ledger's snapshot: `ledger_data()` reads everything an organization's year shows, once,
in a fixed number of queries however many activities there are, into plain dataclasses; the
builders (pdf, docx, xlsx) read only the snapshot (and photo files), so they produce the same
record in all three formats. What users typed stays as typed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from itertools import chain
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from branchwork.activities.models import (
    HELD_STATES,
    PRESENT_STATES,
    Activity,
    ActivityStatus,
    ActivityTypeTag,
    Amendment,
    Attachment,
    AttachmentKind,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Credit,
    Resolution,
    agenda_items,
    resolution_passes,
)
from branchwork.core import richtext
from branchwork.core.models import MANAGING_ROLES, Membership, Organization, Person, Role
from branchwork.rulebook.loader import get_rulebook

Progress = Callable[[int], None] | None


class LedgerError(ValueError):
    """The request cannot be built (unknown type or format); the message says why."""


# --- The snapshot ---


@dataclass(frozen=True)
class AttendanceRow:
    name: str
    organization: str
    role: str
    role_label: str
    status: str
    status_label: str
    reason: str
    voting: bool
    makeup_on: datetime.date | None
    makeup_note: str

    @property
    def is_present(self) -> bool:
        return self.status in PRESENT_STATES

    @property
    def is_observer(self) -> bool:
        return self.role == AttendanceRole.OBSERVER

    @property
    def makeup(self) -> str:
        if self.makeup_on is None:
            return self.makeup_note
        day = formats.date_format(self.makeup_on, "DATE_FORMAT")
        return " ".join(x for x in (day, self.makeup_note) if x)


@dataclass(frozen=True)
class ResolutionItem:
    text: str
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    passed: bool | None = None  # from the counts (Art. 11); None when no vote is recorded

    @property
    def has_votes(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against, self.votes_abstain))


@dataclass(frozen=True)
class PhotoItem:
    name: str  # in the default storage
    filename: str
    caption: str

    def read(self) -> bytes | None:
        """The photo's bytes, or None when its file cannot be read."""
        try:
            with default_storage.open(self.name, "rb") as fh:
                return fh.read()
        except (OSError, ValueError):
            return None


@dataclass(frozen=True)
class AmendmentItem:
    at: datetime.datetime  # local
    by: str
    reason: str
    changes: tuple[tuple[str, str, str], ...]  # (what, before, after)


@dataclass(frozen=True)
class QuorumItem:
    organization: str
    type: str
    present: int
    base: int
    met: bool


@dataclass
class Section:
    """One activity in the minute format."""

    pk: int
    title: str
    session_number: int | None
    starts_at: datetime.datetime  # local
    ends_at: datetime.datetime | None
    place: str
    host: str
    recorder: str
    lecturer: str
    organization: str
    co_organizers: list[str]
    type_codes: list[str]
    type_labels: list[str]
    status: str
    status_label: str
    agenda: list[str]
    minutes: list[richtext.Block]
    attendance: list[AttendanceRow]
    resolutions: list[ResolutionItem]
    photos: list[PhotoItem]
    amendments: list[AmendmentItem]
    quorum: list[QuorumItem]
    submitted_by: str
    submitted_at: datetime.datetime | None
    locked_by: str
    locked_at: datetime.datetime | None
    # The roles of who submitted and who approved (host, recorder, secretary…), translated.
    submitted_role: str = ""
    locked_role: str = ""
    source: str = ""
    paper_signed_on: datetime.date | None = None  # a record entered from signed paper minutes

    @property
    def date(self) -> datetime.date:
        return self.starts_at.date()

    @cached_property
    def voting_expected(self) -> list[AttendanceRow]:
        return [a for a in self.expected if a.voting]

    @cached_property
    def expected(self) -> list[AttendanceRow]:
        return [a for a in self.attendance if not a.is_observer]

    @cached_property
    def observers(self) -> list[AttendanceRow]:
        return [a for a in self.attendance if a.is_observer]

    @cached_property
    def present(self) -> list[AttendanceRow]:
        return [a for a in self.expected if a.is_present]

    @cached_property
    def excused(self) -> list[AttendanceRow]:
        return [a for a in self.expected if a.status == AttendanceStatus.EXCUSED]

    @cached_property
    def absent(self) -> list[AttendanceRow]:
        return [a for a in self.expected if a.status == AttendanceStatus.ABSENT]

    @cached_property
    def makeups(self) -> list[AttendanceRow]:
        return [a for a in self.attendance if a.makeup_on or a.makeup_note]


@dataclass
class Ledger:
    organization: Organization
    org_name: str
    org_code: str
    year: int
    type_code: str | None
    type_label: str
    rulebook_name: str
    generated_at: datetime.datetime
    sections: list[Section] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.sections


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(value, _tz()) if value is not None else None


def _plain_change(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if "<" in text and ">" in text:
        text = richtext.html_to_text(text)
    return text


def _org_roles(organization: Organization, year: int) -> dict[int, str]:
    """Managing roles in the organization held during the year, by person: one query."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    rank = {Role.SECRETARY: 0, Role.DEPUTY_SECRETARY: 1, Role.COMMITTEE_MEMBER: 2}
    best: dict[int, str] = {}
    rows = (Membership.objects.filter(organization=organization, role__in=MANAGING_ROLES,
                                      start_on__lte=end)
            .exclude(end_on__lt=start).values_list("person_id", "role"))
    for person_id, role in sorted(rows, key=lambda r: rank.get(r[1], 9)):
        best.setdefault(person_id, str(Role(role).label))
    return best


@dataclass(frozen=True)
class _Signer:
    """Who took a sign-off step: their name as printed and their person, if any."""

    name: str
    person_id: int | None


def _people(person_ids: set[int], user_ids: set[int]) -> tuple[dict[int, str], dict[int, _Signer]]:
    """Names of the people the year names, and of the users who submitted or approved (their
    person's name, else the account's full name or user name): one query, and one more only
    for accounts without a person."""
    people, signers = {}, {}
    for p in Person.objects.filter(Q(pk__in=person_ids) | Q(user_id__in=user_ids)).only(
            "name", "name_en", "name_native", "user_id"):
        people[p.pk] = p.display_name
        if p.user_id in user_ids:
            signers[p.user_id] = _Signer(people[p.pk], p.pk)
    if user_ids - signers.keys():
        for user in get_user_model().objects.filter(pk__in=user_ids - signers.keys()):
            signers[user.pk] = _Signer(user.get_full_name() or user.get_username(), None)
    return people, signers


class _OrgNames(dict):
    """Organization names by id, from rows that carry `<prefix>organization__name_zh/_en`: the
    model's own `display_name` (in the active language), computed once per organization."""

    def add(self, row: dict, prefix: str = "") -> None:
        pk = row[f"{prefix}organization_id"]
        if pk is not None and pk not in self:
            self[pk] = Organization(name_zh=row[f"{prefix}organization__name_zh"],
                                    name_en=row[f"{prefix}organization__name_en"]).display_name


def _step_role(row: dict, signer: _Signer | None, org_roles: dict[int, str]) -> str:
    """Who the person who took a step was in this record: host, recorder, or their role in the
    organization (secretary…); empty when none applies."""
    if signer is None or signer.person_id is None:
        return ""
    roles = []
    if signer.person_id == row["host_id"]:
        roles.append(_("host"))
    if signer.person_id == row["recorder_id"]:
        roles.append(_("recorder"))
    if not roles and signer.person_id in org_roles:
        roles.append(org_roles[signer.person_id])
    return "、".join(str(r) for r in roles)


def _grouped(rows, key: str = "activity_id") -> dict[int, list[dict]]:
    """Rows (dicts) by activity, in the order they came."""
    groups: dict[int, list[dict]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return groups


# The columns each section reads: rows as dicts, never model instances (a year of 400 activities
# has 16,000 attendance rows; one instance each, with its person and organization, cost more than
# typesetting the whole ledger).
ORG_NAME = ("organization_id", "organization__name_zh", "organization__name_en")
ACTIVITY_FIELDS = ("pk", "title", "session_number", "starts_at", "ends_at", "place", "host_id",
                   "recorder_id", "lecturer_id", "lecturer_name", *ORG_NAME, "status",
                   "agenda", "minutes", "source", "submitted_by_id", "submitted_at", "locked_by_id",
                   "locked_at", "paper_signed_on")
ATTENDANCE_FIELDS = ("activity_id", "person_id", "name", *ORG_NAME, "role", "status", "reason",
                     "voting", "makeup_on", "makeup_note")


def ledger_data(*, organization: Organization, year: int, type_code: str | None = None) -> Ledger:
    """Everything the ledger shows, in a fixed number of queries (not one per activity), read
    as values: the only model instances are the few people, organizations, users and amendments
    the year names."""
    rulebook = get_rulebook()
    type_code = type_code or None
    if type_code is not None and type_code not in rulebook.types:
        raise LedgerError(_("Unknown activity type: %(codes)s") % {"codes": type_code})
    tz = _tz()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    qs = Activity.objects.for_organization(organization).filter(
        status__in=HELD_STATES, starts_at__gte=start, starts_at__lt=end,
    )
    if type_code is not None:
        qs = qs.filter(type_tags__code=type_code)
    activities = list(qs.order_by("starts_at", "pk").values(*ACTIVITY_FIELDS))
    ids = [a["pk"] for a in activities]
    tags = _grouped(ActivityTypeTag.objects.filter(activity_id__in=ids).order_by("pk")
                    .values("activity_id", "code"))
    co_organizers = _grouped(
        Activity.co_organizers.through.objects.filter(activity_id__in=ids)
        .order_by("organization__path").values("activity_id", *ORG_NAME))
    attendance = _grouped(Attendance.objects.filter(activity_id__in=ids).order_by("role", "pk")
                          .values(*ATTENDANCE_FIELDS))
    resolutions = _grouped(Resolution.objects.filter(activity_id__in=ids).order_by("order", "pk")
                           .values("activity_id", "text", "votes_for", "votes_against",
                                   "votes_abstain"))
    photos = _grouped(Attachment.objects.filter(activity_id__in=ids, kind=AttachmentKind.PHOTO)
                      .order_by("order", "pk").values("activity_id", "file", "filename", "caption"))
    credits = _grouped(Credit.objects.filter(activity_id__in=ids)
                       .order_by("organization_id", "code")
                       .values("activity_id", *ORG_NAME, "code", "present", "base"))
    amendments: dict[int, list[Amendment]] = {}
    for m in Amendment.objects.filter(activity_id__in=ids).order_by("at", "pk"):
        amendments.setdefault(m.activity_id, []).append(m)

    # The few people and organizations the year names, each named once.
    person_ids = {a[k] for a in activities for k in ("host_id", "recorder_id", "lecturer_id")}
    person_ids |= {r["person_id"] for rows in attendance.values() for r in rows}
    user_ids = {a[k] for a in activities for k in ("submitted_by_id", "locked_by_id")}
    people, signers = _people(person_ids - {None}, user_ids - {None})
    orgs = _OrgNames()
    for row in chain(activities, *co_organizers.values(), *attendance.values(), *credits.values()):
        orgs.add(row)

    # Translated once, not once per attendance row.
    labels = {"role": {k: str(v) for k, v in AttendanceRole.choices},
              "status": {k: str(v) for k, v in AttendanceStatus.choices},
              "activity_status": {k: str(v) for k, v in ActivityStatus.choices}}
    org_roles = _org_roles(organization, year)
    sections = [
        _section(a, tags=tags.get(a["pk"], []), co_organizers=co_organizers.get(a["pk"], []),
                 attendance=attendance.get(a["pk"], []), resolutions=resolutions.get(a["pk"], []),
                 photos=photos.get(a["pk"], []), credits=credits.get(a["pk"], []),
                 amendments=amendments.get(a["pk"], []), people=people, orgs=orgs,
                 signers=signers, labels=labels, org_roles=org_roles)
        for a in activities
    ]
    return Ledger(
        organization=organization,
        org_name=organization.display_name,
        org_code=organization.code,
        year=year,
        type_code=type_code,
        type_label=rulebook.label(type_code) if type_code else "",
        rulebook_name=rulebook.name,
        generated_at=timezone.localtime(timezone.now(), tz),
        sections=sections,
    )


def _section(a: dict, *, tags, co_organizers, attendance, resolutions, photos, credits,
             amendments, people: dict[int, str], orgs: dict[int, str],
             signers: dict[int, _Signer], labels: dict[str, dict[str, str]],
             org_roles: dict[int, str]) -> Section:
    rulebook = get_rulebook()
    roles, statuses = labels["role"], labels["status"]
    codes = [t["code"] for t in tags]
    voting_expected = sum(1 for r in attendance if r["role"] == AttendanceRole.EXPECTED and r["voting"])
    quorum = []
    for credit in credits:
        t = rulebook.types.get(credit["code"])
        if t is None or t.quorum is None:
            continue
        quorum.append(QuorumItem(
            organization=orgs[credit["organization_id"]], type=rulebook.label(credit["code"]),
            present=credit["present"], base=credit["base"],
            met=t.quorum.is_met(present=credit["present"], base=credit["base"]),
        ))
    submitted_by, locked_by = signers.get(a["submitted_by_id"]), signers.get(a["locked_by_id"])
    return Section(
        pk=a["pk"],
        title=a["title"],
        session_number=a["session_number"],
        starts_at=_local(a["starts_at"]),
        ends_at=_local(a["ends_at"]),
        place=a["place"],
        host=people.get(a["host_id"], ""),
        recorder=people.get(a["recorder_id"], ""),
        lecturer=people[a["lecturer_id"]] if a["lecturer_id"] else a["lecturer_name"],
        organization=orgs[a["organization_id"]],
        co_organizers=[orgs[c["organization_id"]] for c in co_organizers],
        type_codes=codes,
        type_labels=[rulebook.label(c) for c in codes],
        status=a["status"],
        status_label=labels["activity_status"].get(a["status"], a["status"]),
        agenda=agenda_items(a["agenda"]),
        minutes=richtext.parse(a["minutes"]),
        attendance=[
            AttendanceRow(
                name=people[r["person_id"]] if r["person_id"] else r["name"],
                organization=orgs[r["organization_id"]] if r["organization_id"] else "",
                role=r["role"], role_label=roles.get(r["role"], r["role"]),
                status=r["status"], status_label=statuses.get(r["status"], r["status"]),
                reason=r["reason"], voting=r["voting"], makeup_on=r["makeup_on"],
                makeup_note=r["makeup_note"],
            )
            for r in attendance
        ],
        resolutions=[
            ResolutionItem(text=r["text"], votes_for=r["votes_for"], votes_against=r["votes_against"],
                           votes_abstain=r["votes_abstain"],
                           passed=resolution_passes(r["votes_for"], voting_expected))
            for r in resolutions
        ],
        photos=[PhotoItem(name=p["file"], filename=p["filename"], caption=p["caption"]) for p in photos],
        amendments=[
            AmendmentItem(
                at=_local(m.at), by=m.by_name, reason=m.reason,
                changes=tuple(
                    (capfirst(str(what)), _plain_change(pair[0] if isinstance(pair, list) and pair else ""),
                     _plain_change(pair[1] if isinstance(pair, list) and len(pair) > 1 else pair))
                    for what, pair in (m.changes or {}).items()
                ),
            )
            for m in amendments
        ],
        quorum=quorum,
        submitted_by=submitted_by.name if submitted_by else "",
        submitted_at=_local(a["submitted_at"]),
        locked_by=locked_by.name if locked_by else "",
        locked_at=_local(a["locked_at"]),
        submitted_role=_step_role(a, submitted_by, org_roles),
        locked_role=_step_role(a, locked_by, org_roles),
        source=a["source"],
        paper_signed_on=a["paper_signed_on"],
    )


def filename(*, organization: Organization, year: int, type_code: str | None, fmt: str) -> str:
    return f"{organization.code}-{year}{'-' + type_code if type_code else ''}-ledger.{fmt}"
