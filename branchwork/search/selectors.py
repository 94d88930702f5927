"""The site search: one function, `search()`, for the page, the API and the command.

Every match the user may see is ranked and counted; nothing is cut off. The site search has its
own full-text index (an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL)
in which each document's terms sit beside its access tokens (`access.py`: who reads it, which view
restrictions it is under). The reader's tokens are computed once per request from their roles
(`core.permissions.reader`) and become part of the match expression, so the engine keeps only
what the user may see while it matches: no per-row permission subquery, no clause compiled from
querysets at each search. Documents of a family whose rule is not told by tokens (Wagtail's
library: who opens a file follows the pages that link it) are `checked` and asked of the policy
one by one, with the same SQL as before (`_checked_clause`), only when such a document matches.

The queries, each over the visible matches:
- relevance: a one-word query whose word has a champion list (`champions.py`: its best
  documents by the same score, kept complete above a threshold) takes the page from the list
  when the list's visible rows fill it: the same page, without scoring every match. Otherwise,
  bm25 over title (weight 4) and body (1), `ORDER BY … LIMIT/OFFSET` (on SQLite the engine
  scores every match; on PostgreSQL `ts_rank` over the GIN matches);
- newest first: on SQLite the index's key is the publication date (the FTS5 rowid,
  `access.rowkey`), so the engine walks matches newest first and stops after the page; on
  PostgreSQL the newest matches come from the newest time window that holds enough of them
  (`windows.py`: time tokens in the vector, one statement per window for the facets, the total
  and the page);
- the total: exact up to `count_bound()` matches (`SEARCH_COUNT_BOUND`; by default 5,000 on
  SQLite, counted newest first and stopping there, and 1,000 on PostgreSQL, where each counted
  match's row is read), beyond it an estimate (`Results.total_estimated`, the page says
  "about"): the matches counted scaled by the share of the index's time span they cover;
- whether any `checked` document matches: the word with the token `xdoc` that they alone carry;
- the facets: counted over the newest `SEARCH_MAX_MATCHES` matches (1,000 by default): exact up
  to that many, and beyond it estimates scaled to the total, which the page labels as such
  (`Results.estimated`). Filters are matched by the index too on PostgreSQL (filter tokens).
The number of queries does not grow with the results.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from branchwork.core import permissions
from branchwork.search import access, analyzer, champions, highlight, windows
from branchwork.search.indexing import FTS
from branchwork.search.kinds import families, kind_labels
from branchwork.search.models import SearchDocument

PER_PAGE = 20
MAX_PER_PAGE = 100
SORTS = ("relevance", "date")
FACETS = ("kind", "organization", "channel", "year")
FACET_LABELS = {
    "kind": _("Kind"),
    "organization": _("Organization"),
    "channel": _("Channel"),
    "year": _("Year"),
}
OTHER = "other"


@dataclass
class Hit:
    kind: str
    kind_label: str
    title: SafeString
    snippet: SafeString
    url: str
    date: datetime.datetime | None
    object_id: int


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Results:
    query: str
    parsed: analyzer.Query
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    sort: str = "relevance"
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=lambda: {f: [] for f in FACETS})
    filters: dict[str, str] = field(default_factory=dict)
    truncated: bool = False  # the query was cut to MAX_QUERY_LENGTH
    # More matches than SEARCH_MAX_MATCHES: the facet counts are estimates.
    estimated: bool = False
    # More matches than SEARCH_COUNT_BOUND: the total is an estimate too (the page says "about").
    total_estimated: bool = False

    @property
    def total_limit(self) -> int:
        return max_matches()

    @property
    def count_limit(self) -> int:
        return count_bound()

    @property
    def limited(self) -> bool:
        return self.estimated

    @property
    def pages(self) -> int:
        pages = max(1, -(-self.total // self.per_page))
        if self.total_estimated and len(self.hits) == self.per_page:
            pages = max(pages, self.page + 1)  # an estimate never hides the next page
        return pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.hits else 0


@dataclass
class _Scope:
    """What one search asks: the query, the reader's tokens, the `checked` clause (SQL on `d`,
    or empty) and the filters (as chosen, and as SQL on `d`)."""

    parsed: analyzer.Query
    tokens: access.ReaderTokens
    where: str
    where_params: list
    filters: dict[str, str]
    filter_sql: str
    filter_params: list


@dataclass
class _Tally:
    """The counts of one search: the facets' cube over the newest matches (kind, organization,
    channel, year, count; scaled to the total when estimated), the total (of the filtered
    matches), and the keys of the newest-first page when the tally met them on its way."""

    cube: list[tuple]
    estimated: bool
    total: int
    total_estimated: bool
    newest: list[int] | None = None


# --- SQL for each database ---


def _fts5_tokens(tokens) -> str:
    return " OR ".join(f'"{t}"' for t in tokens)


def _ts_tokens(tokens) -> str:
    return " | ".join(analyzer.tsquery_lexeme(access.PG_MARK + t) for t in tokens)


class _Engine:
    """The SQL of one database: `source` (FROM … WHERE: the matches the reader may see), the
    key of a match, the orders."""

    documents = SearchDocument._meta.db_table

    def __init__(self, connection):
        self.connection = connection

    def fetch(self, sql: str, params: list) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


class _SQLite(_Engine):
    """The site search's FTS5 table, its rowid the document's `rowkey` (date first)."""

    key = f"{FTS}.rowid"
    document_key = "rowkey"
    date_order = f"{FTS}.rowid DESC"
    time = f"{FTS}.rowid"

    def first_time(self) -> tuple[str, list]:
        # The oldest dated document (undated ones have the lowest keys).
        return (f"SELECT min(rowkey) FROM {self.documents} WHERE rowkey >= %s",  # noqa: S608
                [access.FIRST_DATED_KEY])

    @staticmethod
    def seconds(value):
        return None if value is None else access.seconds_of(value)

    def source(self, parsed, tokens: access.ReaderTokens, *, with_documents: bool) -> tuple[str, list]:
        match = "{title body} : (" + analyzer.fts5_match(parsed) + ")"
        match += " AND readers : (" + _fts5_tokens(tokens.readers) + ")"
        if not tokens.superuser:
            match += " AND gate : (" + _fts5_tokens(tokens.gates) + ")"
        join = f" JOIN {self.documents} d ON d.rowkey = {FTS}.rowid" if with_documents else ""
        return f"FROM {FTS}{join} WHERE {FTS} MATCH %s", [match]

    def probe(self, parsed, tokens: access.ReaderTokens) -> tuple[str, list]:
        # The `checked` documents are those read by `xdoc` alone (access.py): few, quick to meet.
        match = "{title body} : (" + analyzer.fts5_match(parsed) + ")"
        match += f' AND readers : "{access.CHECKED}" AND gate : (' + _fts5_tokens(tokens.gates) + ")"
        return f"SELECT 1 FROM {FTS} WHERE {FTS} MATCH %s LIMIT 1", [match]

    def checked(self, permission: str, params: list) -> tuple[str, list]:
        return (f"(({FTS}.rowid & 1) = 0 OR EXISTS (SELECT 1 FROM {self.documents} d WHERE d.rowkey = {FTS}.rowid "
                f"AND {permission}))", params)

    def relevance(self, parsed) -> tuple[str, list]:
        # bm25() is lower for better matches; columns: title, body, readers, gate.
        return f"bm25({FTS}, 4.0, 1.0, 0.0, 0.0), {FTS}.rowid DESC", []

    def matching(self, scope: _Scope, *, filtered: bool) -> tuple[str, list]:
        """FROM … WHERE: the visible matches (those passing the filters too when `filtered`)."""
        joined = filtered and bool(scope.filters)
        source, params = self.source(scope.parsed, scope.tokens, with_documents=joined)
        if joined:
            return (source + scope.where + scope.filter_sql,
                    params + scope.where_params + scope.filter_params)
        return source + scope.where, params + scope.where_params

    def tally(self, scope: _Scope, *, limit: int, bound: int, term: str | None,
              page: tuple[int, int] | None) -> _Tally:
        """The index walks matches newest first and stops: the facets over the newest `limit`,
        the totals counted newest first up to `bound` (`_bounded_count`)."""
        visible_sql, visible_params = self.matching(scope, filtered=False)
        cube = self.fetch(
            f"SELECT d.kind, d.organization_id, d.channel_id, d.year, count(*) FROM "  # noqa: S608
            f"(SELECT {self.key} AS k {visible_sql} ORDER BY {self.date_order} LIMIT %s) m "
            f"JOIN {self.documents} d ON d.{self.document_key} = m.k GROUP BY 1, 2, 3, 4",
            [*visible_params, limit],
        )
        seen = sum(row[4] for row in cube)
        if seen < limit:
            return _Tally(cube, False, sum(row[4] for row in cube if _passes(row, scope.filters)), False)
        everything, estimated = _bounded_count(self, visible_sql, visible_params)
        total = everything
        if scope.filters:
            total, filtered_estimate = _bounded_count(self, *self.matching(scope, filtered=True))
            estimated = estimated or filtered_estimate
        scale = everything / seen
        return _Tally([(*row[:4], max(1, round(row[4] * scale))) for row in cube], True, total, estimated)


class _Postgres(_Engine):
    """The `vector` column of the search documents (title A, body D; access, time and filter
    tokens B) under its GIN index; the newest matches from time windows (`windows.py`)."""

    key = "d.entry_id"
    document_key = "entry_id"
    date_order = "d.date DESC NULLS LAST, d.entry_id DESC"

    def source(self, parsed, tokens: access.ReaderTokens, *, with_documents: bool) -> tuple[str, list]:
        return self.matching(_Scope(parsed, tokens, "", [], {}, "", []), filtered=False)

    def probe(self, parsed, tokens: access.ReaderTokens) -> tuple[str, list]:
        query = f"({analyzer.tsquery(parsed)}) & {_ts_tokens([access.CHECKED])} & ({_ts_tokens(tokens.gates)})"
        return f"SELECT 1 FROM {self.documents} d WHERE d.vector @@ %s::tsquery AND d.checked LIMIT 1", [query]

    def checked(self, permission: str, params: list) -> tuple[str, list]:
        return f"(NOT d.checked OR {permission})", params

    def relevance(self, parsed) -> tuple[str, list]:
        return "ts_rank(d.vector, %s::tsquery) DESC, d.entry_id DESC", [analyzer.tsquery(parsed)]

    @staticmethod
    def tsquery(scope: _Scope, *, filtered: bool, cover: list[str] | None = None) -> str:
        """The match: the words, the reader's tokens, the filters' tokens (when `filtered`) and
        the window's time tokens (`cover`, none: the whole index)."""
        query = f"({analyzer.tsquery(scope.parsed)}) & ({_ts_tokens(scope.tokens.readers)})"
        if not scope.tokens.superuser:
            query += f" & ({_ts_tokens(scope.tokens.gates)})"
        if filtered:
            for name, value in scope.filters.items():
                query += " & " + analyzer.tsquery_lexeme(windows.facet_token(name, value))
        if cover:
            query += " & (" + " | ".join(analyzer.tsquery_lexeme(t) for t in cover) + ")"
        return query

    def matching(self, scope: _Scope, *, filtered: bool, cover: list[str] | None = None) -> tuple[str, list]:
        """FROM … WHERE: the visible matches (those passing the filters too when `filtered`, in
        the window `cover` when given)."""
        return (f"FROM {self.documents} d WHERE d.vector @@ %s::tsquery{scope.where}",
                [self.tsquery(scope, filtered=filtered, cover=cover), *scope.where_params])

    def span(self, term: str | None) -> tuple[windows.Span, float | None]:
        """The index's first and newest dates and its documents (the planner's count, counted
        when the table was never analyzed), and the share of documents expected to match a
        one-word query (its champion list's count; below the lists' minimum when it has none)."""
        first, newest, documents, listed, lists = self.fetch(
            f"SELECT min(date), max(date), (SELECT reltuples FROM pg_class WHERE oid = %s::regclass), "  # noqa: S608
            f"(SELECT documents FROM {champions.TERMS} WHERE term = %s), "
            f"EXISTS (SELECT 1 FROM {champions.TERMS}) FROM {self.documents}",
            [self.documents, term])[0]
        if documents is None or documents < 0:
            documents = self.fetch(f"SELECT count(*) FROM {self.documents}", [])[0][0]  # noqa: S608
        span = windows.Span(first, newest, int(documents))
        rate = None
        if term is not None and lists and span.documents:
            rate = min(1.0, (listed if listed is not None else champions.min_df()) / span.documents)
        return span, rate

    def _window(self, scope: _Scope, span: windows.Span, rate: float | None, *, need: int, filtered: bool,
                cube: int, page: tuple[int, int]) -> tuple[datetime.date | None, int, list[tuple]]:
        """The newest matches, from the first window holding `need` of them (or the whole
        index): its first day (None: the whole index), its matches, and the rows of one
        statement over them: (0, count), the cube over the newest `cube` (1, kind,
        organization, channel, year, count) and the keys of the newest ranked in `page`
        (2, key, rank)."""
        last = max(cube, page[1])
        statement = [
            "SELECT 0, NULL, NULL, NULL, NULL, count(*) FROM m",
        ]
        if cube:
            statement.append("SELECT 1, kind, organization_id, channel_id, year, count(*) FROM n "
                             "WHERE r <= %s GROUP BY 2, 3, 4, 5")
        if page[1] > page[0]:
            statement.append("SELECT 2, NULL, entry_id, NULL, NULL, r FROM n WHERE r > %s AND r <= %s")
        start = windows.first_start(span, need, rate)
        while True:
            cover = windows.cover(start, span.newest.astimezone(datetime.UTC).year) if start else None
            sql, params = self.matching(scope, filtered=filtered, cover=cover)
            rows = self.fetch(
                f"WITH m AS MATERIALIZED (SELECT d.entry_id, d.date, d.kind, d.organization_id, d.channel_id, "  # noqa: S608
                f"d.year {sql}), n AS (SELECT t.*, row_number() OVER (ORDER BY date DESC NULLS LAST, "
                "entry_id DESC) AS r FROM (SELECT * FROM m ORDER BY date DESC NULLS LAST, entry_id DESC "
                "LIMIT %s) t) " + " UNION ALL ".join(statement),
                [*params, last, *([cube] if cube else []), *(page if page[1] > page[0] else [])])
            found = next(row[5] for row in rows if row[0] == 0)
            if start is None or found >= need:
                return start, found, rows
            start = windows.widen(span, start, found, need)

    def tally(self, scope: _Scope, *, limit: int, bound: int, term: str | None,
              page: tuple[int, int] | None) -> _Tally:
        """The same counts from the newest window that holds enough matches (`windows.py`): one
        statement for the facets, the total and a newest-first page, another for the filtered
        total and page when filters are chosen (the first then needs only the facets' matches)."""
        span, rate = self.span(term)
        ranks = page or (0, 0)
        if scope.filters:
            start, found, rows = self._window(scope, span, rate, need=limit + 1, filtered=False, cube=limit,
                                              page=(0, 0))
        else:
            start, found, rows = self._window(scope, span, rate, need=max(bound + 1, ranks[1]), filtered=False,
                                              cube=limit, page=ranks)
        cube = [row[1:] for row in rows if row[0] == 1]
        seen = sum(row[4] for row in cube)
        everything = found if start is None else windows.estimate(span, start, found)
        if everything > seen:
            scale = everything / seen
            cube = [(*row[:4], max(1, round(row[4] * scale))) for row in cube]
        if scope.filters:
            if "year" in scope.filters:  # the year's matches are all in its own span
                span = span.within_year(int(scope.filters["year"]))
            start, found, rows = self._window(scope, span, rate, need=max(bound + 1, ranks[1]), filtered=True,
                                              cube=0, page=ranks)
        total = found if start is None else windows.estimate(span, start, found)
        keys = [key for _rank, key in sorted((row[5], row[2]) for row in rows if row[0] == 2)] if page else None
        return _Tally(cube, everything > seen, total, start is not None, keys)


