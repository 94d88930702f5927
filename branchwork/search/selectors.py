"""The site search: one function, `search()`, for the page, the API and the command.

One SQL query over the index takes the matches the user may see, newest first, up to
`SEARCH_MAX_MATCHES` (1,000 by default), each with its score, kind, organization, channel, year
and date; the facets, the total, the sort and the page are worked out from those rows; a second
query reads the page's documents (original text, for snippets). The permission filter is in the
SQL: for each family of documents, the object must be in `core.permissions.visible(user, model)`,
the rules its model's app registered (pages and documents: publishing's, activities: their app's,
people: core's …). So a result, its title, its snippet and every count come only from
what the user may open. The number of queries does not grow with the results.

Why a cap: a common word (我们, 发展) matches a third of a large site; ranking and counting every
match costs time in proportion (about 0.25 s at 30,000 matches on SQLite), for a ranking nobody
reads past the first pages. With the cap, a query costs at most a few milliseconds more than its
matches take to find; when the cap is reached the page says that it shows the best of the newest
matches (counted among what the user may see, so the cap reveals nothing else).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from branchwork.core import permissions
from branchwork.search import analyzer, highlight
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
    limited: bool = False  # there were more matches than SEARCH_MAX_MATCHES

    @property
    def total_limit(self) -> int:
        return max_matches()

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.hits else 0


# --- SQL for each database ---


class _Engine:
    def __init__(self, connection):
        from modelsearch.conf import get_app_config

        self.connection = connection
        self.entries = get_app_config().get_model("IndexEntry")._meta.db_table
        self.documents = SearchDocument._meta.db_table


class _SQLite(_Engine):
    """FTS5 walks the matches newest first (rowid order, no sorting) and stops at the cap."""

    def __init__(self, connection):
        super().__init__(connection)
        from modelsearch.conf import get_app_config

        self.fts = get_app_config().get_model("SQLiteFTSIndexEntry")._meta.db_table

    def candidates(self, parsed, permission: str, params: list, limit: int, *,
                   with_date: bool) -> tuple[str, list]:
        fts = self.fts
        # bm25() is lower for better matches (negated here); columns: autocomplete, body, title.
        # The date as text (ISO, sorts as it should) spares a datetime object per row.
        date = ", d.date || ''" if with_date else ""
        return (
            f"SELECT d.entry_id, -bm25({fts}, 0.0, 1.0, 4.0), d.kind, d.organization_id, "  # noqa: S608
            f"d.channel_id, d.year{date} FROM {fts} JOIN {self.documents} d ON d.entry_id = {fts}.rowid "
            f"WHERE {fts} MATCH %s AND {permission} ORDER BY {fts}.rowid DESC LIMIT %s",
            ["{title body} : (" + analyzer.fts5_match(parsed) + ")", *params, limit],
        )


class _Postgres(_Engine):
    def candidates(self, parsed, permission: str, params: list, limit: int, *,
                   with_date: bool) -> tuple[str, list]:
        query = analyzer.tsquery(parsed)
        date = ", d.date" if with_date else ""
        return (
            "SELECT d.entry_id, ts_rank(e.title || e.body, %s::tsquery), d.kind, d.organization_id, "  # noqa: S608
            f"d.channel_id, d.year{date} FROM {self.entries} e JOIN {self.documents} d ON d.entry_id = e.id "
            f"WHERE (e.title || e.body) @@ %s::tsquery AND {permission} ORDER BY e.id DESC LIMIT %s",
            [query, query, *params, limit],
        )


def _engine():
    connection = connections[router.db_for_read(SearchDocument)]
    return (_Postgres if connection.vendor == "postgresql" else _SQLite)(connection)


def max_matches() -> int:
    return max(20, int(getattr(settings, "SEARCH_MAX_MATCHES", 1000)))


ANONYMOUS_CLAUSE_SECONDS = 600


def _permission_clause(user) -> tuple[str, list]:
    """SQL: the document is of a family and its object is among those the user may see.

    For visitors the clause is the same for everyone and depends on no data but Wagtail's view
    restrictions (of pages and of collections; whatever else it asks, the database answers with
    the search): built once (the ORM's compiling of each family's rule costs milliseconds) and
    kept in the cache under the restrictions it was built with, read here in two small queries."""
    if user.is_authenticated:
        return _build_permission_clause(user)
    from wagtail.models import CollectionViewRestriction, PageViewRestriction

    restrictions = (
        list(PageViewRestriction.objects.order_by("pk").values_list("pk", "page__path", "restriction_type")),
        list(CollectionViewRestriction.objects.order_by("pk")
             .values_list("pk", "collection__path", "restriction_type")),
    )
    key = "search:permission:anonymous:" + hashlib.sha256(repr(restrictions).encode()).hexdigest()
    clause = cache.get(key)
    if clause is None:
        clause = _build_permission_clause(user)
        cache.set(key, clause, ANONYMOUS_CLAUSE_SECONDS)
    return clause


def _build_permission_clause(user) -> tuple[str, list]:
    """Each family's queryset from the policy becomes a correlated EXISTS on the document's
    object: the database checks the matches one by one (a primary-key lookup each) instead of
    listing everything the user may see first, so the cost follows the matches, not the site.
    """
    clauses, params = [], []
    for family in families():
        queryset = family.visible(user)
        kinds = list(family.kinds)
        kinds_sql = "d.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")"
        if not queryset.query.where:
            clauses.append(kinds_sql)
            params += kinds
            continue
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
    perm_sql, perm_params = _permission_clause(user)
    limit = max_matches()
    sql, params = engine.candidates(parsed, perm_sql, perm_params, limit, with_date=sort == "date")
    with engine.connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()  # (entry_id, score, kind, organization, channel, year[, date])
    results.limited = len(rows) >= limit
    groups = Counter(row[2:6] for row in rows)  # (kind, organization, channel, year) → count
    if filters:
        passing = {group for group in groups if _passes(group, filters)}
        rows = [row for row in rows if row[2:6] in passing]
    results.total = len(rows)
    results.page = page = min(page, results.pages)
    if sort == "date":
        rows.sort(key=lambda row: (row[6] is not None, row[6] or "", row[0]), reverse=True)
    else:
        rows.sort(key=lambda row: (row[1] or 0.0, row[0]), reverse=True)
    ids = [row[0] for row in rows[(page - 1) * per_page:page * per_page]]
    if ids:
        documents = {row[0]: row for row in SearchDocument.objects.filter(entry_id__in=ids).values_list(
            "entry_id", "kind", "object_pk", "title", "text", "date")}
        results.hits = _hits([documents[i] for i in ids if i in documents], parsed, request)
    results.facets = _facets(user, [(*group, count) for group, count in groups.items()], filters)
    return results


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
