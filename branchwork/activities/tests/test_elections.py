"""Election records (换届选举): the rules refuse a record that breaks one, naming it and its source;
the result comes from the counts; the approved term gives the due date of the next election.

Every expectation is worked out by hand in the test from the numbers it sets up.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from branchwork.activities import elections
from branchwork.activities.elections import ElectionStatus
from branchwork.activities.models import AttendanceStatus
from branchwork.activities.testing import at, held_activity
from branchwork.core.conflicts import Conflict
from branchwork.core.testing import PersonFactory, give_role

pytestmark = pytest.mark.django_db

ELECTION_DAY = at(2026, 6, 18)


def _branch_of(p, n: int) -> list:
    """Branch A with `n` voting members in all (Alice, Bob and n-2 more)."""
    people = [PersonFactory(name=f"党员{i:02d}", name_en=f"Member {i:02d}") for i in range(n - 2)]
    for person in people:
        give_role(person, p.branch_a)
    return [p.people.alice, p.people.bob, *people]


def _meeting(p, *, away=()):
    return held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                         starts_at=ELECTION_DAY, host=p.people.alice, recorder=p.people.bob,
                         title="支部换届选举党员大会",
                         absent={x: (AttendanceStatus.EXCUSED, "出差") for x in away})


def _record(p, meeting, seats, votes):
    return elections.election_record(by=p.alice, activity=meeting, seats=seats,
                                     candidates=list(votes.items()))


def _votes(candidates, most: int) -> dict:
    """Distinct votes, most first (most, most-1, …): no tie for a seat."""
    return {c: most - i for i, c in enumerate(candidates)}


def _refusal(election) -> list[str]:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        elections.election_report(by=None, election=election, on=datetime.date(2026, 6, 20))
    return refused.value.messages


def test_equal_candidates_and_seats_are_refused_naming_the_rule_and_its_source(personas):
    members = _branch_of(personas, 10)
    meeting = _meeting(personas)
    election = _record(personas, meeting, 3, {m: 9 for m in members[:3]})
    [message] = _refusal(election)
    assert message == (
        "3 candidates for 3 seats. Rule: there are at least 20% more candidates than seats (差额选举) "
        "(Regulations on Elections in Grassroots Party Organizations (2020), article not verified)")
    election.refresh_from_db()
    assert election.status == ElectionStatus.DRAFT


def test_five_seats_need_six_candidates_and_three_need_four(personas):
    # 20 % of 5 is 1 → 6 candidates; 20 % of 3 is 0.6 → at least one more → 4.
    members = _branch_of(personas, 12)
    meeting = _meeting(personas)
    assert [f.code for f in elections.check(_record(personas, meeting, 5, _votes(members[:5], 12)))] \
        == ["election_margin"]
    assert elections.check(_record(personas, meeting, 5, _votes(members[:6], 12))) == []
    assert elections.check(_record(personas, meeting, 3, _votes(members[6:10], 12))) == []


def test_attendance_of_four_fifths_or_less_is_refused(personas):
    # 10 voting members; 2 excused → 8 present = exactly 4/5, not more than 4/5: refused.
    members = _branch_of(personas, 10)
    meeting = _meeting(personas, away=members[8:])
    election = _record(personas, meeting, 3, _votes(members[:4], 8))
    [message] = _refusal(election)
    assert message.startswith("8 of 10 members with voting rights were present. Rule: more than "
                              "four fifths of the members with voting rights are present")
    # 1 excused → 9 of 10 present: valid.
    meeting2 = _meeting(personas, away=members[9:])
    assert elections.check(_record(personas, meeting2, 3, _votes(members[:4], 9))) == []


def test_the_result_is_computed_from_the_votes(personas):
    # 9 present: more than half is 5. Seats 3, candidates with 8, 7, 5, 4 votes: the first two
    # are elected; 5 is not more than half of 9? 5 > 4.5 → yes, elected; 4 is not.
    members = _branch_of(personas, 9)
    meeting = _meeting(personas)
    a, b, c, d = members[:4]
    election = _record(personas, meeting, 3, {a: 8, b: 7, c: 5, d: 4})
    result = elections.result(election)
    assert (result.voting_expected, result.voting_present) == (9, 9)
    assert [x.person for x in result.elected] == [a, b, c]
    # With 4 votes for c, only two reach a majority: one seat stays empty (另行选举).
    elections.election_set_votes(by=None, election=election, votes={c.pk: 4})
    assert [x.person for x in elections.result(election).elected] == [a, b]


def test_a_tie_for_the_last_seat_elects_neither_and_blocks_the_report(personas):
    members = _branch_of(personas, 9)
    meeting = _meeting(personas)
    a, b, c, d = members[:4]
    election = _record(personas, meeting, 2, {a: 8, b: 6, c: 6, d: 2})
    result = elections.result(election)
    assert [x.person for x in result.elected] == [a]
    assert {x.person for x in result.tied} == {b, c}
    assert [f.code for f in elections.check(election)] == ["election_tie", "election_tie"]


def test_votes_above_the_voters_present_are_refused(personas):
    members = _branch_of(personas, 5)
    meeting = _meeting(personas)
    election = _record(personas, meeting, 1, {members[0]: 6, members[1]: 0})
    assert [f.code for f in elections.check(election)] == ["election_votes"]


def test_report_then_approval_gives_the_term_and_the_next_due_date(personas, login):
    members = _branch_of(personas, 6)
    meeting = _meeting(personas)
    election = _record(personas, meeting, 3, _votes(members[:4], 6))
    assert (election.term_start, election.term_end) == (datetime.date(2026, 6, 18),
                                                        datetime.date(2031, 6, 17))
    with pytest.raises(Conflict):
        elections.election_approve(by=personas.dan, election=election)
    elections.election_report(by=personas.alice, election=election, on=datetime.date(2026, 6, 20))
    elections.election_approve(by=personas.dan, election=election, on=datetime.date(2026, 7, 1),
                               document="机关党委〔2026〕12号")
    election.refresh_from_db()
    assert election.status == ElectionStatus.APPROVED
    term = elections.current_term(personas.branch_a, today=datetime.date(2026, 11, 16))
    assert term.next_due == datetime.date(2031, 6, 17) and not term.overdue and not term.due_soon
    late = elections.current_term(personas.branch_a, today=datetime.date(2031, 7, 1))
    assert late.overdue
    soon = elections.current_term(personas.branch_a, today=datetime.date(2031, 1, 1))
    assert soon.due_soon and not soon.overdue

    page = login(personas.alice).get(f"/orgs/{personas.branch_a.code}/compliance/?year=2026")
    html = page.content.decode()
    assert 'id="election-term"' in html
    assert "2031-06-17" in html


def test_a_branch_without_an_approved_election_says_so_on_the_compliance_page(personas, login):
    page = login(personas.alice).get(f"/orgs/{personas.branch_a.code}/compliance/?year=2026")
    assert 'id="election-term"' in page.content.decode()
    assert elections.current_term(personas.branch_a, today=datetime.date(2026, 11, 16)) is None


def test_an_election_must_be_held_at_a_general_meeting_of_the_branch(personas):
    members = _branch_of(personas, 5)
    theme_day = held_activity(by=personas.alice, organization=personas.branch_a, types=["theme_day"],
                              starts_at=ELECTION_DAY)
    election = _record(personas, theme_day, 1, {members[0]: 5, members[1]: 0})
    assert [f.code for f in elections.check(election)] == ["election_meeting"]
