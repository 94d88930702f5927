"""The cadence and compliance engine: pure functions over dates and counts, no database.

Periods follow the calendar (month, quarter, year) of the deployment's time zone; callers pass
local dates (an activity at 23:30 on 31 March in Asia/Shanghai is on 31 March, so in Q1).

For one organization, type and period: `required` (from the cadence), `held` (activities that
count: held, and with quorum where the type has one), `planned` (scheduled, not yet held) and a
status:

- met       held ≥ required
- overdue   the period has ended and held < required
- at_risk   the period ends within the rulebook's at-risk window and held < required
- due       the period is running and held < required
- upcoming  the period has not started yet
"""

from __future__ import annotations

import calendar
import datetime
import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branchwork.rulebook.loader import ActivityType, Rulebook

MET, DUE, OVERDUE, AT_RISK, UPCOMING = "met", "due", "overdue", "at_risk", "upcoming"
STATUS_LABELS = {
    MET: pgettext_lazy("compliance", "met"),
    DUE: pgettext_lazy("compliance", "due"),
    OVERDUE: pgettext_lazy("compliance", "overdue"),
    AT_RISK: pgettext_lazy("compliance", "at risk"),
    UPCOMING: pgettext_lazy("compliance", "upcoming"),
}
# Worst first: a summary shows the worst status among the periods that matter.
SEVERITY = {OVERDUE: 0, AT_RISK: 1, DUE: 2, MET: 3, UPCOMING: 4}
PER_LABELS = {
    "month": _("a month"),
    "quarter": _("a quarter"),
    "year": _("a year"),
}


@dataclass(frozen=True, order=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive
    per: str
    year: int
    index: int  # month 1–12, quarter 1–4, year 1

    @property
    def key(self) -> str:
        if self.per == "month":
            return f"{self.year}-{self.index:02d}"
        if self.per == "quarter":
            return f"{self.year}-Q{self.index}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.per == "month":
            return _("%(year)s-%(month)02d") % {"year": self.year, "month": self.index}
        if self.per == "quarter":
            return _("Q%(quarter)s %(year)s") % {"year": self.year, "quarter": self.index}
        return str(self.year)

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def period_containing(per: str, day: datetime.date) -> Period:
    if per == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return Period(day.replace(day=1), day.replace(day=last), per, day.year, day.month)
    if per == "quarter":
        q = (day.month - 1) // 3 + 1
        start = datetime.date(day.year, 3 * q - 2, 1)
        end_month = 3 * q
        end = datetime.date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
        return Period(start, end, per, day.year, q)
    if per == "year":
        return Period(datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31), per, day.year, 1)
    raise ValueError(f"unknown period {per!r}")


@functools.lru_cache(maxsize=256)
def periods_of_year(per: str, year: int) -> tuple[Period, ...]:
    n = {"month": 12, "quarter": 4, "year": 1}[per]
    step = {"month": 1, "quarter": 3, "year": 12}[per]
    return tuple(period_containing(per, datetime.date(year, 1 + i * step, 1)) for i in range(n))


def status(*, required: int, held: int, period: Period, today: datetime.date,
           at_risk_days: int) -> str:
    if held >= required:
        return MET
    if today > period.end:
        return OVERDUE
    if today < period.start:
        return UPCOMING
    if (period.end - today).days < at_risk_days:
        return AT_RISK
    return DUE


@dataclass(frozen=True)
class Cell:
    """One type in one period."""

    period: Period
    required: int
    held: int
    planned: int
    without_quorum: int
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class TypeCompliance:
    """One type over a year for one organization."""

    type: ActivityType
    cells: list[Cell]

    @property
    def required(self) -> int:
        return sum(c.required for c in self.cells)

    @property
    def held(self) -> int:
        return sum(min(c.held, c.required) for c in self.cells)

    @property
    def held_total(self) -> int:
        return sum(c.held for c in self.cells)

    @property
    def overdue(self) -> int:
        return sum(1 for c in self.cells if c.status == OVERDUE)

    def current(self, today: datetime.date) -> Cell | None:
        for c in self.cells:
            if today in c.period:
                return c
        return None

    def worst(self) -> str:
        """The worst status among periods that have started (UPCOMING only when none has)."""
        started = [c.status for c in self.cells if c.status != UPCOMING]
        if not started:
            return UPCOMING
        return min(started, key=SEVERITY.__getitem__)

    @property
    def worst_label(self) -> str:
        return STATUS_LABELS[self.worst()]


