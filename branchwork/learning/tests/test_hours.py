"""Training hours are counted from the records: attendance at training activities (once per
activity, however many training types it has), recorded courses and approved external training;
they follow amended attendance; what is required follows the roles held in the year."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from branchwork.activities import services as activity_services
from branchwork.activities.models import AttendanceStatus
from branchwork.core.models import Role
from branchwork.core.testing import give_role
from branchwork.learning import selectors, services
from branchwork.learning.testing import study_session

pytestmark = pytest.mark.django_db
YEAR = 2026


def _hours(person, year=YEAR):
    return selectors.person_hours(person, year)


def test_an_activity_of_two_training_types_counts_its_hours_once(personas):
    study_session(by=personas.alice, organization=personas.branch_a, day=(2026, 3, 10), minutes=90,
                  types=["collective_study", "party_lecture"])
    assert _hours(personas.people.bob).study == Decimal("1.5")


def test_only_training_types_held_and_attended_count(personas):
    bob = personas.people.bob
    study_session(by=personas.alice, organization=personas.branch_a, day=(2026, 3, 10), minutes=120)
    # A theme day is not a training type in the default rulebook.
    study_session(by=personas.alice, organization=personas.branch_a, day=(2026, 4, 10), minutes=180,
                  types=["theme_day"])
    # Bob was excused from this one: it earns him nothing.
    study_session(by=personas.alice, organization=personas.branch_a, day=(2026, 5, 10), minutes=60,
                  absent={bob: (AttendanceStatus.EXCUSED, "出差")})
    # Another year's study counts for that year.
    study_session(by=personas.alice, organization=personas.branch_a, day=(2025, 12, 30), minutes=60)
    assert _hours(bob).study == Decimal("2.0")
    assert _hours(bob, 2025).study == Decimal("1.0")
    assert _hours(personas.people.alice).study == Decimal("3.0")


def test_hours_follow_amended_attendance(personas):
    bob = personas.people.bob
    activity = study_session(by=personas.alice, organization=personas.branch_a, day=(2026, 6, 2),
                             minutes=150, lock=True, host=personas.people.alice,
                             recorder=personas.people.alice)
    assert _hours(bob).study == Decimal("2.5")
    row = activity.attendance.get(person=bob)
    activity_services.activity_amend(by=personas.alice, activity=activity, reason="王博当天请假，记录有误",
                                     marks={row.pk: (AttendanceStatus.EXCUSED, "出差")})
    assert _hours(bob).study == Decimal("0")
    activity_services.activity_amend(by=personas.alice, activity=activity, reason="核实后确已到会",
                                     marks={row.pk: (AttendanceStatus.PRESENT, "")})
    assert _hours(bob).study == Decimal("2.5")


def test_courses_and_approved_external_training_add_their_hours(personas):
    bob = personas.people.bob
    services.course_record(by=personas.alice, organization=personas.branch_a, title="党务干部培训班",
                           starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2026, 4, 3),
                           hours=Decimal("16"), participants=[bob])
    submitted = services.training_submit(
        by=personas.bob, person=bob, organization=personas.branch_a, title="党校专题班",
        provider="区委党校", starts_on=datetime.date(2026, 5, 6), ends_on=datetime.date(2026, 5, 8),
        hours=Decimal("12.5"), evidence=ContentFile(b"%PDF-1.4", name="certificate.pdf"))
    row = _hours(bob)
    assert (row.courses, row.external) == (Decimal("16"), Decimal("0"))
    services.training_approve(by=personas.alice, training=submitted)
    row = _hours(bob)
    assert (row.courses, row.external, row.total) == (Decimal("16"), Decimal("12.5"), Decimal("28.5"))


def test_the_requirement_is_32_hours_and_56_for_secretaries_and_committee_members(personas):
    assert _hours(personas.people.bob).required == 32
    assert _hours(personas.people.alice).required == 56  # secretary of branch A since 2024
    # Carol sits on branch B's committee from September: 56 for this year, 32 for the last.
    give_role(personas.people.carol, personas.branch_b, Role.COMMITTEE_MEMBER,
              start_on=datetime.date(2026, 9, 1))
    assert _hours(personas.people.carol).required == 56
    assert _hours(personas.people.carol, 2025).required == 32


def test_who_is_short_is_listed_by_name_never_by_hours(personas):
    study_session(by=personas.alice, organization=personas.branch_a, day=(2026, 3, 10), minutes=120)
    rows = selectors.organization_hours(personas.branch_a, YEAR)
    assert [r.person.name for r in rows] == sorted(["李爱丽", "王博"])
    assert all(r.short for r in rows)
    assert {r.person.name: r.missing for r in rows} == {"李爱丽": Decimal("54.0"), "王博": Decimal("30.0")}


def test_the_distribution_counts_members_in_buckets_without_names(personas):
    bob = personas.people.bob
    services.course_record(by=personas.alice, organization=personas.branch_a, title="理论培训",
                           starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2026, 4, 5),
                           hours=Decimal("40"), participants=[bob])
    distribution = selectors.hours_distribution(personas.committee, YEAR)
    counts = {d["label"]: d["count"] for d in distribution}
    # Members under the committee this year: Alice and Bob (branch A), Carol (branch B); Dan is
    # the committee's staff, not a member.
    assert counts == {"0–8": 2, "8–16": 0, "16–24": 0, "24–32": 0, "32–56": 1, "≥56": 0}
    assert all(set(d) == {"from", "to", "label", "count"} for d in distribution)
    assert selectors.hours_distribution(personas.branch_b, YEAR)[0]["count"] == 1


def test_hours_of_a_branch_take_the_same_queries_for_ten_times_the_data(personas, django_assert_num_queries):
    from branchwork.core.testing import PersonFactory

    def grow(n):
        for _ in range(n):
            give_role(PersonFactory(), personas.branch_a, Role.MEMBER)
        study_session(by=personas.alice, organization=personas.branch_a, day=(2026, 3, n), minutes=60)

    grow(2)
    with django_assert_num_queries(1):
        selectors.organization_hours(personas.branch_a, YEAR)
    grow(20)
    with django_assert_num_queries(1):
        rows = selectors.organization_hours(personas.branch_a, YEAR)
    assert len(rows) == 24
    # The first two new members attended both sessions, the twenty others the second.
    studied = Counter(r.study for r in rows if r.person.name.startswith("测试人员"))
    assert studied == {Decimal("2.0"): 2, Decimal("1.0"): 20}


def test_the_research_figures_show_the_distribution_of_study_hours(personas):
    from branchwork.research import figures

    services.course_record(by=personas.alice, organization=personas.branch_a, title="理论培训",
                           starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2026, 4, 5),
                           hours=Decimal("40"), participants=[personas.people.bob])
    section = figures.yearly(personas.committee, YEAR).section("study_hours")
    # Alice and Carol earned nothing, Bob 40 hours (hand-counted as above); no names anywhere.
    assert {row.code: row.count for row in section.rows} == {
        "0–8": 2, "8–16": 0, "16–24": 0, "24–32": 0, "32–56": 1, "≥56": 0}
    assert section.total == 3
    assert "王博" not in str(section) and "李爱丽" not in str(section)


def test_one_persons_hours_from_the_kept_query_are_those_of_the_orm_query(personas, django_assert_num_queries):
    """person_hours (for /my/) asks with SQL built once per year and rule: for everyone, in this
    year and the last, with study, courses, external training and leading roles, it answers
    exactly what annotate_hours answers, digit for digit, with one query."""
    bob, alice, carol = personas.people.bob, personas.people.alice, personas.people.carol
    study_session(by=personas.alice, organization=personas.branch_a, day=(2026, 3, 10), minutes=95)
    services.course_record(by=personas.alice, organization=personas.branch_a, title="党务干部培训班",
                           starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2026, 4, 3),
                           hours=Decimal("16.5"), participants=[bob, alice])
    training = services.training_submit(
        by=personas.bob, person=bob, organization=personas.branch_a, title="党校专题班",
        provider="区委党校", starts_on=datetime.date(2026, 5, 6), ends_on=datetime.date(2026, 5, 8),
        hours=Decimal("12"), evidence=ContentFile(b"%PDF-1.4", name="certificate.pdf"))
    services.training_approve(by=personas.alice, training=training)
    give_role(carol, personas.branch_b, Role.COMMITTEE_MEMBER, start_on=datetime.date(2026, 9, 1))
    from branchwork.core.models import Person

    for person in (bob, alice, carol):
        for year in (YEAR, YEAR - 1):
            expected = selectors.hours_row(selectors.annotate_hours(Person.objects.filter(pk=person.pk), year).get())
            with django_assert_num_queries(1):
                row = selectors.person_hours(person, year)
            assert [str(x) for x in (row.study, row.courses, row.external, row.total, row.missing)] == [
                str(x) for x in (expected.study, expected.courses, expected.external, expected.total,
                                 expected.missing)], (person, year)
            assert (row.required, row.leads, row.short, row.percent, row.person) == (
                expected.required, expected.leads, expected.short, expected.percent, expected.person)
    assert str(selectors.person_hours(bob, YEAR).total) == "30.1"  # 1.6 + 16.5 + 12
