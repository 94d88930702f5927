"""Champion lists: for each frequent term, its best documents by impact, precomputed.

A one-word search for a common word matches a large share of the index, and ranking every
visible match by relevance (what `selectors.search` does) costs time in proportion to the
matches. A term whose document frequency reaches `SEARCH_CHAMPION_MIN_DF` (1,000 by default)
gets a list (`Champion` rows, indexed on term, impact descending): the documents whose *impact*
for the term, the score the relevance ordering gives them for a query of that one term, is at
least the list's threshold (`ChampionTerm`; an equal impact with a key at or above its
`threshold_key`). The invariant: a term's list holds **every** document containing the term that
ranks at or above its threshold. So when the visible rows
of the list (the reader's access tokens and the `checked` clause applied to each, as the full
search applies them) fill the page, they are the page the full ranking would give: any document
outside the list scores below every row in it. When they do not (a deep page, a reader who sees
little of the list), the search falls back to the full ranking.

The impact, per database, is the relevance ordering's own score for a single-term query:
- SQLite: FTS5's bm25 with the site index's weights (title 4, body 1, access tokens 0):
  `idf · f · (k1 + 1) / (f + k1 · (1 − b + b · D / avgdl))`, k1 = 1.2, b = 0.75, f the weighted
  count of the term in the title and the body, D the document's tokens in all columns, avgdl
  their average over the index, idf = ln((N − n + 0.5) / (n + 0.5)) (1e-6 when not positive).
  The build takes the top of each list from FTS5's `bm25()` itself; a document written later is
  scored in Python by the formula, with the idf and avgdl kept from the build (`ChampionTerm`).
- PostgreSQL: `ts_rank(vector, 'term')`, which depends on the document only (no corpus
  statistics), so impacts never drift there.

Maintenance: `rebuild()` (the command `branchwork build_search_champions`, also run at the end
of `branchwork rebuild_search_index`) picks the frequent terms and fills the top
`SEARCH_CHAMPION_SIZE` (1,000) of each, in the relevance ordering's order (impact, then key,
descending: ties are broken as the full ranking breaks them), the last row kept being the
threshold (`threshold`, `threshold_key`). Every indexing write (`indexing.write_docs`, `delete_entries`) deletes the
rows of the documents it rewrites or removes and inserts a rewritten document into each listed
term's list where its impact reaches the threshold: the invariant holds through writes.

Drift (SQLite): idf and avgdl move as documents come and go, while the list keeps the build's.
Within one term idf is a constant factor, so only avgdl moves the order, and slowly: a list
built over N documents orders by lengths as they were. New frequent terms get no list until the
next build, and a listed term's list only grows between builds. Rebuild when a tenth or more of
the documents are new since the last build (`ChampionTerm.documents` and `built_at` say what it
was built over), and after every `rebuild_search_index` (which does it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.conf import settings
from django.db import connections, router, transaction

from branchwork.search.models import Champion, ChampionTerm, SearchDocument

K1, B = 1.2, 0.75
TITLE_WEIGHT, BODY_WEIGHT = 4.0, 1.0
FTS = "bwsearch_fts"
CHAMPIONS = Champion._meta.db_table
TERMS = ChampionTerm._meta.db_table
DOCUMENTS = SearchDocument._meta.db_table


def min_df() -> int:
    return max(1, int(getattr(settings, "SEARCH_CHAMPION_MIN_DF", 1000)))


def list_size() -> int:
    return max(1, int(getattr(settings, "SEARCH_CHAMPION_SIZE", 1000)))


def _connection():
    return connections[router.db_for_write(Champion)]


def listed_term(parsed) -> str | None:
    """The one index term of a query that a champion list may answer (one word, no phrase, no
    prefix), or None."""
    if len(parsed.terms) != 1:
        return None
    term = parsed.terms[0]
    if term.prefix or term.is_phrase:
        return None
    return term.terms[0]


# --- Impacts ---


def bm25_impact(term: str, title: Sequence[str], body: Sequence[str], length: int, *, idf: float,
                avgdl: float) -> float:
    """FTS5's bm25 for one term (positive: higher is better), as the site index weighs it."""
    f = TITLE_WEIGHT * sum(1 for t in title if t == term) + BODY_WEIGHT * sum(1 for t in body if t == term)
    if not f:
        return 0.0
    return idf * f * (K1 + 1.0) / (f + K1 * (1.0 - B + B * length / (avgdl or 1.0)))


