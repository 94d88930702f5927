"""An election (换届选举) recorded by the secretary through the pages: the form, the rules named
with their article when broken, the report, the committee's approval, the due date of the next
election on the branch's compliance page, and who may do what.

Branch A has six voting members (Alice, Bob and four more); every count below follows from that.
"""

import datetime
import re

import pytest

from branchwork.activities.elections import Election, ElectionStatus
from branchwork.activities.models import AttendanceStatus
from branchwork.activities.testing import at, held_activity
from branchwork.core.testing import PersonFactory, give_role

pytestmark = pytest.mark.django_db


def en(client):
    client.cookies["bw_language"] = "en"
    return client


def _members(p, n=6):
    extra = [PersonFactory(name=f"党员{i:02d}", name_en=f"Member {i:02d}") for i in range(n - 2)]
    for person in extra:
        give_role(person, p.branch_a)
    return [p.people.alice, p.people.bob, *extra]


def _meeting(p, away=()):
    return held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                         starts_at=at(2026, 6, 18), host=p.people.alice, recorder=p.people.bob,
                         title="支部换届选举党员大会",
                         absent={x: (AttendanceStatus.EXCUSED, "出差") for x in away})


def base(activity):
    return f"/orgs/{activity.organization.code}/activities/{activity.pk}/"


def _post_election(client, activity, seats, votes: dict):
    data = {"seats": seats, "term_start": "", "term_end": ""}
    for i, (person, n) in enumerate(votes.items(), start=1):
        data[f"candidate_{i}"] = person.pk
        data[f"votes_{i}"] = n
    return client.post(base(activity) + "elections/new/", data)


def _messages(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_secretary_records_an_election_and_the_committee_approves_it(personas, login):
    p = personas
    members = _members(p)
    meeting = _meeting(p)
    alice = en(login(p.alice))
    page = alice.get(base(meeting)).content.decode()
    assert base(meeting) + "elections/new/" in page  # "Record an election" on the meeting's page
    form = alice.get(base(meeting) + "elections/new/").content.decode()
    assert 'name="candidate_8"' in form
    # The organization's members, by pinyin: 党员 (dang) before 李爱丽 (li) before 王博 (wang).
    alice.cookies["bw_language"] = "zh-hans"
    form = alice.get(base(meeting) + "elections/new/").content.decode()
    options = form.split('name="candidate_1"')[1].split("</select>")[0]
    names = re.findall(r'<option value="\d+">([^<]+)</option>', options)
    assert names == ["党员00", "党员01", "党员02", "党员03", "李爱丽", "王博"]
    en(alice)

    # Three seats, four candidates (20 % of 3 is 0.6: one more suffices); 6 present, majority 4.
    response = _post_election(alice, meeting, 3, {members[0]: 6, members[1]: 5, members[2]: 4,
                                                   members[3]: 2})
    election = Election.objects.get(activity=meeting)
    assert response.status_code == 302 and response["Location"].endswith(
        f"elections/{election.pk}/")
    page = _messages(alice.get(response["Location"]))
    assert "6 of 6 present (at least 5 needed: more than four fifths)" in page
    assert page.count("elected</strong>") == 3 and "election-checks" not in page

    response = alice.post(base(meeting) + f"elections/{election.pk}/report/",
                          {"reported_on": "2026-06-20"})
    election.refresh_from_db()
    assert election.status == ElectionStatus.REPORTED
    assert election.reported_on == datetime.date(2026, 6, 20)

    # The branch cannot approve its own election: the committee above does.
    response = alice.post(base(meeting) + f"elections/{election.pk}/approve/",
                          {"approved_on": "2026-07-01", "document": "X"})
    assert response.status_code == 404
    election.refresh_from_db()
    assert election.status == ElectionStatus.REPORTED
    dan = en(login(p.dan))
    assert "Approve the result" in dan.get(base(meeting) + f"elections/{election.pk}/").content.decode()
    dan.post(base(meeting) + f"elections/{election.pk}/approve/",
             {"approved_on": "2026-07-01", "document": "机关党委〔2026〕12号"})
    election.refresh_from_db()
    assert election.status == ElectionStatus.APPROVED
    assert election.approval_document == "机关党委〔2026〕12号"
    # Term 2026-06-18 to 2031-06-17 (five years less a day): the next election is due then.
    compliance = alice.get(f"/orgs/{p.branch_a.code}/compliance/?year=2026").content.decode()
    assert "Next election due by 2031-06-17." in compliance


def test_equal_candidates_and_seats_are_named_with_the_rule_and_the_report_is_refused(personas, login):
    p = personas
    members = _members(p)
    meeting = _meeting(p)
    alice = en(login(p.alice))
    _post_election(alice, meeting, 3, {members[0]: 6, members[1]: 6, members[2]: 6})
    election = Election.objects.get(activity=meeting)
    page = _messages(alice.get(base(meeting) + f"elections/{election.pk}/"))
    assert ("3 candidates for 3 seats. Rule: there are at least 20% more candidates than seats "
            "(差额选举)") in page
    response = alice.post(base(meeting) + f"elections/{election.pk}/report/",
                          {"reported_on": "2026-06-20"}, follow=True)
    assert "3 candidates for 3 seats." in _messages(response)
    election.refresh_from_db()
    assert election.status == ElectionStatus.DRAFT


def test_attendance_of_four_fifths_is_refused_and_votes_are_corrected_on_the_page(personas, login):
    p = personas
    members = _members(p, 10)
    # 10 voting members, 2 excused: 8 present = exactly four fifths, not more: refused.
    meeting = _meeting(p, away=members[8:])
    alice = en(login(p.alice))
    _post_election(alice, meeting, 3, {members[0]: 8, members[1]: 7, members[2]: 6, members[3]: 9})
    election = Election.objects.get(activity=meeting)
    page = _messages(alice.get(base(meeting) + f"elections/{election.pk}/"))
    assert "8 of 10 present (at least 9 needed: more than four fifths)" in page
    assert "8 of 10 members with voting rights were present. Rule: more than four fifths" in page
    # 9 votes for a candidate when 8 were present: named too; corrected through the votes form.
    assert "has 9 votes, more than the 8 voting members present" in page
    alice.post(base(meeting) + f"elections/{election.pk}/votes/",
               {f"votes_{members[3].pk}": 1})
    assert election.candidates.get(person=members[3]).votes == 1
    page = _messages(alice.get(base(meeting) + f"elections/{election.pk}/"))
    assert "more than the 8 voting members present" not in page


def test_outsiders_cannot_see_an_election_and_members_cannot_record_one(personas, login):
    p = personas
    members = _members(p)
    meeting = _meeting(p)
    _post_election(en(login(p.alice)), meeting, 1, {members[0]: 6, members[1]: 0})
    election = Election.objects.get(activity=meeting)
    assert login(p.carol).get(base(meeting) + f"elections/{election.pk}/").status_code == 404
    # Carol's not on the list; Bob is the recorder and may; a member of branch A who is neither
    # recorder nor manager may read but not record.
    other = members[2]
    from branchwork.core.testing import person_with_login  # noqa: PLC0415

    reader = person_with_login("reader", "孙读")
    give_role(reader, p.branch_a)
    client = login(reader.user)
    assert client.get(base(meeting) + f"elections/{election.pk}/").status_code == 200
    assert client.get(base(meeting) + "elections/new/").status_code == 404
    assert client.post(base(meeting) + f"elections/{election.pk}/report/",
                       {"reported_on": "2026-06-20"}).status_code == 404
    assert other.pk  # the members exist
