"""Attendance: marks, check-in, additions, speakers and make-ups."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.activities.models import (
    PRESENT_STATES,
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    MarkedVia,
    Speaking,
)
from branchwork.activities.services.common import OPEN_STATES, _as, _lock
from branchwork.activities.services.expected import recompute_credits
from branchwork.core import audit
from branchwork.core import selectors as core_selectors
from branchwork.core.conflicts import lock_for_update
from branchwork.core.models import (
    Person,
)

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
    return check_in_window_from(activity.local_start)


def check_in_window_from(start: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """`check_in_window` of an activity starting at `start` (local time)."""
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


