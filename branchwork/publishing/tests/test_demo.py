"""The portal's demo: channels, a series, a few dozen articles with pictures, contributions in review."""

import io

import pytest
from branchwork.core import demo as core_demo
from branchwork.publishing import demo

from branchwork.publishing.models import ArticlePage, ChannelPage, SeriesPage, Visibility
from branchwork.publishing.selectors import contributions_of
from branchwork.core.testing import suite_clock

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Core's demo people and the portal's demo, loaded once for this module (rolled back after)."""
    with suite_clock(), django_db_blocker.unblock():
        from django.db import transaction

        out = io.StringIO()
        with transaction.atomic():
            core_demo.load(stdout=io.StringIO())
            demo.load(stdout=out)
            again = io.StringIO()
            demo.load(stdout=again)
            yield out.getvalue(), again.getvalue()
            transaction.set_rollback(True)


def test_the_demo_portal_has_channels_a_series_and_articles(demo_output, client):
    first, again = demo_output
    assert "门户 Portal: 新建 created" in first and "门户演示内容已是最新" in again
    assert ChannelPage.objects.filter(title="支部风采", depth=4).exists()
    series = SeriesPage.objects.get(title="支部书记谈“四强”")
    assert series.parts.count() == 4
    assert ArticlePage.objects.filter(contributed_via="web", live=True).count() == 1
    articles = ArticlePage.objects.filter(contributed_via="")
    assert articles.count() >= 36
    assert articles.filter(language="en").count() >= 5
    assert articles.filter(visibility=Visibility.INTERNAL).count() >= 4
    assert articles.filter(live=True).count() == articles.count()
    assert sum(1 for a in articles if any(b["type"] == "image" for b in a.body.raw_data)) >= 10
    page = client.get("/").content.decode()
    assert "东湖研究院机关党委" in page and "支部书记谈“四强”" in page
    assert "研究室党支部2026年度工作要点" not in page  # internal
    # In English the home page and the channels speak English: the texts the demo gives them.
    client.cookies["bw_language"] = "en"
    english = client.get("/").content.decode()
    assert "The work platform of the Party Committee" in english and "东湖研究院机关党委及" not in english
    assert "Building the branches" in english


def test_the_demo_has_contributions_in_each_state_and_a_signer_login(demo_output, client):
    from branchwork.core.models import Person

    wang = Person.objects.get(name="王浩然")
    assert sorted(c.status for c in contributions_of(wang)) == ["published", "sent_back", "with_editor"]
    tang = Person.objects.get(name="唐佳欣")
    assert [c.status for c in contributions_of(tang)] == ["with_signer"]
    zhou = Person.objects.get(name="周卫东")
    assert zhou.user is not None and zhou.user.groups.filter(name__contains="签发人").exists()
    assert "zhouweidong" in demo_output[0]
    article = ArticlePage.objects.get(slug="sishu-2")
    text = client.get(article.url).content.decode()
    assert "支部书记谈“四强”（2）" in text and "陈晓雨" in text and "周卫东" in text
