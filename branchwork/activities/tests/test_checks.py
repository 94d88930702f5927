"""Resolutions pass from their counts; the consistency checks refuse a record before approval.

Expectations are computed by hand in each test: the branch has a known number of members with
voting rights (the attendance rows' `voting` flag, set as of the meeting's date), and the vote
needed is written down, not asked of the code under test.
"""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from branchwork.activities import checks, services
from branchwork.activities.models import ActivityStatus, AttendanceStatus, Speaking
from branchwork.activities.testing import at, held_activity
from branchwork.core.testing import PersonFactory, give_role

pytestmark = pytest.mark.django_db

MEETING_DAY = at(2026, 10, 9)


def _members(p, n: int) -> list:
    """`n` more full members in branch A (Alice and Bob are already there)."""
    people = [PersonFactory(name=f"党员{i:02d}", name_en=f"Member {i:02d}") for i in range(n)]
    for person in people:
        give_role(person, p.branch_a)
    return people


def _meeting(p, *, minutes="<p>会议讨论了有关事项。</p>", **extra):
    return held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                         starts_at=MEETING_DAY, host=p.people.alice, recorder=p.people.bob,
                         agenda="讨论事项", minutes=minutes, **extra)


def _resolve(p, activity, **votes):
    services.minutes_save(by=p.alice, activity=activity, minutes=activity.minutes,
                          resolutions=[{"text": "同意该事项", **votes}])
    activity.refresh_from_db()


def _submit_and_approve(p, activity):
    services.minutes_submit(by=p.alice, activity=activity)
    activity.refresh_from_db()
    return services.minutes_approve(by=p.alice, activity=activity)


def _codes(activity) -> list[str]:
    return [f.code for f in checks.run(activity)]


# --- Resolutions pass from the counts ---


def test_a_resolution_one_vote_short_of_more_than_half_of_the_expected_voters_does_not_pass(personas):
    # 9 voting members expected (Alice, Bob and 7 more); more than half of 9 is 5.
    _members(personas, 7)
    meeting = _meeting(personas)
    _resolve(personas, meeting, votes_for=4, votes_against=0, votes_abstain=0)
    [row] = checks.resolution_outcomes(meeting)
    assert row["voting_expected"] == 9
    assert row["passed"] is False
    _resolve(personas, meeting, votes_for=5, votes_against=3, votes_abstain=1)
    [row] = checks.resolution_outcomes(meeting)
    assert row["passed"] is True


def test_with_an_even_number_of_voters_exactly_half_is_not_enough(personas):
    # 10 voting members expected: 5 is half, not more than half; 6 passes.
    _members(personas, 8)
    meeting = _meeting(personas)
    _resolve(personas, meeting, votes_for=5, votes_against=5, votes_abstain=0)
    assert checks.resolution_outcomes(meeting)[0]["passed"] is False
    _resolve(personas, meeting, votes_for=6, votes_against=4, votes_abstain=0)
    assert checks.resolution_outcomes(meeting)[0]["passed"] is True


def test_the_base_is_the_voters_expected_not_those_present(personas):
    # 9 expected with votes, 3 excused: 5 of the 6 present vote for it and it passes; 4 would
    # be a majority of those present but not of those expected.
    others = _members(personas, 7)
    meeting = _meeting(personas, absent={o: (AttendanceStatus.EXCUSED, "出差") for o in others[:3]})
    _resolve(personas, meeting, votes_for=4, votes_against=2, votes_abstain=0)
    assert checks.resolution_outcomes(meeting)[0]["passed"] is False
    _resolve(personas, meeting, votes_for=5, votes_against=1, votes_abstain=0)
    assert checks.resolution_outcomes(meeting)[0]["passed"] is True


def test_a_resolution_without_votes_has_no_outcome(personas):
    meeting = _meeting(personas)
    _resolve(personas, meeting)
    assert checks.resolution_outcomes(meeting)[0]["passed"] is None


# --- Checks before approval ---


def test_a_clean_record_passes_every_check_and_is_approved(personas):
    _members(personas, 3)
    meeting = _meeting(personas, minutes="<p>会议议定如下事项。</p>")
    _resolve(personas, meeting, votes_for=5, votes_against=0, votes_abstain=0)
    assert checks.run(meeting) == []
    assert _submit_and_approve(personas, meeting).status == ActivityStatus.LOCKED


def test_an_absent_speaker_is_refused_naming_the_person_and_the_rule(personas):
    others = _members(personas, 3)
    meeting = _meeting(personas, absent={others[0]: (AttendanceStatus.ABSENT, "")})
    row = meeting.attendance.get(person=others[0])
    services.attendance_set_speaking(by=personas.alice, activity=meeting,
                                     speaking={row.pk: Speaking.SPOKE})
    services.minutes_submit(by=personas.alice, activity=meeting)
    meeting.refresh_from_db()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.minutes_approve(by=personas.alice, activity=meeting)
    [message] = refused.value.messages
    assert message == ("Member 00 is marked absent but recorded as speaker. Rule: only someone "
                       "present can speak or introduce a candidate (consistency of the record)")
    meeting.refresh_from_db()
    assert meeting.status == ActivityStatus.SUBMITTED
    assert [f.person_id for f in checks.run(meeting)] == [others[0].pk]


