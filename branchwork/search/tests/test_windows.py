"""Time windows (search/windows.py): the tokens that cover a window cover exactly its days; on
PostgreSQL a search answered from windows gives what the same search over the whole index gives
(the newest first, every page, the facets and the totals up to their bound), for readers who see
different shares, with filters, with undated documents; the tokens are written with every
document and by the migration."""

import datetime
import random
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from branchwork.search import access, indexing, selectors, windows
from branchwork.search.kinds import Filing

UTC = datetime.UTC
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


# --- The tokens of a window ---


def day_tokens(day: datetime.date) -> set[str]:
    """The time tokens a document of `day` carries (as `windows.tokens_sql` writes them)."""
    return {f"{windows.MARK}t{day:%Y}", f"{windows.MARK}t{day:%Y%m}", f"{windows.MARK}t{day:%Y%m%d}"}


@pytest.mark.parametrize("start", [
    datetime.date(2026, 1, 1), datetime.date(2026, 3, 1), datetime.date(2026, 11, 29), datetime.date(2026, 12, 31),
    datetime.date(2024, 2, 29), datetime.date(2025, 12, 1), datetime.date(2023, 7, 16),
])
def test_a_window_covers_every_day_from_its_first_and_none_before(start):
    cover = set(windows.cover(start, 2027))
    day = start - datetime.timedelta(days=400)
    while day <= datetime.date(2027, 12, 31):
        assert bool(day_tokens(day) & cover) == (day >= start), day
        day += datetime.timedelta(days=1)
    assert len(cover) <= 31 + 11 + 2  # the fewest tokens: days, then months, then years


def test_windows_are_sized_by_the_matches_they_find():
    newest = datetime.datetime(2026, 6, 30, 12, tzinfo=UTC)
    span = windows.Span(newest - datetime.timedelta(days=1000), newest, 100_000)
    # A hundred documents a day: a window for 1,000 matches of a word in one document of ten.
    start = windows.first_start(span, 1000, 0.1)
    assert start == (newest - datetime.timedelta(days=150)).date()
    # Nothing foretells the matches: a guess; most of the index: the whole of it.
    assert windows.first_start(span, 1000, None) == (newest - datetime.timedelta(days=40)).date()
    assert windows.first_start(span, 1000, 0.01) is None
    # A window that found half of what it needed is three times as long next (1.5 × 2); one
    # that found a tenth would span most of the index: the whole of it.
    wider = windows.widen(span, start, 500, 1000)
    assert (newest.date() - wider).days == pytest.approx(450, abs=2)
    assert windows.widen(span, start, 100, 1000) is None
    assert windows.widen(span, datetime.date(2026, 6, 1), 100, 1000) < datetime.date(2026, 6, 1)
    # Less than a day wider would be the same day: at least twice as far back instead.
    assert windows.widen(span, datetime.date(2026, 6, 30), 999, 1000) <= datetime.date(2026, 6, 29)
    # The whole index from the share of time the window spans.
    assert windows.estimate(span, (newest - datetime.timedelta(days=100)).date(), 1500) == pytest.approx(15_000, rel=0.01)
    assert windows.first_start(windows.Span(None, None, 0), 10, None) is None


# --- Searches from windows against searches of the whole index (PostgreSQL) ---

WORDS = ("调研", "会议")


@pytest.fixture
def dated(personas, home):
    """240 pages over three and a half years (several a day at times, 10 undated): a third
    internal to branch A, a tenth under a login restriction; 调研 in half of them, 会议 in a
    quarter; organizations A, B or none. Indexed through `indexing.write_docs`, the table put in
    date order as the rebuild does."""
    rng = random.Random(17)
    channel = home.add_child(instance=Page(title="窗口", slug="windows-test"))
    page_type = ContentType.objects.get_for_model(Page)
    first = datetime.datetime(2023, 1, 1, tzinfo=UTC)
    docs, truth = [], {}
    for i in range(240):
        page = channel.add_child(instance=Page(title=f"第{i}篇", slug=f"w{i}"))
        words = [w for w, rate in zip(WORDS, (0.5, 0.25), strict=True) if rng.random() < rate]
        date = None if i % 24 == 5 else first + datetime.timedelta(days=rng.randint(0, 1275), seconds=rng.randint(0, 86399))
        internal = i % 3 == 0
        org = (personas.branch_a, personas.branch_b, None)[i % 3 if not internal else 0]
        readers = (access.SUPERUSERS, *access.internal_readers(personas.branch_a.path)) if internal else (
            access.SUPERUSERS, access.EVERYONE)
        gate = (access.LOGIN,) if i % 10 == 7 else (access.OPEN,)
        body = "。".join(["支部工作情况", *(f"关于{w}的安排" for w in words)])
        docs.append(indexing.Doc(page_type.pk, page.pk, page.title, body, page.title,
                                 Filing(kind="page", organization_id=org.pk if org else None,
                                        channel_id=channel.pk, date=date, readers=readers, gate=gate)))
        truth[page.pk] = (words, date, internal, gate, org.pk if org else None)
    indexing.write_docs(docs)
    indexing.order_by_date()
    return personas, channel, truth, personas.admin


def ids(results) -> list[int]:
    return [h.object_id for h in results.hits]


def whole(*args, **kwargs):
    """The same search over the whole index (no window is ever worth it)."""
    with mock.patch.object(windows, "WHOLE_SHARE", 0.0):
        return selectors.search(*args, **kwargs)


