"""Who was there at a demo record: presence, leave and absence drawn from the calendar."""


from __future__ import annotations

import math
import random

from branchwork.activities.demo.data import (
    ABSENCE_REASONS,
    FLAVOUR,
    GJC_REASONS,
    SUMMER_REASONS,
    General,
    Plan,
)
from branchwork.activities.models import (
    Activity,
    AttendanceRole,
    AttendanceStatus,
)

# --- Attendance ---


def _marks(plan: Plan, activity: Activity, rng: random.Random) -> dict:
    """Who came: nearly everyone; a few away with a reason; hosts and recorders always there.

    Committee meetings (quorum of the expected) and general meetings (of voting members) stay
    above half, unless the meeting is the one that fell short.
    """
    rows = list(activity.attendance.select_related("person").filter(role=AttendanceRole.EXPECTED))
    spec = plan.data.get("spec")
    # Whoever the record names as speaking, introducing or being decided about was there.
    always = {plan.host, plan.recorder, plan.lecturer, *getattr(spec, "speakers", ()),
              *plan.data.get("speakers", ())}
    if isinstance(spec, General):
        always |= spec.about
    short = isinstance(spec, General) and spec.without_quorum
    rate = {"committee": .06, "general": .07, "org_life": .04}.get(plan.kind, .08)
    reasons = ABSENCE_REASONS + (GJC_REASONS if FLAVOUR[plan.org] == "gjc" else [])
    if plan.kind == "general":
        pool = [r for r in rows if r.voting]
    else:
        pool = rows
    limit = (len(pool) - 1) // 2 if plan.kind in ("committee", "general") else len(pool)
    if isinstance(spec, General) and spec.election:
        # An election needs at least four fifths of the members with voting rights.
        limit = len(pool) - math.ceil(len(pool) * 4 / 5)
    counted = {r.pk for r in pool}
    away = 0
    marks = {}
    for row in rows:
        key = row.person.email.split("@")[0]
        if key in always:
            marks[row.pk] = (AttendanceStatus.PRESENT, "")
        elif key in plan.data.get("excused", {}):
            marks[row.pk] = (AttendanceStatus.EXCUSED, plan.data["excused"][key])
            away += 1
        elif key == plan.data.get("absent_without_reason"):
            marks[row.pk] = (AttendanceStatus.ABSENT, "")
            away += 1
        elif short and row.voting and away <= len(pool) // 2:
            marks[row.pk] = (AttendanceStatus.EXCUSED, rng.choice(SUMMER_REASONS))
            away += 1
        else:
            roll = rng.random()
            if roll < rate and (away < limit or row.pk not in counted):
                marks[row.pk] = (AttendanceStatus.EXCUSED, rng.choice(reasons))
                away += row.pk in counted
            elif roll < rate + .012 and plan.kind != "committee":
                marks[row.pk] = (AttendanceStatus.LATE, "")
            else:
                marks[row.pk] = (AttendanceStatus.PRESENT, "")
    return marks