def _idf(rows: int, hits: int) -> float:
    idf = math.log((rows - hits + 0.5) / (hits + 0.5))
    return idf if idf > 0.0 else 1e-6


# --- The build ---


def rebuild() -> dict:
    """Build every list afresh; returns what was built (terms, rows)."""
    connection = _connection()
    with transaction.atomic(using=connection.alias):
        Champion.objects.using(connection.alias).all().delete()
        ChampionTerm.objects.using(connection.alias).all().delete()
        if connection.vendor == "postgresql":
            terms = _build_postgres(connection)
        else:
            terms = _build_sqlite(connection)
    return {"terms": terms, "rows": Champion.objects.using(connection.alias).count()}


def ranks_in(impact: float, key: int, listed: ChampionTerm) -> bool:
    """Does a document rank at or above the list's last row (impact, then key, descending)?"""
    return impact > listed.threshold or (impact == listed.threshold and key >= listed.threshold_key)


def _save(connection, term: str, rows, *, idf=0.0, avgdl=0.0, documents=0) -> bool:
    """A term's list: `rows` (key, impact, checked), best first, the last one the threshold."""
    if not rows:
        return False
    ChampionTerm.objects.using(connection.alias).create(
        term=term, threshold=rows[-1][1], threshold_key=rows[-1][0], idf=idf, avgdl=avgdl, documents=documents)
    Champion.objects.using(connection.alias).bulk_create(
        [Champion(term=term, key=key, impact=impact, checked=checked) for key, impact, checked in rows],
        batch_size=1000)
    return True


def _build_sqlite(connection) -> int:
    size, built = list_size(), 0
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.bwsearch_vocab USING fts5vocab(main, {FTS}, row)")
        cursor.execute(f"SELECT count(*) FROM {FTS}")  # noqa: S608
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT term, doc, cnt FROM temp.bwsearch_vocab")
        vocabulary = cursor.fetchall()
        cursor.execute("DROP TABLE temp.bwsearch_vocab")
        if not rows:
            return 0
        avgdl = sum(cnt for _t, _d, cnt in vocabulary) / rows
        for term, documents, _cnt in vocabulary:
            if documents < min_df():
                continue
            match = '{title body} : "' + term.replace('"', '""') + '"'
            cursor.execute(f"SELECT count(*) FROM {FTS} WHERE {FTS} MATCH %s", [match])  # noqa: S608
            hits = cursor.fetchone()[0]
            if hits < min_df():
                continue  # an access token, or a word of the access columns
            cursor.execute(
                f"SELECT rowid, -bm25({FTS}, {TITLE_WEIGHT}, {BODY_WEIGHT}, 0.0, 0.0) FROM {FTS} "  # noqa: S608
                f"WHERE {FTS} MATCH %s ORDER BY bm25({FTS}, {TITLE_WEIGHT}, {BODY_WEIGHT}, 0.0, 0.0), rowid DESC "
                "LIMIT %s", [match, size])
            best = [(key, impact, bool(key & 1)) for key, impact in cursor.fetchall()]
            built += _save(connection, term, best, idf=_idf(rows, hits), avgdl=avgdl, documents=hits)
    return built


def _build_postgres(connection) -> int:
    from branchwork.search import access, analyzer

    size, built = list_size(), 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT word, ndoc FROM ts_stat('SELECT vector FROM {DOCUMENTS}') WHERE ndoc >= %s",  # noqa: S608
                       [min_df()])
        for term, documents in cursor.fetchall():
            if term.startswith(access.PG_MARK):
                continue
            query = analyzer.tsquery_lexeme(term)
            cursor.execute(
                f"SELECT entry_id, ts_rank(vector, %s::tsquery), checked FROM {DOCUMENTS} "  # noqa: S608
                "WHERE vector @@ %s::tsquery ORDER BY 2 DESC, entry_id DESC LIMIT %s", [query, query, size])
            best = cursor.fetchall()
            built += _save(connection, term, best, documents=documents)
    return built


# --- Writes ---


def forget(keys: Sequence[int]) -> None:
    """Remove documents (by their key) from every list."""
    keys = list(keys)
    for start in range(0, len(keys), 500):
        Champion.objects.filter(key__in=keys[start:start + 500])._raw_delete(
            using=router.db_for_write(Champion))


