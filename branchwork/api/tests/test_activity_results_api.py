"""The activity's API representation carries each resolution's result and each election's result,
computed from the counts, and the schema documents them.

Branch A has six voting members (Alice, Bob and four more): a resolution passes with more than
half of them, i.e. 4 votes for; 3 is one short.
"""

import pytest

from branchwork.activities import elections, services
from branchwork.activities.testing import at, held_activity
from branchwork.core.testing import PersonFactory, give_role

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _meeting(p):
    extra = [PersonFactory(name=f"党员{i:02d}") for i in range(4)]
    for person in extra:
        give_role(person, p.branch_a)
    meeting = held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                            starts_at=at(2026, 6, 18), host=p.people.alice, recorder=p.people.bob)
    return meeting, [p.people.alice, p.people.bob, *extra]


def test_resolutions_and_elections_carry_their_results(personas, api):
    p = personas
    meeting, members = _meeting(p)
    services.minutes_save(by=p.alice, activity=meeting, minutes="会议记录。", resolutions=[
        {"text": "一票之差", "votes_for": 3, "votes_against": 3, "votes_abstain": 0},
        {"text": "通过", "votes_for": 4, "votes_against": 1, "votes_abstain": 0,
         "subject_person": members[5]},
        {"text": "未表决"},
    ])
    # 4 candidates for 3 seats, 6 present: more than half is 4 → 6, 5, 4 elected; 1 not.
    elections.election_record(by=p.alice, activity=meeting, seats=3, candidates=[
        (members[0], 6), (members[1], 5), (members[2], 4), (members[3], 1)])
    # Equal candidates and seats: the check is in the representation.
    elections.election_record(by=p.alice, activity=meeting, seats=2, candidates=[
        (members[4], 6), (members[5], 6)])

    body = api(p.alice).get(f"{API}/activities/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert [(r["text"], r["voting_expected"], r["passed"]) for r in body["resolutions"]] == [
        ("一票之差", 6, False), ("通过", 6, True), ("未表决", 6, None)]
    assert body["resolutions"][1]["subject_person"] == members[5].pk
    first, second = sorted(body["elections"], key=lambda e: e["seats"], reverse=True)
    assert (first["status"], first["voting_expected"], first["voting_present"]) == ("draft", 6, 6)
    assert [(c["person"]["id"], c["votes"], c["elected"], c["tied"]) for c in first["candidates"]] \
        == [(members[0].pk, 6, True, False), (members[1].pk, 5, True, False),
            (members[2].pk, 4, True, False), (members[3].pk, 1, False, False)]
    assert first["checks"] == []
    assert first["next_due"] == "2031-06-17"
    assert [c["code"] for c in second["checks"]] == ["election_margin"]
    assert "2 candidates for 2 seats." in second["checks"][0]["message"]


def test_the_schema_documents_the_results(personas, api):
    schema = api(personas.bob).get(f"{API}/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    resolution = components["Resolution"]["properties"]
    assert {"passed", "voting_expected", "subject_person"} <= set(resolution)
    # The schema speaks the deployment's default language, Chinese.
    assert "赞成人数超过应到会有表决权党员的半数为通过" in resolution["passed"]["description"]
    assert "ElectionStatusEnum" in components
    election = components["Election"]["properties"]
    assert {"seats", "candidates", "checks", "next_due", "voting_present"} <= set(election)
    detail = components["ActivityDetail"]["properties"]
    assert {"resolutions", "elections"} <= set(detail)