@dataclass(frozen=True)
class Tally:
    """What the records say for one organization and type, counted by month of the local date:
    held (with quorum where the type has one), planned, and held without quorum. They count for
    the year evaluated (a yearly record by the year it covers, 所属年度, so its month may fall in
    the next year: a yearly type has one period, the year, and counts every month).

    `held_dates` are the held activities' dates, kept only where a rule orders records by date
    (a type that must precede another, and that other type); None elsewhere."""

    held: Mapping[int, int] = field(default_factory=dict)
    planned: Mapping[int, int] = field(default_factory=dict)
    without_quorum: Mapping[int, int] = field(default_factory=dict)
    held_dates: tuple[datetime.date, ...] | None = None

    @classmethod
    def of_dates(cls, *, held=(), planned=(), without_quorum=()) -> Tally:
        """A tally of dated records (tests, and callers that have the dates anyway)."""
        def months(days):
            return dict(Counter(d.month for d in days))
        return cls(held=months(held), planned=months(planned),
                   without_quorum=months(without_quorum), held_dates=tuple(sorted(held)))


def _per_period(counts: Mapping[int, int], per: str) -> tuple[int, ...]:
    """`counts` (by month) summed into the year's periods of `per`, in order."""
    if not counts:
        return _NONE[per]
    if per == "month":
        return tuple(counts.get(m, 0) for m in range(1, 13))
    if per == "quarter":
        get = counts.get
        return tuple(get(m, 0) + get(m + 1, 0) + get(m + 2, 0) for m in (1, 4, 7, 10))
    return (sum(counts.values()),)


_NONE = {"month": (0,) * 12, "quarter": (0,) * 4, "year": (0,)}


@functools.lru_cache(maxsize=8192)
def _cell(period: Period, required: int, held: int, planned: int, without_quorum: int,
          today: datetime.date, at_risk_days: int) -> Cell:
    """One cell: the same counts in the same period on the same day are the same (frozen) cell,
    so a committee of a thousand branches builds each distinct one once."""
    return Cell(period=period, required=required, held=held, planned=planned,
                without_quorum=without_quorum,
                status=status(required=required, held=held, period=period, today=today,
                              at_risk_days=at_risk_days))


def evaluate(
    *,
    rulebook: Rulebook,
    org_kind: str,
    year: int,
    tallies: Mapping[str, Tally],
    today: datetime.date,
    only: Iterable[str] | None = None,
) -> list[TypeCompliance]:
    """Compliance of one organization for one year, per type with a cadence that applies to it."""
    wanted = set(only) if only is not None else None
    result = []
    empty = Tally()
    for activity_type in rulebook.types_for(org_kind):
        if activity_type.cadence is None:
            continue
        if wanted is not None and activity_type.code not in wanted:
            continue
        tally = tallies.get(activity_type.code, empty)
        per = activity_type.cadence.per
        held = tally.held
        if activity_type.before and tally.held_dates is not None:
            # Only those held on or before the first of the type they must precede count.
            first = min(tallies.get(activity_type.before, empty).held_dates or (), default=None)
            if first is not None:
                held = dict(Counter(d.month for d in tally.held_dates if d <= first))
        required = activity_type.cadence.count
        at_risk_days = rulebook.at_risk_days.get(per, 0)
        cells = [
            _cell(period, required, n, planned, without_quorum, today, at_risk_days)
            for period, n, planned, without_quorum in zip(
                periods_of_year(per, year), _per_period(held, per),
                _per_period(tally.planned, per), _per_period(tally.without_quorum, per))
        ]
        result.append(TypeCompliance(type=activity_type, cells=cells))
    return result
