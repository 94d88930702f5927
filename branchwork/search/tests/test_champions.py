"""Champion lists (search/champions.py): a one-word search answered from the word's list gives the
page the full ranking gives, keeps to what the reader may see, follows writes, falls back when
the list is too short; the total is exact up to a bound and labelled an estimate beyond it."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branchwork.publishing.models import Visibility
from branchwork.publishing.testing import make_article, make_channel
from branchwork.search import champions, selectors
from branchwork.search.models import Champion, ChampionTerm

WORD = "调研"
FILLER = "支部组织党员学习讨论，围绕年度重点工作交流体会。"


@pytest.fixture
def corpus(personas, home, settings):
    """30 public articles holding the word 1–4 times in bodies of different lengths (so their
    impacts differ), and an internal article of branch A that scores best of all; lists of at
    most 8 documents for every word in 2 documents or more."""
    settings.SEARCH_CHAMPION_MIN_DF = 2
    settings.SEARCH_CHAMPION_SIZE = 8
    channel = make_channel(home, "调研动态", "diaoyan")
    articles = [
        make_article(channel, f"简报第{i}期", body_html="<p>" + f"{WORD}，" * (i % 4 + 1) + FILLER * (i % 7 + 1)
                     + "</p>", published_at=datetime.datetime(2015 + i % 10, 3, 1 + i, tzinfo=datetime.UTC))
        for i in range(30)
    ]
    internal = make_article(channel, f"{WORD}{WORD}{WORD}", visibility=Visibility.INTERNAL,
                            organization=personas.branch_a, body_html=f"<p>{WORD}，{WORD}。</p>",
                            published_at=datetime.datetime(2020, 5, 5, tzinfo=datetime.UTC))
    call_command("rebuild_search_index", verbosity=0)  # also builds the lists
    return personas, channel, articles, internal


def ids(results) -> list[int]:
    return [h.object_id for h in results.hits]


def full_ranking(user, query, **kwargs):
    with mock.patch.object(champions, "page_keys", return_value=None):
        return selectors.search(user, query, **kwargs)


class Spy:
    """Records what the list answered (a page of keys, or None: fall back)."""

    def __init__(self):
        self.answers = []
        self.real = champions.page_keys

    def __call__(self, *args, **kwargs):
        answer = self.real(*args, **kwargs)
        self.answers.append(answer)
        return answer


@pytest.fixture
def spy(monkeypatch):
    recorder = Spy()
    monkeypatch.setattr(champions, "page_keys", recorder)
    return recorder


def test_the_build_lists_frequent_words_with_the_best_documents(corpus):
    listed = ChampionTerm.objects.get(term=WORD)
    rows = list(Champion.objects.filter(term=WORD).order_by("-impact"))
    assert 0 < len(rows) <= 8 and listed.documents == 32  # and the channel, 调研动态
    assert all(row.impact >= listed.threshold for row in rows)
    assert not ChampionTerm.objects.filter(term="简报第1期").exists()


def test_a_listed_word_gives_the_page_the_full_ranking_gives(corpus, anonymous, spy):
    personas, _channel, _articles, internal = corpus
    for user in (anonymous, personas.carol, personas.alice):
        for page in (1, 2):
            listed = selectors.search(user, WORD, per_page=3, page=page)
            assert spy.answers[-1] is not None  # answered from the list
            assert ids(listed) == ids(full_ranking(user, WORD, per_page=3, page=page))
    assert ids(selectors.search(personas.alice, WORD))[0] == internal.pk


def test_impacts_are_the_bm25_of_the_site_index(corpus):
    """The list's order is the relevance ordering's: on SQLite FTS5's own bm25 (title 4, body 1),
    which the formula used for later writes reproduces."""
    if connection.vendor != "sqlite":
        pytest.skip("FTS5's bm25 is SQLite's")
    listed = ChampionTerm.objects.get(term=WORD)
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid, title, body, readers, gate, -bm25(bwsearch_fts, 4.0, 1.0, 0.0, 0.0) "
                       "FROM bwsearch_fts WHERE bwsearch_fts MATCH %s", ['{title body} : "' + WORD + '"'])
        rows = cursor.fetchall()
    stored = dict(Champion.objects.filter(term=WORD).values_list("key", "impact"))
    for key, title, body, readers, gate, score in rows:
        length = sum(len(part.split()) for part in (title, body, readers, gate))
        formula = champions.bm25_impact(WORD, title.split(), body.split(), length, idf=listed.idf,
                                        avgdl=listed.avgdl)
        assert formula == pytest.approx(score, rel=1e-9)
        if key in stored:
            assert stored[key] == pytest.approx(score, rel=1e-9)


def test_a_document_written_after_the_build_comes_first_when_it_scores_best(corpus, anonymous, spy):
    personas, channel, _articles, _internal = corpus
    best = make_article(channel, f"{WORD}{WORD}", body_html=f"<p>{WORD}{WORD}{WORD}。</p>")
    results = selectors.search(anonymous, WORD, per_page=5)
    assert spy.answers[-1] is not None
    assert ids(results)[0] == best.pk
    assert ids(results) == ids(full_ranking(anonymous, WORD, per_page=5))


def test_hidden_unpublished_and_deleted_documents_never_come_from_the_list(corpus, anonymous, spy):
    personas, _channel, articles, internal = corpus
    for user in (anonymous, personas.carol):
        for page in (1, 2):  # 6 of the 7 listed documents they may see
            assert internal.pk not in ids(selectors.search(user, WORD, per_page=3, page=page))
    assert spy.answers and all(answer is not None for answer in spy.answers)
    top = ids(selectors.search(anonymous, WORD, per_page=3))
    gone, hidden = [a for a in articles if a.pk in top][:2]
    gone.delete()
    hidden.unpublish()
    after = selectors.search(anonymous, WORD, per_page=3)
    assert spy.answers[-1] is not None
    assert gone.pk not in ids(after) and hidden.pk not in ids(after)
    assert ids(after) == ids(full_ranking(anonymous, WORD, per_page=3))


def test_a_deep_page_falls_back_to_the_full_ranking(corpus, anonymous, spy):
    deep = selectors.search(anonymous, WORD, per_page=5, page=3)
    assert spy.answers[-1] is None  # 8 listed, 15 needed
    assert len(deep.hits) == 5
    assert ids(deep) == ids(full_ranking(anonymous, WORD, per_page=5, page=3))
    everything = [pk for page in range(1, 8) for pk in ids(selectors.search(anonymous, WORD, per_page=5, page=page))]
    assert len(everything) == len(set(everything)) == 31


def test_the_number_of_queries_does_not_depend_on_the_list(corpus, anonymous, spy):
    """The list's page takes the place of the ranking's query; a fallback adds the one query
    that found the list too short."""

    def count(search, **kwargs) -> int:
        with CaptureQueriesContext(connection) as queries:
            search(anonymous, WORD, **kwargs)
        return len(queries)

    selectors.search(anonymous, WORD)  # what is cached per process, read once
    for per_page in (2, 6):
        listed = count(selectors.search, per_page=per_page)
        assert spy.answers[-1] is not None
        assert listed == count(full_ranking, per_page=per_page)
    fallback = count(selectors.search, per_page=5, page=3)
    assert spy.answers[-1] is None
    assert fallback == count(full_ranking, per_page=5, page=3) + 1


@pytest.fixture
def windowed(monkeypatch):
    """On PostgreSQL, past the bound only a window's count is estimated (the whole index's is
    exact): windows however small the index (search/windows.py)."""
    from branchwork.search import windows

    monkeypatch.setattr(windows, "WHOLE_SHARE", 1.0)
    monkeypatch.setattr(windows, "FIRST_GUESS", 0.05)


def test_the_total_is_exact_up_to_the_bound_and_an_estimate_beyond(corpus, anonymous, login, settings, windowed):
    exact = selectors.search(anonymous, WORD)
    assert exact.total == 31 and not exact.total_estimated
    settings.SEARCH_MAX_MATCHES = 20
    settings.SEARCH_COUNT_BOUND = 20
    estimated = selectors.search(anonymous, WORD)
    assert estimated.total_estimated and estimated.total >= 21
    html = login(None).get("/search/", {"q": WORD}).content.decode()
    assert f"About {estimated.total} results" in html or f"约{estimated.total}条结果" in html


def test_the_api_says_when_the_total_and_the_facets_are_estimates(corpus, personas, settings, windowed):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(personas.bob)
    exact = client.get("/api/v1/search/", {"q": WORD}).json()
    assert exact["total"] == selectors.search(personas.bob, WORD).total and exact["total_estimated"] is False
    assert exact["facets_estimated"] is False
    assert exact["total_exact_up_to"] == selectors.COUNT_BOUNDS[connection.vendor] and exact["facets_counted_over"] == 1000
    settings.SEARCH_MAX_MATCHES = 20
    settings.SEARCH_COUNT_BOUND = 20
    estimated = client.get("/api/v1/search/", {"q": WORD, "per_page": 10}).json()
    assert estimated["total_estimated"] is True and estimated["facets_estimated"] is True
    assert estimated["total_exact_up_to"] == 20 and estimated["facets_counted_over"] == 20
    assert estimated["total"] >= 21 and estimated["pages"] >= 2