def _engine():
    connection = connections[router.db_for_read(SearchDocument)]
    return (_Postgres if connection.vendor == "postgresql" else _SQLite)(connection)


def max_matches() -> int:
    """How many of the newest matches the facets are counted over (exactly up to it)."""
    return max(20, int(getattr(settings, "SEARCH_MAX_MATCHES", 1000)))


def _checked_clause(user) -> tuple[str, list]:
    """SQL on `d` (a search document): for the families whose documents are `checked`, the
    document's object is among those the policy lets the user see (a correlated EXISTS on the
    object: a primary-key lookup each, for those documents only)."""
    clauses, params = [], []
    for family in families():
        if not getattr(family, "checked", False):
            continue
        queryset = family.visible(user)
        kinds = list(family.kinds)
        kinds_sql = "d.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")"
        try:
            sub_sql, sub_params = (
                queryset.order_by().filter(pk=RawSQL("d.object_pk", ())).values("pk")
                .query.sql_with_params()
            )
        except EmptyResultSet:
            continue
        clauses.append(f"({kinds_sql} AND EXISTS ({sub_sql}))")
        params += kinds + list(sub_params)
    if not clauses:
        return "1 = 0", []
    return "(" + " OR ".join(clauses) + ")", params


_FILTER_COLUMNS = {"kind": "d.kind", "organization": "d.organization_id", "channel": "d.channel_id",
                   "year": "d.year"}