def facet_values(results) -> dict:
    return {name: sorted(v.value for v in values) for name, values in results.facets.items()}


@postgres_only
def test_windows_give_what_the_whole_index_gives(dated, anonymous, settings, monkeypatch):
    personas, channel, truth, admin = dated
    settings.SEARCH_MAX_MATCHES = 20
    settings.SEARCH_COUNT_BOUND = 20
    # Windows whenever they hold less than all, starting far too small: they must widen.
    monkeypatch.setattr(windows, "WHOLE_SHARE", 1.0)
    monkeypatch.setattr(windows, "FIRST_GUESS", 0.05)
    windowed = 0
    for user in (anonymous, personas.bob, personas.carol, admin):
        for query in (*WORDS, "调研 会议", "支部"):
            for filters in ({}, {"organization": str(personas.branch_a.pk)}, {"year": "2025"}):
                expected = whole(user, query, filters=filters, sort="date", per_page=7)
                for sort in ("date", "relevance"):
                    for number in range(1, expected.pages + 1):
                        with CaptureQueriesContext(connection) as queries:
                            got = selectors.search(user, query, filters=filters, sort=sort, per_page=7, page=number)
                        windowed += any(f"{windows.MARK}t" in q["sql"] for q in queries.captured_queries)
                        want = whole(user, query, filters=filters, sort=sort, per_page=7, page=number)
                        where = (user, query, filters, sort, number)
                        assert ids(got) == ids(want), where
                        assert got.estimated == want.estimated, where
                        assert facet_values(got) == facet_values(want), where
                        if got.total_estimated:
                            assert want.total > settings.SEARCH_COUNT_BOUND and got.total > settings.SEARCH_COUNT_BOUND
                        else:
                            assert got.total == want.total, where
                        if not want.estimated:
                            assert got.facets == want.facets, where
    assert windowed > 100


@postgres_only
def test_the_newest_first_pages_from_windows_are_the_true_dates(dated, anonymous, settings, monkeypatch):
    """Against the fixture's own record (not the engine's): every visible match once, newest
    first, undated ones last."""
    personas, channel, truth, admin = dated
    settings.SEARCH_MAX_MATCHES = 20
    settings.SEARCH_COUNT_BOUND = 20
    monkeypatch.setattr(windows, "WHOLE_SHARE", 1.0)
    monkeypatch.setattr(windows, "FIRST_GUESS", 0.05)
    visible = {pk for pk, (words, _d, internal, gate, _org) in truth.items()
               if "调研" in words and not internal and gate == (access.OPEN,)}
    never = datetime.datetime(1900, 1, 1, tzinfo=UTC)

    def newest_first(filters, keep):
        expected = sorted((pk for pk in visible if keep(pk)), key=lambda pk: (truth[pk][1] or never, pk),
                          reverse=True)
        got = []
        for number in range(1, 40):
            page = selectors.search(anonymous, "调研", filters=filters, sort="date", per_page=9, page=number)
            if number > page.pages:
                break
            got += ids(page)
        return got, expected

    got, expected = newest_first({}, lambda pk: True)
    assert got == expected and len(got) > 40
    got, expected = newest_first({"organization": str(personas.branch_b.pk)},
                                 lambda pk: truth[pk][4] == personas.branch_b.pk)
    assert got == expected and len(got) > 15


@postgres_only
def test_every_document_carries_its_tokens_and_the_migration_writes_the_same(dated):
    from importlib import import_module

    migration = import_module("branchwork.search.migrations.0004_window_tokens")
    personas, channel, truth, admin = dated
    table = "bwsearch_searchdocument"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT d.object_pk, d.vector::text FROM {table} d WHERE d.kind = 'page'")
        before = dict(cursor.fetchall())
    for pk, (_words, date, _internal, _gate, _org) in truth.items():
        if date is not None:
            day = date.astimezone(UTC)
            for token in day_tokens(day.date()) | {f"{windows.MARK}y{date.year}", f"{windows.MARK}kpage",
                                                    f"{windows.MARK}c{channel.pk}"}:
                assert f"'{token}'" in before[pk]
        else:
            assert f"'{windows.MARK}t" not in before[pk]
    with connection.schema_editor() as editor:
        migration.remove_tokens(None, editor)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE vector::text LIKE %s", [f"%'{windows.MARK}%"])
        assert cursor.fetchone()[0] == 0
    with connection.schema_editor() as editor:
        migration.add_tokens(None, editor)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT d.object_pk, d.vector::text FROM {table} d WHERE d.kind = 'page'")
        assert dict(cursor.fetchall()) == before



@postgres_only
@pytest.mark.django_db
def test_a_busy_table_is_left_as_it_is():
    """Putting the table in date order waits a bounded time for others' locks, then gives up
    (the rebuild and the champion build go on without it)."""
    import psycopg

    settings_dict = connection.settings_dict
    other = psycopg.connect(host=settings_dict["HOST"] or None, port=settings_dict["PORT"] or None,
                            user=settings_dict["USER"], password=settings_dict["PASSWORD"] or None,
                            dbname=settings_dict["NAME"])
    try:
        other.execute("SET lock_timeout = '5s'")
        other.execute("LOCK TABLE bwsearch_searchdocument IN ACCESS SHARE MODE")
        assert indexing.order_by_date(wait_seconds=1) is False
    finally:
        other.rollback()
        other.close()
    assert indexing.order_by_date(wait_seconds=1) is True
