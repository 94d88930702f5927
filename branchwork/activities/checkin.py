"""Where an activity's QR check-in stands, for the pages that offer it (the window itself is
`services.check_in_window`; the write is `services.attendance_check_in`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from branchwork.activities.models import OPEN_STATES_FOR_CHECKIN, Activity
from branchwork.activities.services import check_in_window_from

NOT_YET, OPEN, CLOSED = "not_yet", "open", "closed"


@dataclass(frozen=True)
class CheckInState:
    state: str
    opens: datetime.datetime
    closes: datetime.datetime

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    @property
    def not_yet(self) -> bool:
        return self.state == NOT_YET


def state(activity: Activity, now: datetime.datetime | None = None) -> CheckInState:
    """Open only inside the window and while the record is a draft; before it, when it opens."""
    return state_of(activity.local_start, activity.status, now)


def state_of(start: datetime.datetime, status: str, now: datetime.datetime | None = None) -> CheckInState:
    """`state` of an activity starting at `start` (local time) whose record is in `status`."""
    now = now or timezone.now()
    opens, closes = check_in_window_from(start)
    if status not in OPEN_STATES_FOR_CHECKIN or now > closes:
        return CheckInState(CLOSED, opens, closes)
    if now < opens:
        return CheckInState(NOT_YET, opens, closes)
    return CheckInState(OPEN, opens, closes)
