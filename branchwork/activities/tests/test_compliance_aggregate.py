"""The committee table's aggregate path (counts grouped by the database, statuses from the
counts) against the per-organization evaluation it replaced (every credit read as a model
instance, dated, and evaluated one organization at a time), on varied records: draft, submitted,
locked, amended and cancelled activities, quorum missed, records on both sides of a year's and a
quarter's edge, a yearly record covering the year before, talks before and after the meeting
they must precede, a general branch's joint activities, membership that changes during the year,
and a rulebook changed as of a date. Then: the queries stay the same as branches grow tenfold."""

import datetime
from collections import defaultdict

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from branchwork.activities import selectors, services
from branchwork.activities.models import ActivityStatus, AttendanceStatus, Credit
from branchwork.activities.testing import at, held_activity
from branchwork.core.models import Membership, OrganizationKind, Role
from branchwork.core.testing import PersonFactory, build_personas, give_role, make_org
from branchwork.rulebook.compliance import Tally, evaluate
from branchwork.rulebook.loader import get_rulebook

pytestmark = pytest.mark.django_db

D = datetime.date
TODAYS = [D(2025, 1, 1), D(2025, 3, 28), D(2025, 6, 30), D(2025, 12, 26), D(2026, 1, 1),
          D(2026, 1, 5), D(2026, 3, 31), D(2026, 4, 1), D(2026, 6, 26), D(2026, 9, 15),
          D(2026, 12, 31), D(2027, 2, 1)]


def per_organization(org, year: int, today: datetime.date) -> list:
    """The evaluation as it was before the counts moved into the database: this organization's
    credits read one by one (with their activity), their dates sorted into held, planned and
    held without quorum, then evaluated."""
    dates: dict[str, dict[str, list]] = defaultdict(lambda: {"held": [], "planned": [],
                                                             "without_quorum": []})
    for credit in Credit.objects.filter(organization=org).select_related("activity"):
        if credit.activity.status == ActivityStatus.CANCELLED or credit.year != year:
            continue
        kind = "held" if credit.counted else "without_quorum" if credit.held else "planned"
        dates[credit.code][kind].append(credit.on)
    tallies = {code: Tally.of_dates(**d) for code, d in dates.items()}
    return evaluate(rulebook=get_rulebook(), org_kind=org.kind, year=year, tallies=tallies,
                    today=today)


def shape(types) -> list:
    return [(t.type.code, [(c.period.key, c.required, c.held, c.planned, c.without_quorum,
                            c.status) for c in t.cells]) for t in types]


def assert_same(orgs, years=(2025, 2026), todays=TODAYS) -> int:
    compared = 0
    for year in years:
        for today in todays:
            table = selectors.compliance(orgs, year, today=today)
            assert [r.organization.pk for r in table] == [o.pk for o in orgs]
            for row, org in zip(table, orgs):
                assert shape(row.types) == shape(per_organization(org, year, today)), \
                    (org.code, year, today)
                compared += sum(len(t.cells) for t in row.types)
    return compared


@pytest.fixture
def world():
    p = build_personas()
    give_role(p.people.carol, p.branch_b, Role.SECRETARY)
    for name in "甲乙丙丁":
        give_role(PersonFactory(name=name), p.branch_a)
    gb = make_org("gb", OrganizationKind.GENERAL_BRANCH, "总支部", p.committee)
    one = make_org("gb-one", OrganizationKind.BRANCH, "第一支部", gb)
    two = make_org("gb-two", OrganizationKind.BRANCH, "第二支部", gb)
    for name, branch in (("戊", one), ("己", one), ("庚", two)):
        give_role(PersonFactory(name=name), branch)
    give_role(p.people.alice, gb, Role.SECRETARY)
    p.gb, p.one, p.two = gb, one, two
    return p


