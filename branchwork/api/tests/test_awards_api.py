"""Awards and a competition's published results through the API, under the pages' policy:
outsiders get 404; no score leaves the judging pages before publication; the results never name
a judge nor carry a judge's scores; an award names its output only to those who may see it."""

import json

import pytest

from branchwork.awards import services
from branchwork.awards.models import CompetitionStatus
from branchwork.awards.testing import SCORE_SENTINELS, awards_world
from branchwork.research.testing import research_world

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def world(personas):
    personas.research = research_world(personas)
    personas.awards = awards_world(personas)
    return personas


def test_awards_are_listed_for_those_who_may_see_them(world, api):
    award = world.awards.award
    body = api(world.bob).get(f"{API}/awards/", {"org": world.branch_a.code, "year": 2026}).json()
    [item] = [a for a in body["results"] if a["id"] == award.pk]
    assert item["title"] == "全国青年调研成果奖" and item["grade"] == "second" and item["level"] == "national"
    assert item["recipients"] == [world.people.bob.display_name, "外请专家甲"]
    assert item["output"] == world.research.report.pk and item["competition"] is None
    assert api(world.bob).get(f"{API}/awards/{award.pk}/").json()["id"] == award.pk
    assert api(world.bob).get(f"{API}/awards/", {"output": world.research.report.pk}).json()["count"] == 1
    # Carol (branch B) sees none of branch A's awards.
    assert api(world.carol).get(f"{API}/awards/").json()["count"] == 0
    assert api(world.carol).get(f"{API}/awards/{award.pk}/").status_code == 404
    assert api(None).get(f"{API}/awards/{award.pk}/").status_code in (401, 403)


def test_an_award_names_its_output_only_to_those_who_may_see_it(world, api):
    restricted = world.research.restricted
    award = services.award_create(by=world.alice, organization=world.branch_a, title="内参奖", scope="internal",
                                  body="研究室", level="institution", year=2026, recipients=[world.people.bob],
                                  output=restricted)
    frank = api(world.frank).get(f"{API}/awards/{award.pk}/").json()
    alice = api(world.alice).get(f"{API}/awards/{award.pk}/").json()
    assert frank["output"] is None
    assert alice["output"] == restricted.pk


def test_results_are_404_until_published_then_per_entry_without_judges(world, api):
    c = world.awards.competition
    url = f"{API}/competitions/{c.pk}/results/"
    for who in ("alice", "bob", "frank", "dan", "carol"):
        response = api(getattr(world, who)).get(url)
        assert response.status_code == 404, who
        assert not any(score in response.content.decode() for score in SCORE_SENTINELS)
    services.competition_advance(by=world.alice, competition=c, to=CompetitionStatus.PUBLISHED)
    response = api(world.bob).get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["blind"] is True and body["title"]
    assert [e["title"] for e in body["entries"]] == ["关于社区治理的调研", "关于数字经济的调研"]
    first = body["entries"][0]
    assert first["rank"] == 1 and first["score"] == "89.34" and first["grade"] == "first"
    text = json.dumps(body, ensure_ascii=False)
    for judge in (world.people.frank, world.people.dan):
        assert judge.name not in text and judge.display_name not in text
    assert "judge" not in text and not any(score in text for score in SCORE_SENTINELS)
    # Outsiders still get 404; a stranger's id too.
    assert api(world.carol).get(url).status_code == 404
    assert api(world.bob).get(f"{API}/competitions/{c.pk + 999}/results/").status_code == 404
    assert api(world.bob).get(f"{API}/competitions/x/results/").status_code == 404
