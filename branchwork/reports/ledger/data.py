"""The ledger's snapshot: `ledger_data()` reads everything an organization's year shows, once,
in a fixed number of queries however many activities there are, into plain dataclasses; the
builders (pdf, docx, xlsx) read only the snapshot (and photo files), so they produce the same
record in all three formats. What users typed stays as typed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from branchwork.activities.models import (
    HELD_STATES,
    PRESENT_STATES,
    Activity,
    Amendment,
    Attachment,
    AttachmentKind,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Credit,
    Resolution,
)
from branchwork.core import richtext
from branchwork.core.models import Organization
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


def _user_name(user) -> str:
    if user is None:
        return ""
    try:
        person = user.person
    except Exception:  # no linked Person (RelatedObjectDoesNotExist)
        person = None
    if person is not None:
        return person.display_name
    return user.get_full_name() or user.get_username()


def _plain_change(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if "<" in text and ">" in text:
        text = richtext.html_to_text(text)
    return text


def _step_role(activity: Activity, user, org_roles: dict[int, str]) -> str:
    """Who the person who took a step was in this record: host, recorder, or their role in the
    organization (secretary…); empty when none applies."""
    if user is None:
        return ""
    try:
        person_id = user.person.pk
    except Exception:  # no linked Person (RelatedObjectDoesNotExist)
        return ""
    roles = []
    if person_id == activity.host_id:
        roles.append(_("host"))
    if person_id == activity.recorder_id:
        roles.append(_("recorder"))
    if not roles and person_id in org_roles:
        roles.append(org_roles[person_id])
    return "、".join(str(r) for r in roles)


def _org_roles(organization: Organization, year: int) -> dict[int, str]:
    """Managing roles in the organization held during the year, by person: one query."""
    from branchwork.core.models import MANAGING_ROLES, Membership, Role

    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    rank = {Role.SECRETARY: 0, Role.DEPUTY_SECRETARY: 1, Role.COMMITTEE_MEMBER: 2}
    best: dict[int, str] = {}
    rows = (Membership.objects.filter(organization=organization, role__in=MANAGING_ROLES,
                                      start_on__lte=end)
            .exclude(end_on__lt=start).values_list("person_id", "role"))
    for person_id, role in sorted(rows, key=lambda r: rank.get(r[1], 9)):
        best.setdefault(person_id, str(Role(role).label))
    return best


def _section(activity: Activity, labels: dict[str, dict[str, str]],
             org_roles: dict[int, str] | None = None) -> Section:
    rulebook = get_rulebook()
    roles, statuses = labels["role"], labels["status"]
    codes = [t.code for t in activity.type_tags.all()]
    quorum = []
    org_roles = org_roles or {}
    voting_expected = sum(1 for a in activity.attendance.all()
                          if a.role == AttendanceRole.EXPECTED and a.voting)
    for credit in sorted(activity.credits.all(), key=lambda c: (c.organization_id, c.code)):
        t = rulebook.types.get(credit.code)
        if t is None or t.quorum is None:
            continue
        quorum.append(QuorumItem(
            organization=credit.organization.display_name, type=rulebook.label(credit.code),
            present=credit.present, base=credit.base,
            met=t.quorum.is_met(present=credit.present, base=credit.base),
        ))
    return Section(
        pk=activity.pk,
        title=activity.title,
        session_number=activity.session_number,
        starts_at=_local(activity.starts_at),
        ends_at=_local(activity.ends_at),
        place=activity.place,
        host=activity.host.display_name if activity.host else "",
        recorder=activity.recorder.display_name if activity.recorder else "",
        lecturer=activity.lecturer.display_name if activity.lecturer else activity.lecturer_name,
        organization=activity.organization.display_name,
        co_organizers=[o.display_name for o in activity.co_organizers.all()],
        type_codes=codes,
        type_labels=[rulebook.label(c) for c in codes],
        status=activity.status,
        status_label=str(activity.get_status_display()),
        agenda=activity.agenda_items(),
        minutes=richtext.parse(activity.minutes),
        attendance=[
            AttendanceRow(
                name=a.display_name,
                organization=a.organization.display_name if a.organization else "",
                role=a.role, role_label=roles.get(a.role, a.role),
                status=a.status, status_label=statuses.get(a.status, a.status),
                reason=a.reason, voting=a.voting, makeup_on=a.makeup_on, makeup_note=a.makeup_note,
            )
            for a in activity.attendance.all()
        ],
        resolutions=[
            ResolutionItem(text=r.text, votes_for=r.votes_for, votes_against=r.votes_against,
                           votes_abstain=r.votes_abstain, passed=r.outcome(voting_expected))
            for r in activity.resolutions.all()
        ],
        photos=[
            PhotoItem(name=p.file.name, filename=p.filename, caption=p.caption)
            for p in activity.attachments.all()
        ],
        amendments=[
            AmendmentItem(
                at=_local(m.at), by=m.by_name, reason=m.reason,
                changes=tuple(
                    (capfirst(str(what)), _plain_change(pair[0] if isinstance(pair, list) and pair else ""),
                     _plain_change(pair[1] if isinstance(pair, list) and len(pair) > 1 else pair))
                    for what, pair in (m.changes or {}).items()
                ),
            )
            for m in activity.amendments.all()
        ],
        quorum=quorum,
        submitted_by=_user_name(activity.submitted_by),
        submitted_at=_local(activity.submitted_at),
        locked_by=_user_name(activity.locked_by),
        locked_at=_local(activity.locked_at),
        submitted_role=_step_role(activity, activity.submitted_by, org_roles),
        locked_role=_step_role(activity, activity.locked_by, org_roles),
        source=activity.source,
        paper_signed_on=activity.paper_signed_on,
    )


def ledger_data(*, organization: Organization, year: int, type_code: str | None = None) -> Ledger:
    """Everything the ledger shows, in a fixed number of queries (not one per activity)."""
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
    qs = (
        qs.select_related("organization", "host", "recorder", "lecturer",
                          "submitted_by__person", "locked_by__person")
        .prefetch_related(
            "type_tags",
            "co_organizers",
            Prefetch("attendance", queryset=Attendance.objects.select_related(
                "person", "organization").order_by("role", "pk")),
            Prefetch("resolutions", queryset=Resolution.objects.order_by("order", "pk")),
            Prefetch("attachments", queryset=Attachment.objects.filter(
                kind=AttachmentKind.PHOTO).order_by("order", "pk")),
            Prefetch("amendments", queryset=Amendment.objects.order_by("at", "pk")),
            Prefetch("credits", queryset=Credit.objects.select_related("organization")),
        )
        .order_by("starts_at", "pk")
    )
    # Translated once, not once per attendance row.
    labels = {"role": {k: str(v) for k, v in AttendanceRole.choices},
              "status": {k: str(v) for k, v in AttendanceStatus.choices}}
    org_roles = _org_roles(organization, year)
    return Ledger(
        organization=organization,
        org_name=organization.display_name,
        org_code=organization.code,
        year=year,
        type_code=type_code,
        type_label=rulebook.label(type_code) if type_code else "",
        rulebook_name=rulebook.name,
        generated_at=timezone.localtime(timezone.now(), tz),
        sections=[_section(a, labels, org_roles) for a in qs],
    )


def filename(*, organization: Organization, year: int, type_code: str | None, fmt: str) -> str:
    return f"{organization.code}-{year}{'-' + type_code if type_code else ''}-ledger.{fmt}"
