"""Compliance at period edges, multi-type and joint activities, quorum, the committee table."""

import datetime

import pytest

from branchwork.activities import selectors, services
from branchwork.activities.models import ActivityStatus, AttendanceStatus, Credit
from branchwork.activities.testing import at, held_activity
from branchwork.core.models import Role
from branchwork.core.testing import PersonFactory, build_personas, give_role
from branchwork.rulebook.compliance import AT_RISK, DUE, MET, OVERDUE, UPCOMING

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return build_personas()


def cell(org, year, code, per_index, today):
    result = selectors.compliance([org], year, today=today)[0].by_code()[code]
    return result.cells[per_index - 1]


def test_activity_at_2330_on_31_march_counts_for_q1(p):
    held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                  starts_at=at(2026, 3, 31, 23, 30))
    # Stored in UTC this is 15:30 on 31 March; in Asia/Shanghai it is still Q1.
    q1 = cell(p.branch_a, 2026, "general_meeting", 1, datetime.date(2026, 4, 10))
    q2 = cell(p.branch_a, 2026, "general_meeting", 2, datetime.date(2026, 4, 10))
    assert (q1.held, q1.status) == (1, MET)
    assert (q2.held, q2.status) == (0, DUE)


def test_activity_at_0030_on_1_april_counts_for_q2_not_q1(p):
    # 00:30 on 1 April in Shanghai is 16:30 on 31 March in UTC.
    held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                  starts_at=at(2026, 4, 1, 0, 30))
    today = datetime.date(2026, 4, 10)
    assert cell(p.branch_a, 2026, "general_meeting", 1, today).status == OVERDUE
    assert cell(p.branch_a, 2026, "general_meeting", 2, today).status == MET


def test_statuses_due_at_risk_overdue_upcoming(p):
    held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                  starts_at=at(2026, 5, 12))
    today = datetime.date(2026, 6, 26)  # June ends within the 7-day window
    months = selectors.compliance([p.branch_a], 2026, today=today)[0].by_code()["theme_day"].cells
    assert months[3].status == OVERDUE  # April
    assert months[4].status == MET  # May
    assert months[5].status == AT_RISK  # June, 4 days left
    assert months[6].status == UPCOMING  # July
    assert cell(p.branch_a, 2026, "theme_day", 6, datetime.date(2026, 6, 10)).status == DUE


def test_one_activity_counts_for_two_types(p):
    held_activity(by=p.alice, organization=p.branch_a, types=["theme_day", "collective_study"],
                  starts_at=at(2026, 9, 8))
    today = datetime.date(2026, 9, 30)
    assert cell(p.branch_a, 2026, "theme_day", 9, today).status == MET
    assert cell(p.branch_a, 2026, "collective_study", 9, today).status == MET


def test_joint_activity_counts_for_each_co_organizing_branch(p):
    activity = held_activity(
        by=p.alice, organization=p.branch_a, types=["joint_activity", "theme_day"],
        co_organizers=[p.branch_b, p.outside], starts_at=at(2026, 10, 20),
    )
    today = datetime.date(2026, 10, 31)
    assert cell(p.branch_a, 2026, "theme_day", 10, today).status == MET
    assert cell(p.branch_b, 2026, "theme_day", 10, today).status == MET
    # Carol (branch B) was expected through her own branch; the brother unit's branch is not ours.
    expected = {a.person.name: a.organization.code for a in activity.attendance.select_related("person", "organization")}
    assert expected == {"李爱丽": "branch-a", "王博": "branch-a", "陈可乐": "branch-b"}
    assert Credit.objects.filter(activity=activity, organization=p.outside, code="joint_activity").exists()


