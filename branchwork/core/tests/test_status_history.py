"""Membership status as a dated history: the status on a date, in bulk, and the cache on Person.

Expectations are written by hand from the dates in each test.
"""

import datetime

import pytest

from branchwork.core import selectors, services
from branchwork.core.models import AuditEntry, MembershipStatus as S, MembershipStatusChange, Person
from branchwork.core.testing import PersonFactory, build_personas, give_role

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def p():
    return build_personas()


def history(person, *steps, by=None):
    for status, day, *rest in steps:
        services.status_change_record(by=by, person=person, status=status, effective_on=day,
                                      ends_on=rest[0] if rest else None)


def test_a_candidate_becomes_probationary_on_admission_and_full_a_year_later():
    chen = PersonFactory(name="陈晓", membership_status=S.NONE, joined_party_on=None)
    history(chen, (S.APPLICANT, D(2023, 3, 1)), (S.ACTIVIST, D(2023, 9, 1)),
            (S.CANDIDATE, D(2024, 10, 15)), (S.PROBATIONARY, D(2025, 5, 20)), (S.FULL, D(2026, 5, 20)))
    assert selectors.status_on(chen, D(2023, 2, 28)) == S.NONE
    assert selectors.status_on(chen, D(2025, 5, 19)) == S.CANDIDATE
    assert selectors.status_on(chen, D(2025, 5, 20)) == S.PROBATIONARY
    assert selectors.status_on(chen, D(2026, 5, 19)) == S.PROBATIONARY
    assert selectors.status_on(chen, D(2026, 5, 20)) == S.FULL
    # A meeting sees the statuses as its day began: the decisions of that day come after.
    assert selectors.meeting_statuses([chen.pk], D(2025, 5, 20)) == {chen.pk: S.CANDIDATE}
    assert selectors.meeting_statuses([chen.pk], D(2026, 5, 20)) == {chen.pk: S.PROBATIONARY}
    chen.refresh_from_db()
    assert (chen.membership_status, chen.joined_party_on) == (S.FULL, D(2025, 5, 20))


def test_rights_suspended_run_to_their_end_date_and_the_earlier_status_returns():
    wu = PersonFactory(name="吴某")  # full since 2011-07-01 (derived by the factory)
    history(wu, (S.SUSPENDED, D(2026, 3, 1), D(2026, 8, 31)))
    assert selectors.status_on(wu, D(2026, 2, 28)) == S.FULL
    assert selectors.status_on(wu, D(2026, 3, 1)) == S.SUSPENDED
    assert selectors.status_on(wu, D(2026, 8, 31)) == S.SUSPENDED
    assert selectors.status_on(wu, D(2026, 9, 1)) == S.FULL
    wu.refresh_from_db()
    assert wu.membership_status == S.FULL  # today (2026-11-16) the suspension is over


def test_statuses_of_many_people_at_a_date_take_one_query(django_assert_num_queries):
    people = [PersonFactory(joined_party_on=D(2020 + i % 6, 7, 1)) for i in range(30)]
    nobody = PersonFactory(membership_status=S.NONE, joined_party_on=None)
    with django_assert_num_queries(1):
        statuses = selectors.statuses_on([q.pk for q in people] + [nobody.pk], D(2025, 12, 31))
    # joined in 2020–2024: full a year later, so by 2025-12-31 full; joined 2025-07-01: probationary.
    expected = {q.pk: (S.PROBATIONARY if q.joined_party_on.year == 2025 else S.FULL) for q in people}
    expected[nobody.pk] = S.NONE
    assert statuses == expected


def test_creating_a_person_with_a_status_derives_the_history(p):
    zhou = services.person_create(by=p.alice, name="周新", membership_status=S.FULL,
                                  joined_party_on=D(2019, 6, 28))
    rows = [(c.status, c.effective_on, c.derived) for c in selectors.status_history(zhou)]
    assert rows == [(S.PROBATIONARY, D(2019, 6, 28), True), (S.FULL, D(2020, 6, 28), True)]


def test_a_recorded_change_is_audited_and_updates_the_cached_status(p, time_machine):
    # Written around one calendar: the suspension (October 2026 on) holds "today", 2026-11-16.
    time_machine.move_to(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    bob = p.people.bob
    change = services.status_change_record(
        by=p.alice, person=bob, status=S.SUSPENDED, effective_on=D(2026, 10, 1), ends_on=D(2027, 9, 30),
        meeting="支部党员大会（2026-09-25）", approved_by="机关纪委", document_number="机纪〔2026〕3号")
    bob.refresh_from_db()
    assert bob.membership_status == S.SUSPENDED
    entry = AuditEntry.objects.get(object_id=str(change.pk), content_type__model="membershipstatuschange")
    assert entry.actor == p.alice and entry.changes["document_number"] == [None, "机纪〔2026〕3号"]
    services.status_change_delete(by=p.alice, change=change)
    bob.refresh_from_db()
    assert bob.membership_status == S.FULL


def test_the_status_of_a_person_with_a_recorded_history_is_not_edited_on_the_person_record(p):
    from django.core.exceptions import ValidationError

    bob = p.people.bob
    services.status_change_record(by=p.alice, person=bob, status=S.LEFT, effective_on=D(2026, 10, 1))
    with pytest.raises(ValidationError):
        services.person_update(by=p.alice, person=Person.objects.get(pk=bob.pk), membership_status=S.FULL)


def test_only_a_suspension_has_an_end_date(p):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.status_change_record(by=p.alice, person=p.people.bob, status=S.FULL,
                                      effective_on=D(2026, 1, 1), ends_on=D(2026, 2, 1))
    assert not MembershipStatusChange.objects.filter(person=p.people.bob, effective_on=D(2026, 1, 1)).exists()


def test_voting_members_of_a_general_branch_come_from_its_branches_as_of_the_date(p):
    from branchwork.core.models import OrganizationKind
    from branchwork.core.testing import make_org

    gb = make_org("gb", OrganizationKind.GENERAL_BRANCH, "总支", p.committee)
    b1 = make_org("gb-1", OrganizationKind.BRANCH, "一支部", gb)
    b2 = make_org("gb-2", OrganizationKind.BRANCH, "二支部", gb)
    x, y = PersonFactory(name="甲"), PersonFactory(name="乙")
    z = PersonFactory(name="丙", membership_status=S.PROBATIONARY, joined_party_on=D(2026, 1, 10))  # probationary until 2027-01-10
    give_role(x, b1), give_role(y, b2), give_role(z, b2)
    give_role(PersonFactory(name="丁"), b2, start_on=D(2026, 12, 1))  # not yet a member
    assert {q.name for q in selectors.voting_members(gb, D(2026, 11, 20))} == {"甲", "乙"}
    assert {e.person.name for e in selectors.expected_members(gb, D(2026, 11, 20))} == {"甲", "乙", "丙"}
    assert {q.name for q in selectors.voting_members(b2, D(2026, 11, 20))} == {"乙"}
