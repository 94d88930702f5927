"""Organizational life by the rules: voting rights as of the meeting's day, each branch's own
meetings, the year a record covers, talks before the organizational life meeting, theme-day
contents. Every expectation is counted by hand from the people and dates set up in the test."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from branchwork.activities import selectors, services
from branchwork.activities.models import AttendanceRole, Credit
from branchwork.activities.testing import at, held_activity
from branchwork.core import services as core_services
from branchwork.core.models import MembershipStatus as S, OrganizationKind
from branchwork.core.testing import PersonFactory, build_personas, give_role, make_org
from branchwork.rulebook.compliance import MET, OVERDUE

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def p():
    return build_personas()


def record(person, *steps):
    for status, day, *rest in steps:
        core_services.status_change_record(by=None, person=person, status=status, effective_on=day,
                                           ends_on=rest[0] if rest else None,
                                           meeting=f"支部党员大会（{day}）")


@pytest.fixture
def branch(p):
    """Branch A: Alice and Bob (full members since 2011) plus three people whose status moves."""
    chen = PersonFactory(name="陈晓", membership_status=S.NONE, joined_party_on=None)
    record(chen, (S.ACTIVIST, D(2023, 9, 1)), (S.CANDIDATE, D(2024, 10, 15)),
           (S.PROBATIONARY, D(2025, 5, 20)), (S.FULL, D(2026, 5, 20)))
    wu = PersonFactory(name="吴军")  # full since 2011-07-01
    record(wu, (S.SUSPENDED, D(2026, 3, 1), D(2026, 8, 31)))
    zhao = PersonFactory(name="赵敏")  # full since 2011-07-01
    for person in (chen, wu, zhao):
        give_role(person, p.branch_a, start_on=D(2023, 1, 1))
    return {"chen": chen, "wu": wu, "zhao": zhao}


def voting_of(activity):
    return {a.person.name: a.voting for a in activity.attendance.select_related("person")
            if a.role == AttendanceRole.EXPECTED}


def test_a_candidate_does_not_vote_on_her_own_admission(p, branch):
    meeting = held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                            starts_at=at(2025, 5, 20))
    # 陈晓 was a candidate when the day began: not a Party member, so not among the expected;
    # the four full members are (李爱丽, 王博, 吴军, 赵敏).
    assert voting_of(meeting) == {"李爱丽": True, "王博": True, "吴军": True, "赵敏": True}
    row = services.attendance_add(by=p.alice, activity=meeting, person=branch["chen"],
                                  role=AttendanceRole.EXPECTED)
    assert row.voting is False
    credit = Credit.objects.get(activity=meeting, organization=p.branch_a)
    assert (credit.present, credit.base) == (4, 4)


def test_a_probationary_member_does_not_vote_on_her_own_full_membership(p, branch):
    meeting = held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                            starts_at=at(2026, 5, 20))
    # 陈晓 is probationary until the day's decision; 吴军's rights are suspended (Mar–Aug 2026).
    assert voting_of(meeting) == {"李爱丽": True, "王博": True, "吴军": False, "赵敏": True, "陈晓": False}
    credit = Credit.objects.get(activity=meeting, organization=p.branch_a)
    assert (credit.present, credit.base) == (3, 3)


def test_a_suspended_member_votes_again_once_the_suspension_ends(p, branch):
    during = held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                           starts_at=at(2026, 8, 31))
    after = held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                          starts_at=at(2026, 9, 10))
    assert voting_of(during)["吴军"] is False
    assert voting_of(after) == {"李爱丽": True, "王博": True, "吴军": True, "赵敏": True, "陈晓": True}


def test_a_status_recorded_later_for_the_date_changes_who_votes_in_a_draft(p, branch):
    meeting = held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                            starts_at=at(2026, 10, 20))
    assert voting_of(meeting)["赵敏"] is True
    record(branch["zhao"], (S.SUSPENDED, D(2026, 10, 1)))
    services.minutes_save(by=p.alice, activity=meeting, minutes="更正后的记录。")
    assert voting_of(meeting)["赵敏"] is False


@pytest.fixture
def general(p):
    """A general branch with two branches: one (甲, 乙, 丙) and two (丁, 戊)."""
    gb = make_org("gb", OrganizationKind.GENERAL_BRANCH, "机关第一党总支", p.committee)
    one = make_org("gb-one", OrganizationKind.BRANCH, "第一党支部", gb)
    two = make_org("gb-two", OrganizationKind.BRANCH, "第二党支部", gb)
    for name in "甲乙丙":
        give_role(PersonFactory(name=name), one)
    for name in "丁戊":
        give_role(PersonFactory(name=name), two)
    return gb, one, two


def test_a_general_branch_meeting_expects_the_members_of_all_its_branches(p, general):
    gb, one, two = general
    meeting = held_activity(by=p.alice, organization=gb, types=["general_meeting"],
                            starts_at=at(2026, 6, 10), absent={})
    by_branch = {a.person.name: a.organization.code for a in meeting.attendance.select_related(
        "person", "organization")}
    assert by_branch == {"甲": "gb-one", "乙": "gb-one", "丙": "gb-one", "丁": "gb-two", "戊": "gb-two"}
    credit = Credit.objects.get(activity=meeting, code="general_meeting")
    assert (credit.organization_id, credit.present, credit.base) == (gb.pk, 5, 5)


def test_a_general_branch_general_meeting_is_not_a_branch_general_meeting(p, general):
    gb, one, two = general
    held_activity(by=p.alice, organization=gb, types=["general_meeting"], starts_at=at(2026, 6, 10),
                  co_organizers=[one])
    today = D(2026, 7, 5)
    q2 = selectors.compliance([one], 2026, today=today)[0].by_code()["general_meeting"].cells[1]
    assert (q2.held, q2.status) == (0, OVERDUE)


def test_a_general_branch_collective_study_counts_for_its_branches(p, general):
    gb, one, two = general
    held_activity(by=p.alice, organization=gb, types=["collective_study"], starts_at=at(2026, 6, 10))
    today = D(2026, 7, 5)
    for branch in (one, two):
        june = selectors.compliance([branch], 2026, today=today)[0].by_code()["collective_study"].cells[5]
        assert (june.held, june.status) == (1, MET)


def test_the_2025_meeting_held_in_january_2026_counts_for_2025(p):
    # 00:30 on 1 January 2026 in Shanghai is 16:30 on 31 December 2025 in UTC.
    held_activity(by=p.alice, organization=p.branch_a, types=["org_life_meeting"],
                  starts_at=at(2026, 1, 1, 0, 30), covers_year=2025)
    today = D(2026, 1, 5)
    y2025 = selectors.compliance([p.branch_a], 2025, today=today)[0].by_code()["org_life_meeting"]
    y2026 = selectors.compliance([p.branch_a], 2026, today=today)[0].by_code()["org_life_meeting"]
    assert (y2025.cells[0].held, y2025.cells[0].status) == (1, MET)
    assert y2026.cells[0].held == 0


def test_without_a_year_covered_a_yearly_record_counts_for_the_local_year_of_its_date(p):
    held_activity(by=p.alice, organization=p.branch_a, types=["org_life_meeting"],
                  starts_at=at(2026, 1, 1, 0, 30))
    today = D(2026, 1, 5)
    assert selectors.compliance([p.branch_a], 2025, today=today)[0].by_code()["org_life_meeting"].held == 0
    assert selectors.compliance([p.branch_a], 2026, today=today)[0].by_code()["org_life_meeting"].held == 1


def test_a_year_covered_far_from_the_date_is_refused(p):
    with pytest.raises(ValidationError):
        services.activity_schedule(by=p.alice, organization=p.branch_a, types=["org_life_meeting"],
                                   title="组织生活会", starts_at=at(2026, 1, 8), covers_year=2023,
                                   notify=False)


def test_heart_to_heart_talks_count_only_before_the_organizational_life_meeting(p):
    held_activity(by=p.alice, organization=p.branch_a, types=["org_life_meeting"], starts_at=at(2025, 12, 10))
    held_activity(by=p.alice, organization=p.branch_a, types=["heart_to_heart"], starts_at=at(2025, 12, 15))
    today = D(2026, 1, 5)
    talks = selectors.compliance([p.branch_a], 2025, today=today)[0].by_code()["heart_to_heart"]
    assert (talks.cells[0].held, talks.cells[0].status) == (0, OVERDUE)
    held_activity(by=p.alice, organization=p.branch_a, types=["heart_to_heart"], starts_at=at(2025, 11, 20))
    talks = selectors.compliance([p.branch_a], 2025, today=today)[0].by_code()["heart_to_heart"]
    assert (talks.cells[0].held, talks.cells[0].status) == (1, MET)


def test_a_theme_day_records_what_it_covered(p):
    day = services.activity_schedule(by=p.alice, organization=p.branch_a, types=["theme_day"],
                                     title="主题党日", starts_at=at(2026, 12, 8), notify=False,
                                     contents=["study", "volunteer"])
    assert day.contents == ["study", "volunteer"]
    assert day.content_labels == ["political study", "volunteer service"] or \
        day.content_labels == ["政治学习", "志愿服务"]
    with pytest.raises(ValidationError):
        services.activity_update(by=p.alice, activity=day, contents=["sightseeing"])