def test_general_meeting_without_quorum_is_recorded_but_not_counted(p):
    # Branch A: Alice, Bob and three more full members; only two of five come.
    extra = [PersonFactory(name=f"党员{i}") for i in range(3)]
    for person in extra:
        give_role(person, p.branch_a, Role.MEMBER)
    activity = held_activity(
        by=p.alice, organization=p.branch_a, types=["general_meeting", "theme_day"],
        starts_at=at(2026, 11, 3), present={p.people.alice, p.people.bob},
    )
    assert activity.status == ActivityStatus.HELD
    today = datetime.date(2026, 11, 10)
    gm = cell(p.branch_a, 2026, "general_meeting", 4, today)
    assert (gm.held, gm.without_quorum, gm.status) == (0, 1, DUE)
    # The same activity still counts as the month's theme day (no quorum rule there).
    assert cell(p.branch_a, 2026, "theme_day", 11, today).status == MET
    report = services.quorum_report(activity)
    assert [(r["present"], r["base"], r["met"]) for r in report] == [(2, 5, False)]


def test_general_meeting_quorum_counts_only_voting_members(p):
    # Three probationary members do not vote: 2 of 2 voting members present is a quorum.
    for i in range(3):
        give_role(PersonFactory(name=f"预备党员{i}", membership_status="probationary"), p.branch_a)
    held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                  starts_at=at(2026, 2, 3), present={p.people.alice, p.people.bob})
    assert cell(p.branch_a, 2026, "general_meeting", 1, datetime.date(2026, 2, 10)).status == MET


def test_excused_member_with_makeup_study(p):
    activity = held_activity(
        by=p.alice, organization=p.branch_a, types=["collective_study"], starts_at=at(2026, 3, 3),
        absent={p.people.bob: (AttendanceStatus.EXCUSED, "出差")},
    )
    row = activity.attendance.get(person=p.people.bob)
    assert (row.status, row.reason) == ("excused", "出差")
    services.makeup_record(by=p.alice, attendance=row, on=datetime.date(2026, 3, 9), note="自学材料")
    row.refresh_from_db()
    assert row.makeup_on == datetime.date(2026, 3, 9)


def test_planned_and_cancelled_activities_do_not_count(p):
    services.activity_schedule(by=p.alice, organization=p.branch_a, types=["theme_day"],
                               title="计划中", starts_at=at(2026, 12, 15), notify=False)
    dec = cell(p.branch_a, 2026, "theme_day", 12, datetime.date(2026, 12, 1))
    assert (dec.held, dec.planned, dec.status) == (0, 1, DUE)
    planned = services.activity_schedule(by=p.alice, organization=p.branch_a, types=["theme_day"],
                                         title="取消", starts_at=at(2026, 12, 16), notify=False)
    services.activity_cancel(by=p.alice, activity=planned)
    assert cell(p.branch_a, 2026, "theme_day", 12, datetime.date(2026, 12, 1)).planned == 1


def test_group_meetings_count_per_group(p):
    held_activity(by=p.alice, organization=p.group_a1, types=["group_meeting"],
                  starts_at=at(2026, 1, 20))
    rows = selectors.compliance(selectors.org_and_groups(p.branch_a), 2026,
                                today=datetime.date(2026, 1, 25))
    assert [r.organization.code for r in rows] == ["branch-a", "branch-a-g1"]
    assert "group_meeting" not in rows[0].by_code()
    assert rows[1].by_code()["group_meeting"].cells[0].status == MET


def test_committee_table_lists_every_branch(p):
    held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"], starts_at=at(2026, 1, 9))
    branches = list(selectors.branches_under(p.committee))
    assert [b.code for b in branches] == ["branch-a", "branch-b"]
    table = selectors.compliance(branches, 2026, today=datetime.date(2026, 2, 1))
    jan = {row.organization.code: row.by_code()["theme_day"].cells[0].status for row in table}
    assert jan == {"branch-a": MET, "branch-b": OVERDUE}


