"""The search page, the API and the command: highlighting, facets, sorting, paging, odd queries,
and a number of queries that does not grow with the results."""

import datetime
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branchwork.activities.testing import at, held_activity
from branchwork.publishing.testing import make_article, make_channel
from branchwork.search import selectors


@pytest.fixture
def portal(personas, home):
    channel = make_channel(home, "党建动态", "dangjian")
    articles = [
        make_article(channel, f"党建工作简报第{i}期", body_html=f"<p>本期介绍第{i}支部的党建工作经验。</p>",
                     published_at=datetime.datetime(2020 + i % 5, 6, 1, tzinfo=datetime.UTC))
        for i in range(1, 26)
    ]
    call_command("rebuild_search_index", verbosity=0)  # make_article backdates without saving
    return personas, channel, articles


def test_the_page_shows_highlighted_results_facets_and_pages(portal, login):
    personas, channel, articles = portal

    html = login(None).get("/search/", {"q": "党建"}).content.decode()

    assert "<mark>党建</mark>" in html
    assert re.search(r'id="results-h"[^>]*>[^<\d]*26[^<\d]*<', html)  # 25 articles, their channel
    assert 'href="?q=%E5%85%9A%E5%BB%BA&amp;sort=relevance&amp;kind=article"' in html
    assert 'rel="next"' in html and "?q=%E5%85%9A%E5%BB%BA&amp;sort=relevance&amp;page=2" in html
    page2 = login(None).get("/search/", {"q": "党建", "page": 2}).content.decode()
    assert page2.count('class="search-hit"') == 6


def test_filters_and_sorting(portal, anonymous):
    personas, channel, articles = portal

    by_date = selectors.search(anonymous, "党建", sort="date", filters={"kind": "article"})
    dates = [h.date for h in by_date.hits]
    assert dates == sorted(dates, reverse=True)
    assert by_date.total == 25
    # Choosing a kind still lists the other kinds with their counts.
    assert {v.value: v.count for v in by_date.facets["kind"]} == {"article": 25, "page": 1}
    only_2021 = selectors.search(anonymous, "党建", filters={"year": "2021"})
    assert only_2021.total == 5 and all(h.date.year == 2021 for h in only_2021.hits)
    assert {v.value: v.count for v in only_2021.facets["year"]}["2024"] == 5
    in_channel = selectors.search(anonymous, "党建", filters={"channel": str(channel.pk)})
    assert in_channel.total == 26
    assert [(v.label, v.count) for v in in_channel.facets["channel"]] == [("党建动态", 26)]


@pytest.mark.parametrize("query", [
    "", " ", "党", "a", "x" * 5000, "党建" * 300, '"*():^-', '"unbalanced 党建', "党建 -工作 OR NOT",
    "NEAR(党建 工作)", "{title}: 党建", "'; DROP TABLE wagtailsearch_indexentry; --", "\x00\x01",
    "％＿", "🙂 党建",
])
def test_odd_queries_are_answered(portal, login, query):
    response = login(None).get("/search/", {"q": query, "sort": "nonsense", "page": "-3",
                                            "kind": "<script>", "year": "20x"})
    assert response.status_code == 200
    assert b"<script>" not in response.content


def test_odd_query_messages(portal, login, anonymous):
    garbage = login(None).get("/search/", {"q": '"*():^-'}).content.decode()
    assert 'class="empty"' in garbage and "search-hit" not in garbage
    long = selectors.search(anonymous, "党建 " * 150)  # one term, repeated
    assert long.truncated and len(long.query) == 200 and long.total == 26
    # A single character is read as the start of a word: 党 finds 党建.
    assert selectors.search(anonymous, "党").total == 26


def test_titles_and_snippets_are_escaped(personas, home, anonymous):
    channel = make_channel(home, "测试", "ceshi")
    make_article(channel, "<script>alert(1)</script>党建",
                 body_html="<p>&lt;img src=x onerror=alert(1)&gt; 党建</p>")

    [hit] = [h for h in selectors.search(anonymous, "党建").hits if h.kind == "article"]

    assert hit.title == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>党建</mark>"
    assert "<img" not in hit.snippet and "&lt;img" in hit.snippet


