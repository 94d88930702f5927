"""The awards for a work on that work's page: research and lectures do not import awards, the
awards app adds its panel through `core.hooks.RECORD_PANELS`. A reader of the output sees the
awards they may see and no other; the panel's cost does not grow with the number of awards."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branchwork.awards import services
from branchwork.awards.testing import awards_world, grade
from branchwork.lectures import services as lecture_services
from branchwork.research.testing import research_world

pytestmark = pytest.mark.django_db

HIDDEN_AWARD = "乙支部内部奖 B-AWARD-3390"  # recorded by branch B: not for branch A's readers


@pytest.fixture
def world(personas):
    personas.research = research_world(personas)
    personas.awards = awards_world(personas)  # branch A's national award for Bob's report
    services.award_create(by=personas.admin, organization=personas.branch_b, title=HIDDEN_AWARD, scope="internal",
                          body="乙支部", level="institution", year=2026, recipients=["外请专家乙"],
                          output=personas.research.report)
    return personas


def test_the_output_page_lists_the_awards_its_reader_may_see(world, login):
    url = world.research.report.get_absolute_url()
    for who in ("bob", "frank"):
        page = login(getattr(world, who)).get(url).content.decode()
        assert "全国青年调研成果奖" in page and "二等奖" in page, who
        assert world.awards.award.get_absolute_url() in page
        assert HIDDEN_AWARD not in page, who
    assert login(world.carol).get(url).status_code == 404


def test_the_panel_costs_the_same_with_more_awards(world, login):
    client = login(world.bob)
    url = world.research.report.get_absolute_url()
    client.get(url)  # the first request fills what later ones find cached
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(6):
        services.award_create(by=world.alice, organization=world.branch_a, title=f"奖{i}", scope="internal",
                              body="研究室", level="institution", grade=grade("third"), year=2026,
                              recipients=[world.people.bob, "外请专家"], output=world.research.report)
    with CaptureQueriesContext(connection) as after:
        page = client.get(url).content.decode()
    assert "奖5" in page
    assert len(after) == len(before)


def test_the_talk_page_lists_the_awards_for_the_talk(world, login):
    talk = lecture_services.talk_create(by=world.alice, organization=world.branch_a, topic="学习党章的体会",
                                        date=datetime.date(2026, 3, 12), speaker=world.people.bob)
    services.award_create(by=world.alice, organization=world.branch_a, title="微党课一等奖", scope="internal",
                          body="机关党委", level="institution", grade=grade("first"), year=2026,
                          recipients=[world.people.bob], talk=talk)
    other = lecture_services.talk_create(by=world.alice, organization=world.branch_a, topic="无奖的讲座",
                                         date=datetime.date(2026, 3, 19), speaker=world.people.bob)
    client = login(world.frank)
    page = client.get(reverse("lectures:talk", args=[talk.pk])).content.decode()
    assert "微党课一等奖" in page and "record-awards" in page
    assert "record-awards" not in client.get(reverse("lectures:talk", args=[other.pk])).content.decode()