def test_year_plan_fills_what_is_missing_and_is_idempotent(p):
    services.activity_schedule(by=p.alice, organization=p.branch_a, types=["theme_day"],
                               title="一月主题党日", starts_at=at(2027, 1, 9), notify=False)
    created = services.year_plan_generate(by=p.alice, organization=p.branch_a, year=2027,
                                          today=datetime.date(2026, 12, 20))
    codes = [a.type_codes[0] for a in created]
    assert codes.count("theme_day") == 11  # January already has one planned
    assert codes.count("general_meeting") == 4
    assert codes.count("committee_meeting") == 12
    assert codes.count("group_meeting") == 12  # for the one Party group
    assert all(not a.date_confirmed and a.status == ActivityStatus.PLANNED for a in created)
    assert all(a.local_start.weekday() < 5 for a in created)
    assert services.year_plan_generate(by=p.alice, organization=p.branch_a, year=2027,
                                       today=datetime.date(2026, 12, 21)) == []


def test_year_plan_skips_periods_already_over(p):
    today = datetime.date(2026, 8, 14)
    created = services.year_plan_generate(by=p.alice, organization=p.branch_b, year=2026,
                                          today=today)
    # August's theme day is still to come (after today); the third quarter's meeting too.
    assert sorted({(a.type_codes[0], a.local_date.month) for a in created}) == sorted(
        {(code, month) for code in ("theme_day", "collective_study", "committee_meeting")
         for month in range(8, 13)}
        | {("general_meeting", 9), ("general_meeting", 11), ("party_lecture", 9),
           ("party_lecture", 11), ("heart_to_heart", 10), ("org_life_meeting", 12),
           ("democratic_appraisal", 12), ("secretary_lecture", 12), ("secretary_report", 12)})
    assert all(a.local_date > today for a in created)


def test_year_plan_places_yearly_records_in_the_fourth_quarter_covering_the_year(p):
    created = services.year_plan_generate(by=p.alice, organization=p.branch_b, year=2027,
                                          today=datetime.date(2026, 11, 20))
    yearly = {a.type_codes[0]: a for a in created
              if a.type_codes[0] in ("org_life_meeting", "democratic_appraisal", "heart_to_heart")}
    # Heart-to-heart talks mid Oct 1–Nov 10 (2027-10-21, a Thursday), the others mid Nov 11–Dec 31
    # (2027-12-06, a Monday): talks before the meeting, all in Q4, each for 2027.
    assert {c: (a.local_date, a.covers_year) for c, a in yearly.items()} == {
        "heart_to_heart": (datetime.date(2027, 10, 21), 2027),
        "org_life_meeting": (datetime.date(2027, 12, 6), 2027),
        "democratic_appraisal": (datetime.date(2027, 12, 6), 2027),
    }


def test_compliance_command_as_json_and_table(p):
    import json
    from io import StringIO

    from django.core.management import call_command

    held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"], starts_at=at(2026, 3, 31, 23, 30))
    out = StringIO()
    call_command("compliance", org="branch-a", year=2026, format="json", date="2026-04-02", stdout=out)
    data = json.loads(out.getvalue())
    branch = data["organizations"][0]
    assert branch["code"] == "branch-a" and data["organizations"][1]["code"] == "branch-a-g1"
    theme = next(t for t in branch["types"] if t["code"] == "theme_day")
    assert theme["name"] == "主题党日"
    march = next(x for x in theme["periods"] if x["period"] == "2026-03")
    assert (march["held"], march["status"]) == (1, "met")
    assert next(x for x in theme["periods"] if x["period"] == "2026-02")["status"] == "overdue"
    out = StringIO()
    call_command("compliance", org="cmte", year=2026, format="table", branches=True,
                 date="2026-04-02", stdout=out)
    text = out.getvalue()
    assert "研究室党支部 [branch-a]" in text and "综合处党支部 [branch-b]" in text
    assert "03:1/1✓" in text


def test_compliance_command_refuses_an_unknown_organization(p):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nope"):
        call_command("compliance", org="nope")
