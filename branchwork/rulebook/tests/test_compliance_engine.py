"""The cadence engine: calendar periods and statuses, without a database."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from branchwork.rulebook.compliance import (
    AT_RISK, DUE, MET, OVERDUE, UPCOMING, Tally, evaluate, period_containing, periods_of_year, status,
)
from branchwork.rulebook.loader import get_rulebook

D = datetime.date


def test_periods_follow_the_calendar():
    assert [p.key for p in periods_of_year("quarter", 2026)] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    q1 = period_containing("quarter", D(2026, 3, 31))
    assert (q1.start, q1.end) == (D(2026, 1, 1), D(2026, 3, 31))
    assert period_containing("month", D(2028, 2, 10)).end == D(2028, 2, 29)  # leap year
    assert period_containing("year", D(2026, 7, 1)).key == "2026"


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31)), st.sampled_from(["month", "quarter", "year"]))
def test_every_day_lies_in_exactly_one_period_of_its_year(day, per):
    containing = [p for p in periods_of_year(per, day.year) if day in p]
    assert containing == [period_containing(per, day)]


def test_status_edges():
    june = period_containing("month", D(2026, 6, 1))
    assert status(required=1, held=1, period=june, today=D(2026, 5, 1), at_risk_days=7) == MET
    assert status(required=1, held=0, period=june, today=D(2026, 5, 31), at_risk_days=7) == UPCOMING
    assert status(required=1, held=0, period=june, today=D(2026, 6, 23), at_risk_days=7) == DUE
    assert status(required=1, held=0, period=june, today=D(2026, 6, 24), at_risk_days=7) == AT_RISK
    assert status(required=1, held=0, period=june, today=D(2026, 6, 30), at_risk_days=7) == AT_RISK
    assert status(required=1, held=0, period=june, today=D(2026, 7, 1), at_risk_days=7) == OVERDUE
    assert status(required=2, held=1, period=june, today=D(2026, 7, 1), at_risk_days=7) == OVERDUE


def test_evaluate_counts_only_held_and_types_of_the_kind():
    tallies = {"theme_day": Tally.of_dates(held=(D(2026, 1, 5), D(2026, 1, 20)), planned=(D(2026, 2, 3),))}
    result = {t.type.code: t for t in evaluate(rulebook=get_rulebook(), org_kind="branch", year=2026,
                                                 tallies=tallies, today=D(2026, 2, 10))}
    assert "group_meeting" not in result and "joint_activity" not in result  # not for branches / no cadence
    theme = result["theme_day"]
    assert (theme.cells[0].held, theme.cells[0].status) == (2, MET)
    assert (theme.cells[1].planned, theme.cells[1].status) == (1, DUE)
    assert theme.held == 1 and theme.held_total == 2 and theme.required == 12
    assert theme.worst() == DUE
