"""Who spoke and whom a resolution is about, entered by the secretary on the minutes page, so that
the checks "someone absent cannot speak" and "a member does not vote on a matter about
themselves" are reached from the pages, not only from services.

Branch A has six voting members (Alice, Bob and four more), Alice hosting and Bob recording.
"""

import re

import pytest

from branchwork.activities import services
from branchwork.activities.models import ActivityStatus, AttendanceStatus, Speaking
from branchwork.activities.testing import at, held_activity
from branchwork.core.testing import PersonFactory, give_role

pytestmark = pytest.mark.django_db


def en(client):
    client.cookies["bw_language"] = "en"
    return client


def _meeting(p, away=()):
    extra = [PersonFactory(name=n, name_en=e) for n, e in
             (("张三", "Zhang San"), ("艾米", "Ai Mi"), ("欧阳娜", "Ouyang Na"), ("丁一", "Ding Yi"))]
    for person in extra:
        give_role(person, p.branch_a)
    meeting = held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                            starts_at=at(2026, 6, 18), host=p.people.alice, recorder=p.people.bob,
                            title="支部党员大会",
                            absent={x: (AttendanceStatus.EXCUSED, "出差") for x in away})
    return meeting, extra


def url(activity, tail=""):
    return f"/orgs/{activity.organization.code}/activities/{activity.pk}/{tail}"


def _form_data(activity, **extra):
    data = {"version": activity.minutes_version, "agenda": "审议事项", "minutes": "会议记录。",
            "resolutions": ""}
    for row in activity.attendance.all():
        data[f"speaking_{row.pk}"] = row.speaking
    data.update(extra)
    return data


def _approve(client, activity):
    services.minutes_submit(by=activity.recorder.user, activity=activity)
    response = client.post(url(activity, "approve/"), {"confirm": "1"}, follow=True)
    activity.refresh_from_db()
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_minutes_page_offers_speakers_and_subjects_in_pinyin_order(personas, login):
    meeting, _extra = _meeting(personas)
    page = login(personas.bob).get(url(meeting, "minutes/")).content.decode()
    assert 'id="speakers"' in page and 'id="resolution-subjects"' in page
    # One "spoke as" choice per person on the list; three spare "is about" rows (no resolution yet).
    assert len(re.findall(r'name="speaking_\d+"', page)) == 6
    assert re.findall(r'name="(subject_\d+)"', page) == ["subject_1", "subject_2", "subject_3"]
    options = page.split('name="subject_1"')[1].split("</select>")[0]
    names = re.findall(r'<option value="\d+">([^<]+)</option>', options)
    # ai, ding, li, ouyang, wang, zhang.
    assert names == ["艾米", "丁一", "李爱丽", "欧阳娜", "王博", "张三"]


def test_an_absent_speaker_entered_on_the_page_blocks_approval_naming_the_person(personas, login):
    p = personas
    meeting, extra = _meeting(p, away=[p.people.bob])
    bob_row = meeting.attendance.get(person=p.people.bob)
    response = en(login(p.bob)).post(url(meeting, "minutes/"),
                                     _form_data(meeting, **{f"speaking_{bob_row.pk}": "spoke"}))
    assert response.status_code == 302
    bob_row.refresh_from_db()
    assert bob_row.speaking == Speaking.SPOKE
    page = _approve(en(login(p.alice)), meeting)
    assert meeting.status == ActivityStatus.SUBMITTED
    assert ("Bob is marked excused but recorded as speaker. Rule: only someone present can speak "
            "or introduce a candidate") in page
    # Cleared on the page (sent back first), the record is approved.
    services.minutes_return(by=p.alice, activity=meeting, comment="王博请假，未发言")
    meeting.refresh_from_db()
    en(login(p.bob)).post(url(meeting, "minutes/"),
                          _form_data(meeting, **{f"speaking_{bob_row.pk}": ""}))
    _approve(en(login(p.alice)), meeting)
    assert meeting.status == ActivityStatus.LOCKED


def test_a_vote_on_a_matter_about_a_member_counting_their_vote_is_refused(personas, login):
    p = personas
    meeting, extra = _meeting(p)
    subject = extra[0]  # 张三, present and voting
    bob = en(login(p.bob))
    # Six voting members present, six votes for a matter about one of them: one too many.
    bob.post(url(meeting, "minutes/"), _form_data(
        meeting, resolutions="同意张三同志的事项 | 6 | 0 | 0", subject_1=subject.pk))
    resolution = meeting.resolutions.get()
    assert resolution.subject_person == subject
    page = _approve(en(login(p.alice)), meeting)
    assert meeting.status == ActivityStatus.SUBMITTED
    assert ("Zhang San is the person resolution 1 is about, yet 6 votes were counted with only 5 "
            "other voting members present.") in page
    # Editing the text of the minutes only keeps whom the resolution is about.
    services.minutes_return(by=p.alice, activity=meeting, comment="张三不参加表决")
    meeting.refresh_from_db()
    services.minutes_save(by=p.bob, activity=meeting, minutes="会议记录（修改）。", agenda="审议事项",
                          resolutions=[{"text": "同意张三同志的事项", "votes_for": 5,
                                        "votes_against": 0, "votes_abstain": 0}])
    assert meeting.resolutions.get().subject_person == subject
    _approve(en(login(p.alice)), meeting)
    assert meeting.status == ActivityStatus.LOCKED


def test_a_subject_for_a_line_without_a_resolution_is_refused(personas, login):
    meeting, extra = _meeting(personas)
    response = en(login(personas.bob)).post(url(meeting, "minutes/"), _form_data(
        meeting, resolutions="一项决议 | 6 | 0 | 0", subject_2=extra[0].pk))
    assert response.status_code == 200
    assert "There is no resolution 2." in response.content.decode()
    assert not meeting.resolutions.exists()