def _clean_filters(raw: dict) -> dict[str, str]:
    labels = kind_labels()
    filters = {}
    kind = str(raw.get("kind") or "").strip()
    if kind in labels:
        filters["kind"] = kind
    for name in ("organization", "channel", "year"):
        value = str(raw.get(name) or "").strip()
        if value.isdigit() and len(value) < 12:
            filters[name] = value
    return filters


# --- The search ---


def search(user, query: str, *, filters: dict | None = None, sort: str = "relevance",
           page: int | str = 1, per_page: int = PER_PAGE, request=None) -> Results:
    """What `user` may see that matches `query`: one page of hits (highlighted), the facets and
    the total. `filters` may name a kind, an organization, a channel and a year (others are
    ignored); `sort` is relevance or date (newest first)."""
    raw = (query or "").strip()
    parsed = analyzer.parse_query(raw)
    sort = sort if sort in SORTS else "relevance"
    per_page = max(1, min(int(per_page or PER_PAGE), MAX_PER_PAGE))
    try:
        page = max(1, int(page))
    except (TypeError, ValueError):
        page = 1
    filters = _clean_filters(filters or {})
    results = Results(query=parsed.text, parsed=parsed, page=page, per_page=per_page, sort=sort,
                      filters=filters, truncated=len(raw) > analyzer.MAX_QUERY_LENGTH)
    if not parsed:
        return results

    engine = _engine()
    tokens = access.reader_tokens(user)
    where, where_params, checked = "", [], None
    if not tokens.superuser:
        # Documents asked of the policy one by one: the clause is built only when one matches.
        if engine.fetch(*engine.probe(parsed, tokens)):
            checked = _checked_clause(user)
            where, where_params = engine.checked(*checked)
            where = " AND " + where
    filter_sql, filter_params = "", []
    for name, value in filters.items():
        filter_sql += f" AND {_FILTER_COLUMNS[name]} = %s"
        filter_params.append(value if name == "kind" else int(value))
    scope = _Scope(parsed, tokens, where, where_params, filters, filter_sql, filter_params)

    offset = (page - 1) * per_page
    term = champions.listed_term(parsed)
    tally = engine.tally(scope, limit=max_matches(), bound=count_bound(), term=term,
                         page=(offset, offset + per_page) if sort == "date" else None)
    results.estimated = tally.estimated
    results.total, results.total_estimated = tally.total, tally.total_estimated
    if not results.total_estimated:
        results.page = page = min(page, results.pages)
        if (page - 1) * per_page != offset:  # past the last page: the last one, asked afresh
            offset, tally.newest = (page - 1) * per_page, None

    keys = None
    if sort == "relevance" and term is not None and results.total:
        keys = champions.page_keys(engine, tokens, term, checked=checked, filters=(filter_sql, filter_params),
                                   offset=offset, limit=per_page)
    if keys is None and sort == "date" and tally.newest is not None:
        keys = tally.newest
    if keys is None:
        if sort == "date":
            order, order_params = engine.date_order, []
        else:
            order, order_params = engine.relevance(parsed)
        sql, params = engine.matching(scope, filtered=True)
        keys = [row[0] for row in engine.fetch(
            f"SELECT {engine.key} {sql} ORDER BY {order} LIMIT %s OFFSET %s",  # noqa: S608
            [*params, *order_params, per_page, offset],
        )] if results.total else []
    if keys:
        documents = {row[0]: row[1:] for row in SearchDocument.objects.filter(
            **{f"{engine.document_key}__in": keys}).values_list(
            engine.document_key, "entry_id", "kind", "object_pk", "title", "text", "date")}
        results.hits = _hits([documents[k] for k in keys if k in documents], parsed, request)
    results.facets = _facets(user, tally.cube, filters)
    return results


