"""Writes to activities. Views, the API, commands and the importer call these; nothing else writes.

Each function is keyword-only, validates, runs in one transaction, attributes its changes to
`by` in the audit trail and leaves side effects (mail) to run on commit through the task worker.
Every state change saves a Wagtail revision of the whole record.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchwork.activities.models import (
    HELD_STATES,
    PRESENT_STATES,
    Activity,
    ActivitySource,
    ActivityStatus,
    ActivityTypeTag,
    Amendment,
    Attachment,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Credit,
    MarkedVia,
    Resolution,
    Speaking,
)
from branchwork.core import audit
from branchwork.core import selectors as core_selectors
from branchwork.core.conflicts import Conflict, VersionConflict, lock_for_update
from branchwork.core.richtext import clean_rich_text
from branchwork.core.models import (
    MANAGING_ROLES,
    Membership,
    Organization,
    OrganizationKind,
    Person,
)
from branchwork.rulebook.loader import get_rulebook

# Roles that make someone a member of the organization for attendance (not functional roles).
MEMBER_ROLES = core_selectors.MEMBER_ROLES
# Organizations whose members are expected when they co-organize (not other units' branches).
INTERNAL_KINDS = frozenset(
    {OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH, OrganizationKind.BRANCH,
     OrganizationKind.GROUP, OrganizationKind.YOUTH_LEAGUE}
)
# Fields of the record an amendment may change.
AMENDABLE_FIELDS = (
    "title", "session_number", "starts_at", "ends_at", "place", "host", "recorder", "lecturer",
    "lecturer_name", "agenda", "minutes", "covers_year", "contents", "paper_signed_on",
)
EDITABLE_FIELDS = AMENDABLE_FIELDS + ("date_confirmed",)
# Fields whose changes move `minutes_version` on (the recorder's text; see `_check_version`).
VERSIONED_FIELDS = ("agenda", "minutes")

# Which states allow which writes. Every service that writes an activity's record locks its row
# and checks its state inside the transaction (`_lock`), against one of these.
OPEN_STATES = (ActivityStatus.PLANNED, ActivityStatus.HELD)  # the record is a draft
_LOCKED_MESSAGE = gettext_lazy("This record is %(status)s: it is no longer a draft (a locked record "
                        "changes only through an amendment).")


def _as(by, source: str | None = None):
    return audit.acting_as(by, source=source or audit.current_actor().source)


def _user_name(user) -> str:
    if user is None:
        return ""
    try:
        return user.person.display_name
    except (Person.DoesNotExist, AttributeError):
        return user.get_full_name() or user.get_username()


def _check_yearly_fields(activity: Activity, codes: Sequence[str]) -> None:
    """A year covered belongs to a yearly record, theme-day contents to a theme day."""
    rulebook = get_rulebook()
    if activity.covers_year is not None and not any(rulebook.type(c).yearly for c in codes):
        raise ValidationError({"covers_year": _(
            "Only a yearly record (such as the organizational life meeting) has a year covered.")})
    if activity.contents and "theme_day" not in codes:
        raise ValidationError({"contents": _("Contents are recorded for a theme Party day.")})


def _check_types(codes: Iterable[str]) -> list[str]:
    rulebook = get_rulebook()
    codes = list(dict.fromkeys(c for c in codes if c))
    if not codes:
        raise ValidationError({"types": _("Choose at least one type.")})
    unknown = [c for c in codes if c not in rulebook.types]
    if unknown:
        raise ValidationError({"types": _("Unknown activity type: %(codes)s") % {
            "codes": ", ".join(unknown)}})
    return codes


# --- Who is expected ---


@dataclass(frozen=True)
class Expected:
    person: Person
    organization: Organization
    voting: bool


def expected_attendees(
    *, organization: Organization, co_organizers: Sequence[Organization], type_codes: Sequence[str],
    on: datetime.date,
) -> list[Expected]:
    """Who the types' rules expect, as of `on` (the statuses in force when that day began).

    Party members only (any member of a Youth League body), from the roles held on `on`. A
    general branch's members are those of all branches under it; each person is expected once,
    through their own branch where they have one. Whether they vote follows their status on the
    day (core.selectors.meeting_statuses): only full members with their rights intact vote.
    """
    rulebook = get_rulebook()
    rules = {rulebook.type(c).attendance for c in type_codes}
    if rules <= {"open"}:
        return []
    orgs = [organization] + [o for o in co_organizers if o.kind in INTERNAL_KINDS]
    committee_only = rules == {"committee"}
    roles = MANAGING_ROLES if committee_only else MEMBER_ROLES
    pool: dict[int, Organization] = {}
    for org in orgs:
        for o in ([org] if committee_only else core_selectors.member_pool(org, on)):
            pool.setdefault(o.pk, o)
    order = {pk: (0 if o.kind == OrganizationKind.BRANCH else 1, i) for i, (pk, o) in enumerate(pool.items())}
    rows = sorted(
        Membership.objects.active_on(on).filter(organization__in=list(pool), role__in=roles)
        .select_related("person"),
        key=lambda m: (order[m.organization_id], m.person.name, m.pk),
    )
    statuses = core_selectors.meeting_statuses({m.person_id for m in rows}, on)
    seen: set[int] = set()
    result = []
    for m in rows:
        org, person, status = pool[m.organization_id], m.person, statuses[m.person_id]
        if person.pk in seen:
            continue
        if org.kind != OrganizationKind.YOUTH_LEAGUE and not core_selectors.is_party_member(status):
            continue
        seen.add(person.pk)
        result.append(Expected(person=person, organization=org, voting=core_selectors.may_vote(status)))
    return result


def _sync_expected(activity: Activity) -> None:
    """Add newly expected people; drop unmarked ones no longer expected. Marks are kept."""
    expected = expected_attendees(
        organization=activity.organization,
        co_organizers=list(activity.co_organizers.all()),
        type_codes=activity.type_codes,
        on=activity.local_date,
    )
    wanted = {e.person.pk: e for e in expected}
    existing = {a.person_id: a for a in activity.attendance.filter(person__isnull=False)}
    Attendance.objects.filter(
        activity=activity, role=AttendanceRole.EXPECTED, status=AttendanceStatus.UNMARKED,
        person__isnull=False,
    ).exclude(person_id__in=list(wanted)).delete()
    audit.bulk_create(Attendance, [
        Attendance(activity=activity, person=e.person, organization=e.organization, voting=e.voting)
        for pk, e in wanted.items() if pk not in existing
    ], organization_id=activity.organization_id)


# --- Credits (derived) ---


def credited_organizations(activity: Activity, code: str) -> list[Organization]:
    """The organizations an activity counts for, for one type.

    The host always. Co-organizers, and for a general branch's activity the branches under it
    as the activity's day began (core.selectors.member_pool: not today's tree),
    only where the rulebook says the type may be held jointly (`joint`): a general branch's or
    another branch's general meeting is not a branch's own general meeting.
    """
    orgs = [activity.organization]
    if get_rulebook().type(code).joint:
        orgs += list(activity.co_organizers.all())
        if activity.organization.kind == OrganizationKind.GENERAL_BRANCH:
            orgs += core_selectors.member_pool(activity.organization, activity.local_date)[1:]
    return list({o.pk: o for o in orgs}.values())


def _refresh_voting(activity: Activity, rows: list[Attendance]) -> None:
    """In a draft record, who votes follows the status history as of the activity's date (a
    status recorded later for that date changes it); a locked record keeps what it says."""
    expected = [a for a in rows if a.person_id is not None]
    statuses = core_selectors.meeting_statuses({a.person_id for a in expected}, activity.local_date)
    changed = []
    for a in expected:
        voting = core_selectors.may_vote(statuses[a.person_id])
        if a.voting != voting:
            a.voting = voting
            changed.append(a)
    audit.bulk_update(changed, ["voting"], organization_id=activity.organization_id)


def recompute_credits(activity: Activity) -> None:
    """Rebuild what the activity counts, for each organization it counts for and each type.

    The quorum of an organization is judged on the people expected through it (for a general
    branch, through it and the branches under it)."""
    Credit.objects.filter(activity=activity).delete()
    if activity.status == ActivityStatus.CANCELLED:
        return
    rulebook = get_rulebook()
    rows = list(activity.attendance.filter(role=AttendanceRole.EXPECTED))
    if activity.status in OPEN_STATES:
        _refresh_voting(activity, rows)
    held = activity.status in HELD_STATES
    pools: dict[int, set[int]] = {}
    credits = []
    for code in activity.type_codes:
        quorum = rulebook.type(code).quorum
        # A yearly record counts for the year it covers (所属年度), others for the year of their date.
        year = activity.year_covered if rulebook.type(code).yearly else activity.local_date.year
        for org in credited_organizations(activity, code):
            if org.pk not in pools:
                pools[org.pk] = {o.pk for o in core_selectors.member_pool(org, activity.local_date)}
            mine = [a for a in rows if a.organization_id in pools[org.pk]]
            present = base = 0
            counted = held
            if quorum is not None:
                pool = [a for a in mine if a.voting] if quorum.of == "voting" else mine
                base = len(pool)
                present = sum(1 for a in pool if a.status in PRESENT_STATES)
                counted = held and quorum.is_met(present=present, base=base)
            credits.append(Credit(activity=activity, organization=org, code=code,
                                  on=activity.local_date, year=year, held=held, counted=counted,
                                  present=present, base=base))
    Credit.objects.bulk_create(credits)


def quorum_report(activity: Activity) -> list[dict]:
    """Per organization and quorum type: present, base, met (for pages and ledgers)."""
    result = []
    for credit in activity.credits.select_related("organization").order_by("organization_id", "code"):
        quorum = get_rulebook().types[credit.code].quorum if credit.code in get_rulebook().types else None
        if quorum is None:
            continue
        result.append({
            "organization": credit.organization,
            "type": get_rulebook().label(credit.code),
            "present": credit.present,
            "base": credit.base,
            "met": quorum.is_met(present=credit.present, base=credit.base),
        })
    return result


def _revision(activity: Activity, by, action: str) -> None:
    activity.save_revision(user=by if getattr(by, "is_authenticated", False) else None,
                           log_action=action, clean=False)


def _lock(activity: Activity, states: Sequence[str], message: str) -> Activity:
    """Lock the activity's row, read it afresh (in place) and refuse unless its state is one of
    `states`. `message` may name the state as %(status)s. Every write to a record starts here,
    so what a view loaded before the transaction decides nothing."""
    lock_for_update(activity)
    if activity.status not in states:
        raise Conflict(message % {"status": activity.get_status_display()})
    return activity


def _check_version(activity: Activity, version: int | None) -> None:
    """Refuse a save of the recorder's text based on an older version than the stored one."""
    if version is None or version == activity.minutes_version:
        return
    raise VersionConflict(
        _("Someone else saved this record while you were editing it. Their version is shown "
          "below; copy your changes into it and save again."),
        current={"minutes": activity.minutes, "agenda": activity.agenda,
                 "resolutions": [r.text for r in activity.resolutions.all()]},
        version=activity.minutes_version,
    )