def test_the_number_of_queries_does_not_grow_with_the_results(personas, home):
    channel = make_channel(home, "频道", "pindao")

    def count(user):
        selectors.search(user, "党建")  # warm caches (content types, site root paths)
        with CaptureQueriesContext(connection) as ctx:
            results = selectors.search(user, "党建")
        return len(ctx), results

    make_article(channel, "党建一", body_html="<p>党建</p>")
    held_activity(by=personas.alice, organization=personas.branch_a, types=["theme_day"],
                  starts_at=at(2025, 1, 5), title="党建活动一", minutes="<p>党建</p>")
    few, small = count(personas.bob)
    for i in range(8):
        make_article(channel, f"党建{i}", body_html="<p>党建</p>")
        held_activity(by=personas.alice, organization=personas.branch_a, types=["theme_day"],
                      starts_at=at(2025, 2, 1 + i), title=f"党建活动{i}", minutes="<p>党建</p>")
    many, large = count(personas.bob)

    assert large.total > small.total
    assert many == few, (few, many)
    assert many <= 12


def test_the_api_answers_with_results_and_facets(portal, api):
    personas, channel, articles = portal

    body = api(personas.bob).get("/api/v1/search/", {"q": "党建", "per_page": 5, "page": 2}).json()

    assert body["total"] == 26 and body["page"] == 2 and body["pages"] == 6
    assert len(body["results"]) == 5
    hit = body["results"][0]
    assert set(hit) == {"kind", "kind_label", "id", "title_html", "snippet_html", "url", "date"}
    assert hit["url"].startswith("http://testserver/")
    assert "<mark>" in hit["title_html"]
    assert {f["value"] for f in body["facets"]["kind"]} == {"article", "page"}


def test_the_api_needs_a_login_and_validates(portal, api, client):
    personas, *_ = portal
    assert client.get("/api/v1/search/", {"q": "党建"}).status_code == 401
    assert api(personas.bob).get("/api/v1/search/", {"q": "党建", "sort": "x"}).status_code == 400
    assert api(personas.bob).get("/api/v1/search/", {"q": ""}).json()["total"] == 0


def test_the_schema_describes_the_search(personas, api):
    schema = api(personas.bob).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "kind", "sort", "page"}


def test_the_command_prints_a_table_and_json(portal):
    out = StringIO()
    call_command("search", "党建", "--format", "table", "--per-page", "3", stdout=out)
    table = out.getvalue()
    assert "26 result(s)" in table and "【党建】" in table and "kind: " in table

    out = StringIO()
    call_command("search", "党建", "--as", "bob", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"] == 26 and data["results"][0]["title_html"].count("<mark>") == 1


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def test_with_the_match_limit_far_below_the_matches_every_match_is_ranked_and_reachable(
        portal, anonymous, login, settings):
    """The limit bounds only the facet counts (labelled estimates beyond it): newest first is
    the 26 matches' true date order, and paging reaches every one of them."""
    personas, channel, articles = portal
    settings.SEARCH_MAX_MATCHES = 20
    # By construction (the fixture): the channel, published today, and 25 articles, article i
    # published on 1 June of 2020 + i % 5; the newest are the channel, then those of 2024.
    newest = [channel.pk] + [a.pk for a in articles if a.first_published_at.year == 2024]
    assert len(newest) == 6

    by_date = selectors.search(anonymous, "党建", sort="date", per_page=6)
    assert by_date.total == 26 and by_date.limited
    assert by_date.hits[0].object_id == channel.pk and {h.object_id for h in by_date.hits} == set(newest)
    reached, dates = set(), []
    for number in range(1, by_date.pages + 1):
        page = selectors.search(anonymous, "党建", sort="date", per_page=6, page=number)
        reached |= {h.object_id for h in page.hits}
        dates += [h.date for h in page.hits]
    assert reached == {a.pk for a in articles} | {channel.pk}
    assert len(dates) == 26 and dates == sorted(dates, reverse=True)

    relevance = set()
    for number in range(1, 3):
        relevance |= {h.object_id for h in selectors.search(anonymous, "党建", page=number).hits}
    assert relevance == {a.pk for a in articles} | {channel.pk}

    # Facet counts are estimates past the limit, and the page says so.
    assert 'class="muted search-limited"' in login(None).get("/search/", {"q": "党建"}).content.decode()
    settings.SEARCH_MAX_MATCHES = 2000
    exact = selectors.search(anonymous, "党建")
    assert not exact.limited and sum(v.count for v in exact.facets["kind"]) == 26