# Up to how many matches each database counts the total exactly by default: SQLite counts
# newest first in its full-text index alone; PostgreSQL reads each counted match's row.
COUNT_BOUNDS = {"sqlite": 5000, "postgresql": 1000}


def count_bound() -> int:
    """Up to how many matches the total is counted exactly (beyond it, estimated):
    `SEARCH_COUNT_BOUND`, or the database's own (`COUNT_BOUNDS`), never below the facets'."""
    bound = int(getattr(settings, "SEARCH_COUNT_BOUND", 0) or 0)
    if bound <= 0:
        bound = COUNT_BOUNDS.get(connections[router.db_for_read(SearchDocument)].vendor, 1000)
    return max(max_matches(), bound)


def _bounded_count(engine, sql: str, params: list) -> tuple[int, bool]:
    """The number of matches, exact up to `count_bound()`; beyond it an estimate (True): the
    bound scaled by how much of the index's time the newest `bound` matches span (matches
    taken as spread evenly over time), so that no query walks every match to count them."""
    bound = count_bound()
    count, oldest, newest = engine.fetch(
        f"SELECT count(*), min(t), max(t) FROM (SELECT {engine.time} AS t {sql} "  # noqa: S608
        f"ORDER BY {engine.date_order} LIMIT %s) m", [*params, bound + 1])[0]
    if count <= bound:
        return count, False
    first = engine.fetch(*engine.first_time())[0][0]
    oldest, newest = engine.seconds(oldest), engine.seconds(newest)
    first = engine.seconds(first) if first is not None else oldest
    if newest is None or oldest is None or first is None or newest <= oldest or oldest <= first:
        return count, True
    return max(count, round(count * (newest - first) / (newest - oldest))), True