# --- Scheduling ---


@transaction.atomic
def activity_schedule(
    *,
    by,
    organization: Organization,
    types: Sequence[str],
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    place: str = "",
    host: Person | None = None,
    recorder: Person | None = None,
    lecturer: Person | None = None,
    lecturer_name: str = "",
    agenda: str = "",
    co_organizers: Sequence[Organization] = (),
    session_number: int | None = None,
    date_confirmed: bool = True,
    source: str = ActivitySource.WEB,
    notify: bool = True,
    covers_year: int | None = None,
    contents: Sequence[str] = (),
    paper_signed_on: datetime.date | None = None,
) -> Activity:
    codes = _check_types(types)
    if ends_at is not None and ends_at < starts_at:
        raise ValidationError({"ends_at": _("The end is before the start.")})
    co = [o for o in co_organizers if o.pk != organization.pk]
    activity = Activity(
        organization=organization, title=title.strip(), starts_at=starts_at, ends_at=ends_at,
        place=place.strip(), host=host, recorder=recorder, lecturer=lecturer,
        lecturer_name=lecturer_name.strip(), agenda=agenda.strip(), session_number=session_number,
        date_confirmed=date_confirmed, source=source, covers_year=covers_year,
        contents=list(dict.fromkeys(contents)), paper_signed_on=paper_signed_on,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    activity.full_clean(exclude=["latest_revision", "minutes"])
    _check_yearly_fields(activity, codes)
    with _as(by):
        activity.save()
        activity.co_organizers.set(co)
        audit.bulk_create(ActivityTypeTag, [ActivityTypeTag(activity=activity, code=c) for c in codes],
                          organization_id=activity.organization_id)
        _sync_expected(activity)
        recompute_credits(activity)
        _revision(activity, by, "wagtail.create")
    if notify and date_confirmed and activity.starts_at > timezone.now():
        from branchwork.activities import notifications

        transaction.on_commit(lambda: notifications.enqueue_notice(activity.pk))
    return activity


@transaction.atomic
def activity_update(
    *, by, activity: Activity, types: Sequence[str] | None = None,
    co_organizers: Sequence[Organization] | None = None, notify: bool = True,
    version: int | None = None, **changes,
) -> Activity:
    """Change a record that is still a draft (a locked one changes only by amendment)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"activity_update() cannot change {', '.join(sorted(unknown))}")
    _lock(activity, OPEN_STATES, _LOCKED_MESSAGE)
    _check_version(activity, version)
    old_start, old_confirmed = activity.starts_at, activity.date_confirmed
    if "minutes" in changes:
        changes["minutes"] = clean_rich_text(changes["minutes"])
    for name, value in changes.items():
        value = value.strip() if isinstance(value, str) and name != "minutes" else value
        if name in VERSIONED_FIELDS and value != getattr(activity, name):
            activity.minutes_version += 1
        setattr(activity, name, value)
    if activity.ends_at is not None and activity.ends_at < activity.starts_at:
        raise ValidationError({"ends_at": _("The end is before the start.")})
    activity.full_clean(exclude=["latest_revision"])
    _check_yearly_fields(activity, _check_types(types) if types is not None else activity.type_codes)
    with _as(by):
        activity.save()
        if types is not None:
            codes = _check_types(types)
            ActivityTypeTag.objects.filter(activity=activity).exclude(code__in=codes).delete()
            have = set(activity.type_tags.values_list("code", flat=True))
            audit.bulk_create(
                ActivityTypeTag, [ActivityTypeTag(activity=activity, code=c) for c in codes if c not in have],
                organization_id=activity.organization_id)
        if co_organizers is not None:
            activity.co_organizers.set([o for o in co_organizers if o.pk != activity.organization_id])
        activity = Activity.objects.get(pk=activity.pk)  # fresh relations
        if activity.status == ActivityStatus.PLANNED:
            _sync_expected(activity)
        recompute_credits(activity)
        _revision(activity, by, "wagtail.edit")
    moved = activity.starts_at != old_start or (activity.date_confirmed and not old_confirmed)
    if notify and moved and activity.date_confirmed and activity.starts_at > timezone.now():
        from branchwork.activities import notifications

        transaction.on_commit(lambda: notifications.enqueue_notice(activity.pk))
    return activity


@transaction.atomic
def activity_cancel(*, by, activity: Activity) -> Activity:
    _lock(activity, (ActivityStatus.PLANNED,), _("Only a planned activity can be cancelled."))
    with _as(by):
        activity.status = ActivityStatus.CANCELLED
        activity.save(update_fields=["status", "updated_at"])
        recompute_credits(activity)
        _revision(activity, by, "branchwork.cancel")
    return activity


@transaction.atomic
def activity_delete(*, by, activity: Activity) -> None:
    """Only a planned activity that nobody has checked in to may be deleted outright."""
    refused = _("Only a planned activity without attendance can be deleted.")
    _lock(activity, (ActivityStatus.PLANNED,), refused)
    if activity.attendance.exclude(status=AttendanceStatus.UNMARKED).exists():
        raise Conflict(refused)
    with _as(by):
        activity.delete()


# --- Attendance ---


def _attendance_open(activity: Activity) -> None:
    _lock(activity, OPEN_STATES,
          _("Attendance can no longer be changed: the minutes are %(status)s."))


def _mark_held(activity: Activity) -> None:
    if activity.status == ActivityStatus.PLANNED:
        activity.status = ActivityStatus.HELD
        activity.save(update_fields=["status", "updated_at"])


@transaction.atomic
def attendance_mark(
    *, by, activity: Activity, marks: dict[int, tuple[str, str]], via: str = MarkedVia.MANUAL,
) -> int:
    """Set attendance by attendance row id: {id: (status, reason)}. Returns rows changed."""
    _attendance_open(activity)
    rows = {a.pk: a for a in activity.attendance.select_related("person")}
    now = timezone.now()
    changed = []
    for pk, (status, reason) in marks.items():
        row = rows.get(pk)
        if row is None:
            raise ValidationError(_("No such attendee in this activity."))
        if status not in AttendanceStatus.values:
            raise ValidationError(_("Unknown attendance status: %(status)s") % {"status": status})
        reason = (reason or "").strip()
        if status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.UNMARKED):
            reason = ""
        if (row.status, row.reason) == (status, reason):
            continue
        row.status, row.reason = status, reason
        row.marked_via, row.marked_at = (via, now) if status != AttendanceStatus.UNMARKED else ("", None)
        changed.append(row)
    with _as(by):
        audit.bulk_update(changed, ["status", "reason", "marked_via", "marked_at"],
                          organization_id=activity.organization_id)
        if changed and activity.starts_at <= now:
            _mark_held(activity)
        recompute_credits(activity)
    return len(changed)


class CheckInRefused(Exception):
    """Why a check-in is not possible, in the user's language."""


def check_in_window(activity: Activity) -> tuple[datetime.datetime, datetime.datetime]:
    """Check-in opens two hours before the start and closes at the end of that local day."""
    start = activity.local_start
    opens = start - datetime.timedelta(hours=2)
    closes = start.replace(hour=23, minute=59, second=59)
    return opens, closes


@transaction.atomic
def attendance_check_in(*, user, activity: Activity) -> Attendance:
    """A member confirms their own presence from the QR page. Records attendance, nothing else."""
    lock_for_update(activity)
    if activity.status not in OPEN_STATES:
        raise CheckInRefused(_("Check-in for this activity is closed."))
    opens, closes = check_in_window(activity)
    now = timezone.now()
    if now < opens:
        raise CheckInRefused(_("Check-in opens at %(time)s.") % {
            "time": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M")})
    if now > closes:
        raise CheckInRefused(_("Check-in for this activity is closed."))
    try:
        person = user.person
    except (Person.DoesNotExist, AttributeError):
        raise CheckInRefused(_("Your account is not linked to a member record.")) from None
    row = activity.attendance.filter(person=person).first()
    if row is None:
        raise CheckInRefused(_("You are not on the list for this activity; please tell the recorder."))
    if row.status in PRESENT_STATES:
        return row
    late = now > activity.starts_at + datetime.timedelta(minutes=15)
    row.status = AttendanceStatus.LATE if late else AttendanceStatus.PRESENT
    row.reason = ""
    row.marked_via, row.marked_at = MarkedVia.QR, now
    with _as(user, "web"):
        row.save(update_fields=["status", "reason", "marked_via", "marked_at"])
        if activity.starts_at <= now + datetime.timedelta(hours=2):
            _mark_held(activity)
        recompute_credits(activity)
    return row


@transaction.atomic
def attendance_add(
    *, by, activity: Activity, person: Person | None = None, name: str = "",
    role: str = AttendanceRole.OBSERVER, status: str = AttendanceStatus.PRESENT,
) -> Attendance:
    """Add an observer (列席) or someone expected who was not on the generated list."""
    _attendance_open(activity)
    name = name.strip()
    if person is None and not name:
        raise ValidationError(_("Give a person or a name."))
    if person is not None and activity.attendance.filter(person=person).exists():
        raise ValidationError(_("%(name)s is already on the list.") % {"name": person.display_name})
    row = Attendance(
        activity=activity, person=person, name="" if person else name, role=role, status=status,
        voting=False if role == AttendanceRole.OBSERVER else bool(
            person and core_selectors.may_vote(
                core_selectors.meeting_statuses([person.pk], activity.local_date)[person.pk])),
        marked_via=MarkedVia.MANUAL, marked_at=timezone.now(),
    )
    row.full_clean(exclude=["activity"])
    with _as(by):
        row.save()
        recompute_credits(activity)
    return row


@transaction.atomic
def attendance_remove(*, by, activity: Activity, attendance: Attendance) -> None:
    _attendance_open(activity)
    with _as(by):
        attendance.delete()
        recompute_credits(activity)


@transaction.atomic
def attendance_set_speaking(*, by, activity: Activity, speaking: dict[int, str]) -> None:
    """Record who spoke or introduced a candidate (attendance row id → `Speaking` value)."""
    _attendance_open(activity)
    with _as(by):
        _set_speaking(activity, speaking)


def _set_speaking(activity: Activity, speaking: dict[int, str]) -> None:
    rows = {a.pk: a for a in activity.attendance.all()}
    for pk, part in speaking.items():
        row = rows.get(pk)
        if row is None or part not in Speaking.values:
            raise ValidationError(_("No such attendee in this activity."))
        if row.speaking != part:
            row.speaking = part
            row.save(update_fields=["speaking"])


@transaction.atomic
def makeup_record(*, by, attendance: Attendance, on: datetime.date, note: str = "") -> Attendance:
    """Make-up study (补学) of an excused or absent member; allowed on locked records too."""
    _lock(attendance.activity, (*OPEN_STATES, ActivityStatus.SUBMITTED, ActivityStatus.LOCKED),
          _("Make-up study cannot be recorded: the activity is %(status)s."))
    lock_for_update(attendance)
    if attendance.status not in (AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT):
        raise ValidationError(_("Make-up study is recorded for excused or absent members only."))
    if on < attendance.activity.local_date:
        raise ValidationError({"makeup_on": _("Make-up study cannot be before the activity.")})
    attendance.makeup_on, attendance.makeup_note = on, note.strip()
    with _as(by):
        attendance.save(update_fields=["makeup_on", "makeup_note"])
    return attendance


# --- Minutes and sign-off ---


@transaction.atomic
def minutes_save(
    *, by, activity: Activity, minutes: str, agenda: str | None = None,
    resolutions: Sequence[dict] | None = None, version: int | None = None,
    speaking: dict[int, str] | None = None,
) -> Activity:
    """The recorder's draft: minutes, agenda, resolutions (with vote counts and whom each is
    about) and who spoke (attendance row id → `Speaking` value), all or nothing.

    `version` is the `minutes_version` the editor started from; a save based on an older one is
    refused with the stored text (VersionConflict), never written over it.
    """
    _lock(activity, OPEN_STATES, _("The minutes are %(status)s and cannot be edited."))
    _check_version(activity, version)
    if activity.starts_at > timezone.now() + datetime.timedelta(hours=2):
        raise ValidationError(_("Minutes can be written once the activity has taken place."))
    activity.minutes = clean_rich_text(minutes)
    activity.minutes_version += 1
    fields = ["minutes", "minutes_version", "status", "updated_at"]
    if agenda is not None:
        activity.agenda = agenda.strip()
        fields.append("agenda")
    activity.status = ActivityStatus.HELD
    with _as(by):
        activity.save(update_fields=fields)
        if resolutions is not None:
            _replace_resolutions(activity, resolutions)
        if speaking:
            _set_speaking(activity, speaking)
        recompute_credits(activity)
        _revision(activity, by, "wagtail.edit")
    return activity


def _replace_resolutions(activity: Activity, resolutions: Sequence[dict]) -> None:
    """Replace the resolutions. One given without `subject_person` keeps the person of the
    resolution of the same text it replaces (a form or a client that only edits the text does
    not drop who the matter is about); `subject_person: None` clears it."""
    before = {r.text: r.subject_person_id for r in activity.resolutions.all()}
    rows = []
    for i, r in enumerate(resolutions):
        text = (r.get("text") or "").strip()
        if not text:
            continue
        subject = r["subject_person"] if "subject_person" in r else before.get(text)
        row = Resolution(activity=activity, order=i, text=text,
                         votes_for=r.get("votes_for"), votes_against=r.get("votes_against"),
                         votes_abstain=r.get("votes_abstain"),
                         subject_person_id=getattr(subject, "pk", subject))
        row.full_clean(exclude=["activity"])
        rows.append(row)

    def key(r):
        return (r.text, r.votes_for, r.votes_against, r.votes_abstain, r.subject_person_id)

    if [key(r) for r in activity.resolutions.all()] == [key(r) for r in rows]:
        return  # unchanged: the trail keeps only real changes
    Resolution.objects.filter(activity=activity).delete()
    audit.bulk_create(Resolution, rows, organization_id=activity.organization_id)


def missing_record_fields(activity: Activity) -> list[str]:
    """Record fields the types require that are still empty (translated labels)."""
    rulebook = get_rulebook()
    needed: list[str] = []
    for code in activity.type_codes:
        for name in rulebook.type(code).record:
            if name not in needed:
                needed.append(name)
    present = {
        "host": activity.host_id is not None,
        "recorder": activity.recorder_id is not None,
        "lecturer": activity.lecturer_id is not None or bool(activity.lecturer_name),
        "place": bool(activity.place),
        "agenda": bool(activity.agenda.strip()),
        "minutes": bool(activity.minutes.strip()),
        "resolutions": activity.resolutions.exists(),
    }
    labels = {
        "host": _("host"), "recorder": _("recorder"), "lecturer": _("lecturer"),
        "place": _("place"), "agenda": _("agenda"), "minutes": _("minutes"),
        "resolutions": _("resolutions"),
    }
    return [str(labels[n]) for n in needed if not present[n]]


@transaction.atomic
def minutes_submit(*, by, activity: Activity) -> Activity:
    _lock(activity, (ActivityStatus.HELD,), _("Only minutes in draft can be submitted; these are "
                                               "%(status)s."))
    missing = missing_record_fields(activity)
    if missing:
        raise ValidationError(_("The record is incomplete: %(fields)s.") % {"fields": "、".join(missing)})
    if activity.attendance.filter(role=AttendanceRole.EXPECTED, status=AttendanceStatus.UNMARKED).exists():
        raise ValidationError(_("Mark everyone's attendance before submitting."))
    activity.status = ActivityStatus.SUBMITTED
    activity.submitted_at, activity.submitted_by = timezone.now(), by
    activity.return_comment = ""
    with _as(by):
        activity.save(update_fields=["status", "submitted_at", "submitted_by", "return_comment",
                                     "updated_at"])
        recompute_credits(activity)
        _revision(activity, by, "branchwork.submit")
    return activity


@transaction.atomic
def minutes_return(*, by, activity: Activity, comment: str) -> Activity:
    """The host sends the minutes back to the recorder, saying why."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should change.")})
    _lock(activity, (ActivityStatus.SUBMITTED,),
          _("Only submitted minutes can be sent back; these are %(status)s."))
    activity.status = ActivityStatus.HELD
    activity.return_comment = comment.strip()
    with _as(by):
        activity.save(update_fields=["status", "return_comment", "updated_at"])
        _revision(activity, by, "branchwork.return")
    return activity


@transaction.atomic
def minutes_approve(*, by, activity: Activity, skip_checks: bool = False) -> Activity:
    """The host approves the submitted minutes; the record locks.

    A record that fails a consistency check (`activities.checks`) is refused with every failure,
    each naming the person and the rule. The checks are skipped only when `skip_checks` is passed
    or the writer is a loader listed in `checks.SKIPPED_FOR_SOURCES` (the demo's loader, whose
    records predate the checks); views, the API, commands and the importer are never skipped.
    """
    from branchwork.activities import checks

    _lock(activity, (ActivityStatus.SUBMITTED,),
          _("Only submitted minutes can be approved; these are %(status)s."))
    if not skip_checks and audit.current_actor().source not in checks.SKIPPED_FOR_SOURCES:
        failures = checks.run(activity)
        if failures:
            raise ValidationError([f.message for f in failures])
    activity.status = ActivityStatus.LOCKED
    activity.locked_at, activity.locked_by = timezone.now(), by
    with _as(by):
        activity.save(update_fields=["status", "locked_at", "locked_by", "updated_at"])
        recompute_credits(activity)
        _revision(activity, by, "branchwork.approve")
    return activity


@transaction.atomic
def activity_amend(
    *, by, activity: Activity, reason: str, changes: dict | None = None,
    marks: dict[int, tuple[str, str]] | None = None, resolutions: Sequence[dict] | None = None,
    version: int | None = None,
) -> Amendment:
    """Change a locked record, logging who, when, why and what.

    What is logged is data (see branchwork.activities.amendments): each changed field with its
    old and new value, people as ids, attendance as status and reason, so that every reader
    sees it in their own language."""
    from branchwork.activities.amendments import to_json

    if not reason.strip():
        raise ValidationError({"reason": _("An amendment needs a reason.")})
    changes = dict(changes or {})
    unknown = set(changes) - set(AMENDABLE_FIELDS)
    if unknown:
        raise TypeError(f"activity_amend() cannot change {', '.join(sorted(unknown))}")
    _lock(activity, (ActivityStatus.LOCKED,),
          _("Only a locked record is amended; this one is %(status)s: edit the draft directly."))
    _check_version(activity, version)
    if "minutes" in changes:
        changes["minutes"] = clean_rich_text(changes["minutes"])
    diff: list[dict] = []
    for name, value in changes.items():
        old = getattr(activity, name)
        if isinstance(value, str) and name != "minutes":
            value = value.strip()
        if old != value:
            if name in VERSIONED_FIELDS:
                activity.minutes_version += 1
            diff.append({"field": name, "old": to_json(name, old), "new": to_json(name, value)})
            setattr(activity, name, value)
    if marks:
        rows = {a.pk: a for a in activity.attendance.select_related("person")}
        for pk, (status, why) in marks.items():
            row = rows.get(pk)
            if row is None or status not in AttendanceStatus.values:
                raise ValidationError(_("No such attendee in this activity."))
            why = (why or "").strip() if status in (AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT) else ""
            if (row.status, row.reason) != (status, why):
                entry = {"field": "attendance", "person": row.person_id,
                         "old": {"status": row.status, "reason": row.reason},
                         "new": {"status": status, "reason": why}}
                if row.person_id is None:
                    entry["name"] = row.name
                row.status, row.reason = status, why
                row.marked_via, row.marked_at = MarkedVia.MANUAL, timezone.now()
                row.save(update_fields=["status", "reason", "marked_via", "marked_at"])
                diff.append(entry)
    if resolutions is not None:
        old = [r.text for r in activity.resolutions.all()]
        new = [(r.get("text") or "").strip() for r in resolutions if (r.get("text") or "").strip()]
        _replace_resolutions(activity, resolutions)
        if old != new:
            diff.append({"field": "resolutions", "old": old, "new": new})
            activity.minutes_version += 1
    if not diff:
        raise ValidationError(_("Nothing was changed."))
    activity.full_clean(exclude=["latest_revision"])
    _check_yearly_fields(activity, activity.type_codes)
    with _as(by):
        activity.save()
        amendment = Amendment.objects.create(
            activity=activity, by=by if getattr(by, "is_authenticated", False) else None,
            by_name=_user_name(by) or "system", reason=reason.strip(), entries=diff,
        )
        recompute_credits(activity)
        _revision(activity, by, "branchwork.amend")
    return amendment


# --- Attachments ---


@transaction.atomic
def attachment_add(*, by, activity: Activity, kind: str, file, caption: str = "") -> Attachment:
    _lock(activity, OPEN_STATES, _LOCKED_MESSAGE)
    name = getattr(file, "name", "file").rsplit("/", 1)[-1][:200]
    row = Attachment(activity=activity, kind=kind, file=file, filename=name, caption=caption.strip(),
                     order=activity.attachments.filter(kind=kind).count(),
                     uploaded_by=by if getattr(by, "is_authenticated", False) else None)
    row.full_clean(exclude=["activity", "file"])
    with _as(by):
        row.save()
    return row


@transaction.atomic
def attachment_remove(*, by, attachment: Attachment) -> None:
    _lock(attachment.activity, OPEN_STATES, _LOCKED_MESSAGE)
    with _as(by):
        attachment.delete()
    transaction.on_commit(lambda: attachment.file.delete(save=False))


# --- The year plan ---


def _plan_date(period, index_in_period: int, count: int, today: datetime.date) -> datetime.date:
    """Spread `count` activities over what is left of the period (mid-month, mid-quarter…)."""
    start = max(period.start, today + datetime.timedelta(days=1))
    span = (period.end - start).days + 1
    offset = int(span * (index_in_period + 1) / (count + 1))
    day = start + datetime.timedelta(days=offset)
    while day.weekday() >= 5:  # weekdays only
        day += datetime.timedelta(days=1)
    if day > period.end:
        day = period.end
    return day


def _yearly_span(activity_type, period, today: datetime.date):
    """Where the plan puts a yearly record: in the fourth quarter, as the regulations advise for
    the organizational life meeting; a type that must come before another (heart-to-heart talks)
    in its first half, the others from mid-November."""
    from branchwork.rulebook.compliance import Period

    year = period.year
    if activity_type.before:
        span = Period(datetime.date(year, 10, 1), datetime.date(year, 11, 10), "year", year, 1)
    else:
        span = Period(datetime.date(year, 11, 11), datetime.date(year, 12, 31), "year", year, 1)
    return span if span.end > today else period  # late in the year: what is left of it


@transaction.atomic
def year_plan_generate(
    *, by, organization: Organization, year: int, today: datetime.date | None = None,
) -> list[Activity]:
    """Planned activities for the year from the rulebook, on proposed dates to confirm.

    Idempotent: a period that already has (planned or held) activities of a type gets only what
    is still missing. Group meetings are planned for each Party group under a branch.
    """
    from branchwork.rulebook.compliance import periods_of_year

    rulebook = get_rulebook()
    targets = [organization]
    if organization.kind in (OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH):
        targets += list(organization.get_children().filter(kind=OrganizationKind.GROUP, is_active=True))
    tz = timezone.get_current_timezone()
    today = today or timezone.localdate()
    have: dict[tuple[int, str], list[datetime.date]] = {}
    for credit in Credit.objects.filter(
        organization__in=targets, year=year,
    ).exclude(activity__status=ActivityStatus.CANCELLED).values_list("organization_id", "code", "on"):
        have.setdefault((credit[0], credit[1]), []).append(credit[2])
    created = []
    for org in targets:
        for t in rulebook.types_for(org.kind):
            if t.cadence is None:
                continue
            for period in periods_of_year(t.cadence.per, year):
                if period.end < today:
                    continue  # nothing to plan in a period that is over
                have_dates = have.get((org.pk, t.code), [])
                already = len(have_dates) if t.yearly else sum(1 for d in have_dates if d in period)
                span = _yearly_span(t, period, today) if t.yearly else period
                for i in range(already, t.cadence.count):
                    day = _plan_date(span, i, t.cadence.count, today)
                    starts = datetime.datetime.combine(day, datetime.time(14, 30), tzinfo=tz)
                    created.append(activity_schedule(
                        by=by, organization=org, types=[t.code],
                        title=f"{period.label} {t.name}", starts_at=starts,
                        date_confirmed=False, source=ActivitySource.PLAN, notify=False,
                        covers_year=year if t.yearly else None,
                    ))
    return created