def test_an_excused_introducer_is_refused_too(personas):
    others = _members(personas, 3)
    meeting = _meeting(personas, absent={others[1]: (AttendanceStatus.EXCUSED, "出差")})
    row = meeting.attendance.get(person=others[1])
    services.attendance_set_speaking(by=personas.alice, activity=meeting,
                                     speaking={row.pk: Speaking.INTRODUCER})
    assert _codes(meeting) == ["absent_speaker"]


def test_a_member_counted_as_voting_on_their_own_admission_is_refused(personas):
    # 5 voting members present (Alice, Bob, 3 more); the subject is one of them and 5 votes
    # were counted, so the subject's own vote is among them.
    others = _members(personas, 3)
    subject = others[0]
    meeting = _meeting(personas)
    services.minutes_save(by=personas.alice, activity=meeting, minutes=meeting.minutes, resolutions=[
        {"text": "同意接收为预备党员", "votes_for": 5, "votes_against": 0, "votes_abstain": 0,
         "subject_person": subject}])
    meeting.refresh_from_db()
    failures = checks.run(meeting)
    assert [f.code for f in failures] == ["own_matter_vote"]
    assert failures[0].person_id == subject.pk
    assert subject.display_name in failures[0].message
    # The four others voting is consistent.
    services.minutes_save(by=personas.alice, activity=meeting, minutes=meeting.minutes, resolutions=[
        {"text": "同意接收为预备党员", "votes_for": 4, "votes_against": 0, "votes_abstain": 0,
         "subject_person": subject}])
    meeting.refresh_from_db()
    assert _codes(meeting) == []


def test_more_votes_than_voters_present_is_refused(personas):
    meeting = _meeting(personas)  # 2 voting members present
    _resolve(personas, meeting, votes_for=2, votes_against=1, votes_abstain=0)
    assert _codes(meeting) == ["votes_exceed_present"]


def test_the_place_is_required_before_approval(personas):
    meeting = _meeting(personas, place="")
    assert _codes(meeting) == ["place_required"]
    services.minutes_submit(by=personas.alice, activity=meeting)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError):
        services.minutes_approve(by=personas.alice, activity=meeting)


@pytest.mark.parametrize("text", ["<p>会议议定：下月开展主题党日。</p>", "<p>经讨论，支部<b>决定</b>推荐两名同志。</p>",
                                  "<p>大家议定由王博负责。</p>"])
def test_a_minute_announcing_a_decision_needs_the_resolutions_table(personas, text):
    meeting = _meeting(personas, minutes=text)
    assert _codes(meeting) == ["decision_without_resolution"]
    _resolve(personas, meeting, votes_for=2, votes_against=0, votes_abstain=0)
    assert _codes(meeting) == []


def test_the_messages_are_in_the_readers_language(personas):
    meeting = _meeting(personas, place="")
    with translation.override("zh-hans"):
        zh = checks.run(meeting)[0].message
    with translation.override("en"):
        en = checks.run(meeting)[0].message
    assert "地点" in zh and "place" not in zh
    assert "The place of the meeting is not recorded." in en and "branch rule" in en


def test_the_skip_parameter_is_the_only_way_past_the_checks(personas):
    meeting = _meeting(personas, place="")
    services.minutes_submit(by=personas.alice, activity=meeting)
    meeting.refresh_from_db()
    locked = services.minutes_approve(by=personas.alice, activity=meeting, skip_checks=True)
    assert locked.status == ActivityStatus.LOCKED


def test_every_writer_is_checked_the_demo_loader_too(personas):
    from branchwork.core import audit

    assert checks.SKIPPED_FOR_SOURCES == frozenset()
    for source in ("web", "api", "command", "import", "demo"):
        meeting = _meeting(personas, place="", title=f"会议{source}")
        services.minutes_submit(by=personas.alice, activity=meeting)
        meeting.refresh_from_db()
        with audit.acting_as(personas.alice, source=source), pytest.raises(ValidationError):
            services.minutes_approve(by=personas.alice, activity=meeting)


def test_the_activity_page_lists_what_blocks_approval(personas, login):
    meeting = _meeting(personas, place="")
    services.minutes_submit(by=personas.alice, activity=meeting)
    with translation.override("en"):
        page = login(personas.alice).get(meeting.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert 'id="approval-checks"' in html
    assert "The place of the meeting is not recorded." in html or "会议地点未记录" in html