def _passes(row, filters: dict[str, str], *, skip: str | None = None) -> bool:
    """Does a row (kind, organization, channel, year, …) pass the chosen filters?"""
    values = dict(zip(FACETS, row[:4], strict=False))
    for name, wanted in filters.items():
        if name == skip:
            continue
        have = values[name]
        if have is None or str(have) != wanted:
            return False
    return True


def _hits(documents: list[tuple], parsed, request) -> list[Hit]:
    """Hits of documents given as (entry_id, kind, object_pk, title, text, date)."""
    labels = kind_labels()
    family_of = {kind: family for family in families() for kind in family.kinds}
    by_family: dict[str, list[int]] = {}
    for _entry, kind, object_pk, *_rest in documents:
        by_family.setdefault(family_of[kind].code, []).append(object_pk)
    urls: dict[tuple[str, int], str] = {}
    for family in families():
        pks = by_family.get(family.code)
        if pks:
            for pk, url in family.urls(pks, request).items():
                urls[(family.code, pk)] = url
    return [
        Hit(
            kind=kind, kind_label=str(labels[kind]),
            title=highlight.highlight(title, parsed),
            snippet=highlight.snippet(text, parsed),
            url=urls.get((family_of[kind].code, object_pk), ""),
            date=timezone.localtime(date) if date else None,
            object_id=object_pk,
        )
        for _entry, kind, object_pk, title, text, date in documents
    ]


