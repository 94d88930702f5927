"""Helpers for tests of activities and of what is built from them."""

import datetime
from zoneinfo import ZoneInfo

from branchwork.activities import services
from branchwork.activities.models import Activity, AttendanceStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 14, mm: int = 30) -> datetime.datetime:
    """A moment in Asia/Shanghai."""
    return datetime.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def held_activity(*, by, organization, types, starts_at, title="活动", present=None, absent=None,
                  host=None, recorder=None, co_organizers=(), minutes="会议记录。", lock=False,
                  **extra) -> Activity:
    """Schedule an activity in the past, mark attendance (everyone present unless listed in
    `absent` as {person: (status, reason)}), write minutes; optionally submit and lock.
    The place defaults to a meeting room: approval requires one (activities.checks)."""
    extra.setdefault("place", "党员活动室")
    activity = services.activity_schedule(
        by=by, organization=organization, types=types, title=title, starts_at=starts_at,
        host=host, recorder=recorder, co_organizers=co_organizers, notify=False, **extra,
    )
    absent = absent or {}
    marks = {}
    for row in activity.attendance.select_related("person"):
        if row.person in absent:
            marks[row.pk] = absent[row.person]
        elif present is None or row.person in present:
            marks[row.pk] = (AttendanceStatus.PRESENT, "")
        else:
            marks[row.pk] = (AttendanceStatus.ABSENT, "")
    if marks:
        services.attendance_mark(by=by, activity=activity, marks=marks)
    services.minutes_save(by=by, activity=activity, minutes=minutes)
    activity.refresh_from_db()
    if lock:
        services.minutes_submit(by=by, activity=activity)
        services.minutes_approve(by=by, activity=activity)
        activity.refresh_from_db()
    return activity