def varied_records(p) -> None:
    a, b = p.branch_a, p.branch_b
    alice, carol = p.people.alice, p.people.carol

    def held(by, **kwargs):
        signers = alice if by == p.alice else carol
        return held_activity(by=by, host=signers, recorder=signers, agenda="学习文件",
                             lecturer_name="讲课人", **kwargs)

    # Locked, across the year's edge in Shanghai (stored the day before in UTC).
    held(p.alice, organization=a, types=["theme_day", "collective_study"],
         starts_at=at(2025, 12, 31, 23, 30), lock=True)
    held(p.alice, organization=a, types=["theme_day"], starts_at=at(2026, 1, 1, 0, 30),
         lock=True)
    # Across a quarter's edge.
    held(p.alice, organization=a, types=["general_meeting"],
         starts_at=at(2026, 3, 31, 23, 30), lock=True)
    held(p.alice, organization=a, types=["general_meeting"],
         starts_at=at(2026, 4, 1, 0, 30))  # a draft: held, minutes not submitted
    # Quorum missed: most of the branch absent from a general meeting.
    absent = {m.person: (AttendanceStatus.ABSENT, "")
              for m in Membership.objects.filter(organization=a, role=Role.MEMBER)
              .exclude(person=p.people.alice).select_related("person")}
    held(p.alice, organization=a, types=["general_meeting"],
         starts_at=at(2026, 8, 12), absent=absent, lock=True)
    # Submitted, not yet approved.
    submitted = held(p.alice, organization=a, types=["party_lecture"],
                     starts_at=at(2026, 5, 20))
    services.minutes_submit(by=p.alice, activity=submitted)
    # Locked, then amended into another month and another quarter.
    moved = held(p.alice, organization=a, types=["theme_day", "party_lecture"],
                 starts_at=at(2026, 6, 30, 10, 0), lock=True)
    services.activity_amend(by=p.alice, activity=moved, reason="日期记错",
                            changes={"starts_at": at(2026, 7, 2, 10, 0)})
    # Planned, and planned then cancelled.
    services.activity_schedule(by=p.alice, organization=a, types=["theme_day"], title="计划",
                               starts_at=at(2026, 11, 12), notify=False)
    services.activity_schedule(by=p.alice, organization=a, types=["collective_study"],
                               title="计划", starts_at=at(2027, 1, 8), notify=False)
    cancelled = services.activity_schedule(by=p.alice, organization=a, types=["theme_day"],
                                           title="取消", starts_at=at(2026, 10, 15), notify=False)
    services.activity_cancel(by=p.alice, activity=cancelled)
    # Talks before and after the meeting they must precede; the year's meeting held in January
    # of the next year, for the year before.
    held(p.alice, organization=a, types=["heart_to_heart"], starts_at=at(2025, 11, 20),
         lock=True)
    held(p.alice, organization=a, types=["org_life_meeting", "democratic_appraisal"],
         starts_at=at(2025, 12, 10), lock=True)
    held(p.alice, organization=a, types=["heart_to_heart"], starts_at=at(2025, 12, 15))
    held(p.alice, organization=a, types=["org_life_meeting"],
         starts_at=at(2026, 1, 6), covers_year=2025)
    held(p.alice, organization=a, types=["heart_to_heart"], starts_at=at(2026, 10, 20),
         lock=True)
    held(p.alice, organization=a, types=["org_life_meeting"], starts_at=at(2026, 11, 10))
    # Branch B: a member leaves during the year (the quorum's base is who belonged that day).
    held(p.carol, organization=b, types=["general_meeting"], starts_at=at(2026, 2, 10),
         lock=True)
    Membership.objects.filter(organization=b, person=p.people.carol, role=Role.MEMBER).update(
        end_on=D(2026, 6, 30))
    give_role(PersonFactory(name="辛"), b, start_on=D(2026, 7, 1))
    held(p.carol, organization=b, types=["general_meeting", "theme_day"],
         starts_at=at(2026, 9, 3), lock=True)
    # A general branch: its study counts for the branches under it (joint), its general
    # meeting only for itself; a branch's own meeting co-organized by the general branch.
    held(p.alice, organization=p.gb, types=["collective_study", "general_meeting"],
         starts_at=at(2026, 6, 10), lock=True)
    held(p.alice, organization=p.gb, types=["theme_day"], starts_at=at(2026, 2, 14),
         co_organizers=[p.one])


def test_the_aggregate_path_gives_what_the_per_organization_evaluation_gives(world):
    varied_records(world)
    orgs = [*selectors.branches_under(world.committee), world.group_a1]
    assert {o.code for o in orgs} >= {"branch-a", "branch-b", "gb", "gb-one", "gb-two"}
    # The records above did land where they were meant to (the comparison is not vacuous).
    assert Credit.objects.filter(organization=world.branch_a, held=True, counted=False).exists()
    assert Credit.objects.filter(organization=world.one, code="collective_study").exists()
    assert Credit.objects.filter(organization=world.branch_a, year=2025, on__year=2026,
                                 code="org_life_meeting").exists()
    assert assert_same(orgs) > 1000


def test_the_same_under_a_rulebook_changed_as_of_a_date(world, tmp_path, settings):
    varied_records(world)
    text = settings.RULEBOOK_PATH.read_text(encoding="utf-8")
    changed = (text.replace("cadence: {count: 1, per: quarter}", "cadence: {count: 2, per: quarter}", 1)
               .replace("cadence: {count: 1, per: month}", "cadence: {count: 1, per: quarter}", 1))
    assert changed != text
    path = tmp_path / "changed.yaml"
    path.write_text(changed, encoding="utf-8")
    orgs = list(selectors.branches_under(world.committee))
    with override_settings(RULEBOOK_PATH=path):
        assert get_rulebook().types["general_meeting"].cadence.count == 2
        assert assert_same(orgs, years=(2026,), todays=[D(2026, 4, 1), D(2026, 9, 28)]) > 100


def test_the_table_costs_the_same_queries_for_ten_times_the_branches(world, login):
    def add_branches(n, prefix, name):
        for i in range(n):
            branch = make_org(f"{prefix}-{i:03d}", OrganizationKind.BRANCH, f"{name}{i:03d}支部",
                              world.committee)
            give_role(PersonFactory(name=f"党员{name}{i}"), branch)
            if i % 4:
                continue
            held_activity(by=world.alice, organization=branch, types=["theme_day"],
                          starts_at=at(2026, 1 + i % 10, 9))

    def costs():
        branches = list(selectors.branches_under(world.committee))
        with CaptureQueriesContext(connection) as selector:
            selectors.compliance(branches, 2026, today=D(2026, 12, 1))
        client = login(world.admin)
        with CaptureQueriesContext(connection) as page:
            assert client.get("/orgs/cmte/compliance/branches/?year=2026").status_code == 200
        with CaptureQueriesContext(connection) as export:
            assert client.get("/orgs/cmte/compliance/branches/export.xlsx?year=2026").status_code == 200
        return len(branches), len(selector), len(page), len(export)

    add_branches(3, "few", "少")
    few = costs()
    add_branches(9 * few[0], "many", "多")
    many = costs()
    assert many[0] == 10 * few[0] and many[1:] == few[1:]