def written_sqlite(documents, terms: dict[int, tuple[str, str]], old_keys: Sequence[int]) -> None:
    """After `indexing.write_docs` wrote `documents` (terms: entry id → analyzed title, body) on
    SQLite: their old rows out, and each listed term they hold in where the impact reaches the
    threshold."""
    lists = {t.term: t for t in ChampionTerm.objects.all()}
    if not lists:
        return
    forget(sorted(set(old_keys) | {doc.rowkey for doc in documents}))
    rows = []
    for doc in documents:
        if not doc.readers or doc.entry_id not in terms:
            continue
        title, body = (part.split() for part in terms[doc.entry_id])
        length = len(title) + len(body) + len(doc.readers.split()) + len(doc.gate.split())
        for term in set(title) | set(body):
            listed = lists.get(term)
            if listed is None:
                continue
            impact = bm25_impact(term, title, body, length, idf=listed.idf, avgdl=listed.avgdl)
            if ranks_in(impact, doc.rowkey, listed):
                rows.append(Champion(term=term, key=doc.rowkey, impact=impact, checked=doc.checked))
    Champion.objects.bulk_create(rows, batch_size=1000)


def written_postgres(connection, entry_ids: Sequence[int]) -> None:
    """After `indexing.write_docs` wrote the documents of `entry_ids` (their vectors set) on
    PostgreSQL: their old rows out, their new ones in (one statement for every listed term)."""
    from branchwork.search import analyzer

    lists = list(ChampionTerm.objects.values_list("term", "threshold", "threshold_key"))
    if not lists:
        return
    forget(entry_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CHAMPIONS} (term, key, impact, checked) "  # noqa: S608
            f"SELECT t.term, d.entry_id, r.impact, d.checked FROM {DOCUMENTS} d, "
            "unnest(%s::text[], %s::tsquery[], %s::float8[], %s::bigint[]) AS t (term, q, threshold, tkey), "
            "LATERAL (SELECT ts_rank(d.vector, t.q)::float8 AS impact) r "
            "WHERE d.entry_id = ANY(%s) AND d.vector @@ t.q "
            "AND (r.impact > t.threshold OR (r.impact = t.threshold AND d.entry_id >= t.tkey))",
            [[t for t, _h, _k in lists], [analyzer.tsquery_lexeme(t) for t, _h, _k in lists],
             [h for _t, h, _k in lists], [k for _t, _h, k in lists], list(entry_ids)],
        )


def remove_orphans() -> None:
    """Rows whose document is gone."""
    key = "rowkey" if _connection().vendor == "sqlite" else "entry_id"
    Champion.objects.exclude(key__in=SearchDocument.objects.filter(**{f"{key}__isnull": False})
                             .values(key)).delete()


# --- The search ---


def page_keys(engine, tokens, term: str, *, checked: tuple[str, list] | None, filters: tuple[str, list],
              offset: int, limit: int) -> list[int] | None:
    """The keys of one relevance-ordered page of a one-term query from the term's list: its rows
    the reader may see (the same access tokens and `checked` clause as the full search), best
    first, filters applied; None when the list has fewer visible rows than the page needs (the
    full ranking must answer)."""
    from branchwork.search import selectors

    if engine.connection.vendor == "postgresql":
        visible = "d.vector @@ %s::tsquery"
        query = f"({selectors._ts_tokens(tokens.readers)})"
        if not tokens.superuser:
            query += f" & ({selectors._ts_tokens(tokens.gates)})"
        params = [query]
        join = "d.entry_id = c.key"
    else:
        match = "readers : (" + selectors._fts5_tokens(tokens.readers) + ")"
        if not tokens.superuser:
            match += " AND gate : (" + selectors._fts5_tokens(tokens.gates) + ")"
        visible = f"EXISTS (SELECT 1 FROM {FTS} WHERE {FTS} MATCH %s AND {FTS}.rowid = c.key)"
        params = [match]
        join = "d.rowkey = c.key"
    where = visible
    if checked is not None:
        where += f" AND (NOT d.checked OR {checked[0]})"
        params += checked[1]
    where += filters[0]
    params += filters[1]
    rows = engine.fetch(
        f"SELECT c.key FROM {CHAMPIONS} c JOIN {DOCUMENTS} d ON {join} "  # noqa: S608
        f"WHERE c.term = %s AND {where} ORDER BY c.impact DESC, c.key DESC LIMIT %s",
        [term, *params, offset + limit],
    )
    if len(rows) < offset + limit:
        return None
    return [row[0] for row in rows[offset:]]