def _facets(user, cube, filters: dict[str, str]) -> dict[str, list[FacetValue]]:
    """Counts of each facet's values among the matches the user may see, with the other
    facets' selections applied (so that choosing a kind still shows the other kinds)."""
    counts: dict[str, dict] = {name: {} for name in FACETS}
    for row in cube:
        values = dict(zip(FACETS, row[:4], strict=True))
        for name in FACETS:
            if not _passes(row, filters, skip=name):
                continue
            key = values[name]
            if key is None:
                continue
            counts[name][key] = counts[name].get(key, 0) + row[4]

    labels = kind_labels()
    org_ids = list(counts["organization"])
    org_names = {}
    if org_ids:
        org_names = {org.pk: org.display_name
                     for org in permissions.visible_organizations(user).filter(pk__in=org_ids)}
    channel_ids = list(counts["channel"])
    channel_names = {}
    if channel_ids:
        from wagtail.models import Page

        # A channel is above pages the user may see: under no restriction they do not pass
        # (restrictions hold for everything under a page) and never an article; live ones only.
        channel_names = dict(Page.objects.filter(pk__in=channel_ids, live=True).values_list("pk", "title"))

    def values(name, label_of) -> list[FacetValue]:
        out, other = [], 0
        for key, count in counts[name].items():
            label = label_of(key)
            if label is None:
                other += count
                continue
            out.append(FacetValue(str(key), str(label), count, filters.get(name) == str(key)))
        if name == "year":
            out.sort(key=lambda v: v.value, reverse=True)
        else:
            out.sort(key=lambda v: (-v.count, v.label))
        if other:
            out.append(FacetValue(OTHER, str(_("Other")), other, False))
        return out

    return {
        "kind": values("kind", labels.get),
        "organization": values("organization", org_names.get),
        "channel": values("channel", channel_names.get),
        "year": values("year", lambda key: key),
    }
