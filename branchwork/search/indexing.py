"""Writing to the one search index: Wagtail's index entries, analyzed, and our documents beside.

Every path that indexes comes through `write_docs`: our Wagtail backend's `add_items` (pages,
activities, people and whatever else Wagtail indexes, on save, publish, unpublish and lock, by the
task worker), our own signal handlers for the journal and the lecture hall, and
`branchwork rebuild_search_index`. An entry's title, body and autocomplete columns hold the
analyzer's terms (space-joined for SQLite's FTS5 table, a tsvector on PostgreSQL); the
`SearchDocument` beside it holds the original text for snippets and what facets need.

Files count as text of what they belong to (`attached_text`): a document is found by what its
file says, an activity by its materials, a talk by its slides.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError, connections, router, transaction
from django.db.models import Manager, Model
from django.utils import timezone
from django.utils.encoding import force_str
from modelsearch.conf import get_app_config
from modelsearch.index import AutocompleteField, RelatedFields, SearchField

from branchwork.core.language import join_paragraphs
from branchwork.search import access, analyzer, champions, extract, windows
from branchwork.search.kinds import Family, Filing, family_for_model
from branchwork.search.models import SearchDocument

logger = logging.getLogger(__name__)

BATCH = 400


def index_entry_model():
    return get_app_config().get_model("IndexEntry")


@dataclass
class Doc:
    """One object as the index takes it."""

    content_type_id: int
    pk: int | str
    title: str
    body: str
    autocomplete: str
    filing: Filing | None
    # What results show (title) and cut snippets from (text): the indexed text unless the family
    # says otherwise (a person shows their names, not their email address).
    shown_title: str = ""
    shown_text: str = ""

    def __post_init__(self):
        self.shown_title = self.shown_title or self.title
        self.shown_text = self.shown_text or self.body


# --- From objects to documents ---


# Wagtail gives a rich text's paragraphs joined by spaces: between Chinese, a space is a gap.
_HAN_GAP = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s+(?=[\u4e00-\u9fff])")


def _prepare(value) -> str:
    if isinstance(value, str):
        return _HAN_GAP.sub("", value)
    # A StreamField's blocks (paragraphs, captions) run on by their script's rules, empty
    # ones left out ("阶段成果。调研成果交流会现场", not "阶段成果。, 调研成果交流会现场, ,").
    if isinstance(value, list | tuple):
        return join_paragraphs(_prepare(v) for v in value)
    if isinstance(value, dict):
        return join_paragraphs(_prepare(v) for v in value.values())
    return "" if value is None else force_str(value)


def _field_values(obj, fields) -> Iterator[tuple[object, str]]:
    """(search field, text) for an object's `search_fields`, following RelatedFields."""
    for field in fields:
        if isinstance(field, SearchField | AutocompleteField):
            yield field, _prepare(field.get_value(obj))
        elif isinstance(field, RelatedFields):
            related = field.get_value(obj)
            if related is None:
                continue
            if isinstance(related, Manager):
                related = related.all()
            elif callable(related):
                related = [related()]
            else:
                related = [related]
            for sub in related:
                yield from _field_values(sub, field.fields)


def attached_text(obj) -> str:
    """The text inside the files that are part of an object, read here (in the task worker or
    the rebuild) rather than stored: a Wagtail document's own file, and the files a model names
    in `indexed_files()` (an activity's materials, a talk's slides)."""
    from wagtail.documents.models import AbstractDocument

    if isinstance(obj, AbstractDocument):
        files = [obj.file]
    elif hasattr(obj, "indexed_files"):
        files = obj.indexed_files()
    else:
        return ""
    return extract.files_text(f for f in files if f)


def doc_from_search_fields(obj, content_type_id: int, family: Family | None) -> Doc:
    """A Wagtail-indexed object: the `title` search field is the title, the other search fields
    the body, the autocomplete fields the autocomplete column (as Wagtail's own backend does)."""
    titles, bodies, completions = [], [], []
    for field, text in _field_values(obj, obj.get_search_fields()):
        if not text:
            continue
        if isinstance(field, AutocompleteField):
            completions.append(text)
        elif field.field_name == "title":
            titles.append(text)
        else:
            bodies.append(text)
    files = attached_text(obj)
    if files:
        bodies.append(files)
    title, body = " ".join(titles), "\n".join(bodies)
    if family is None:
        return Doc(content_type_id, obj.pk, title, body, " ".join(completions), None)
    shown_title, shown_text = family.shown(obj, title, body)
    return Doc(content_type_id, obj.pk, title or shown_title, body, " ".join(completions),
               family.filing(obj), shown_title, shown_text)


def doc_from_family(obj, family: Family) -> Doc:
    title, body = family.text(obj)
    body = "\n".join(x for x in (body, attached_text(obj)) if x)
    content_type_id = ContentType.objects.get_for_model(type(obj)).pk
    return Doc(content_type_id, obj.pk, title, body, title, family.filing(obj))


def docs_for(model: type[Model], objs: Iterable[Model]) -> list[Doc]:
    family = family_for_model(model)
    if family is not None and not family.indexed_by_wagtail:
        # Only what the family files (a journal article taken from the portal is found as a page).
        return [doc for doc in (doc_from_family(obj, family) for obj in objs) if doc.filing]
    content_type_id = ContentType.objects.get_for_model(model).pk
    return [doc_from_search_fields(obj, content_type_id, family) for obj in objs]


# --- Writing ---


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _aware(value) -> datetime.datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time()))


def _upsert_sqlite(cursor, table: str, docs: Sequence[Doc], terms: Sequence[tuple[str, str, str]]
                   ) -> dict[tuple[int, str], int]:
    values, params = [], []
    for doc, (title, autocomplete, body) in zip(docs, terms, strict=True):
        values.append("(%s, %s, %s, %s, %s, 1.0)")
        params += [doc.content_type_id, str(doc.pk), title, autocomplete, body]
    cursor.execute(
        f"INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, title_norm) "
        f"VALUES {', '.join(values)} "
        "ON CONFLICT (content_type_id, object_id) DO UPDATE SET title = excluded.title, "
        "autocomplete = excluded.autocomplete, body = excluded.body, title_norm = 1.0 "
        "RETURNING id, content_type_id, object_id",
        params,
    )
    return {(ct, oid): pk for pk, ct, oid in cursor.fetchall()}


def _upsert_postgres(cursor, table: str, docs: Sequence[Doc], terms=None) -> dict[tuple[int, str], int]:
    values, params = [], []
    for doc in docs:
        values.append("(%s, %s, setweight(%s::tsvector, 'A'), setweight(%s::tsvector, 'D'), "
                      "setweight(%s::tsvector, 'D'), 1.0, %s, %s)")
        params += [doc.content_type_id, str(doc.pk),
                   analyzer.tsvector(analyzer.index_terms(doc.title)),
                   analyzer.tsvector(analyzer.index_terms(doc.autocomplete)),
                   analyzer.tsvector(analyzer.index_terms(doc.body)),
                   doc.title, doc.body]
    cursor.execute(
        f"INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, title_norm, "
        f"title_text, body_text) VALUES {', '.join(values)} "
        "ON CONFLICT (content_type_id, object_id) DO UPDATE SET title = EXCLUDED.title, "
        "autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body, title_norm = 1.0, "
        "title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text "
        "RETURNING id, content_type_id, object_id",
        params,
    )
    return {(ct, oid): pk for pk, ct, oid in cursor.fetchall()}


_DOC_FIELDS = ["kind", "object_pk", "organization", "channel", "date", "year", "title", "text",
               "indexed_at", "readers", "gate", "checked", "rowkey"]
FTS = "bwsearch_fts"  # the site search's own FTS5 table (SQLite; migration 0002)


def _pg_tokens(readers: str, gate: str) -> str:
    """The access tokens as a tsvector literal, each marked with `§` so that no word of a text
    (which the analyzer never gives a `§`) is taken for one."""
    return analyzer.tsvector([access.PG_MARK + t for t in (readers + " " + gate).split()])


def _write_site_index(connection, documents: list[SearchDocument], terms: dict[int, tuple[str, str]],
                      old_keys: list[int]) -> None:
    """The site search's index rows of `documents` (terms: entry id → analyzed title, body on
    SQLite): on SQLite, FTS5 rows keyed by `rowkey`; on PostgreSQL, the `vector` column
    (title A, body D, access tokens B) made from the index entry's vectors, with the time and
    filter tokens of `windows.py` (B)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if documents:
                values = ", ".join(["(%s::bigint, %s)"] * len(documents))
                params = [v for doc in documents for v in (doc.entry_id, _pg_tokens(doc.readers, doc.gate))]
                cursor.execute(
                    f"UPDATE {SearchDocument._meta.db_table} d SET vector = e.title || e.body || "  # noqa: S608
                    f"setweight(v.tokens::tsvector, 'B') || {windows.tokens_sql('d')} "
                    f"FROM {index_entry_model()._meta.db_table} e, "
                    f"(VALUES {values}) AS v (entry_id, tokens) WHERE e.id = d.entry_id AND d.entry_id = v.entry_id",
                    params,
                )
            champions.written_postgres(connection, [*old_keys, *(doc.entry_id for doc in documents)])
            return
        # The old keys, and the new ones (a row left by a document deleted outside `indexing`).
        stale = sorted(set(old_keys) | {doc.rowkey for doc in documents})
        for start in range(0, len(stale), 500):
            keys = stale[start:start + 500]
            cursor.execute(f"DELETE FROM {FTS} WHERE rowid IN ({', '.join(['%s'] * len(keys))})", keys)  # noqa: S608
        rows = [(doc.rowkey, *terms[doc.entry_id], doc.readers, doc.gate) for doc in documents
                if doc.readers]
        if rows:
            cursor.executemany(
                f"INSERT INTO {FTS} (rowid, title, body, readers, gate) VALUES (%s, %s, %s, %s, %s)", rows  # noqa: S608
            )
    champions.written_sqlite(documents, terms, old_keys)


def write_docs(docs: Sequence[Doc]) -> None:
    """Insert or replace the index entries of `docs`, their search documents and the site
    search's index rows (with their access tokens)."""
    if not docs:
        return
    IndexEntry = index_entry_model()
    connection = connections[router.db_for_write(IndexEntry)]
    postgres = connection.vendor == "postgresql"
    upsert = _upsert_postgres if postgres else _upsert_sqlite
    for batch in _chunks(list(docs), BATCH):
        terms = None if postgres else [
            (analyzer.analyze(doc.title), analyzer.analyze(doc.autocomplete), analyzer.analyze(doc.body))
            for doc in batch
        ]
        with connection.cursor() as cursor:
            ids = upsert(cursor, IndexEntry._meta.db_table, batch, terms)
        documents, unfiled, site_terms = [], [], {}
        for i, doc in enumerate(batch):
            entry_id = ids[(doc.content_type_id, str(doc.pk))]
            filing = doc.filing
            if filing is None:
                unfiled.append(entry_id)
                continue
            date = _aware(filing.date)
            documents.append(SearchDocument(
                entry_id=entry_id, kind=filing.kind, object_pk=int(doc.pk),
                organization_id=filing.organization_id, channel_id=filing.channel_id,
                date=date, year=timezone.localtime(date).year if date else None,
                title=doc.shown_title, text=doc.shown_text,
                readers=" ".join(dict.fromkeys(filing.readers)), gate=" ".join(dict.fromkeys(filing.gate)),
                checked=filing.checked, rowkey=access.rowkey(date, entry_id, filing.checked),
            ))
            if terms is not None:
                site_terms[entry_id] = (terms[i][0], terms[i][2])
        old_keys = list(SearchDocument.objects.filter(entry_id__in=list(ids.values()), rowkey__isnull=False)
                        .values_list("rowkey", flat=True)) if not postgres else unfiled
        if unfiled:
            SearchDocument.objects.filter(entry_id__in=unfiled).delete()
        if documents:
            # A changed date moves a row's key: clear the old keys first (they are unique).
            SearchDocument.objects.filter(entry_id__in=[d.entry_id for d in documents]).update(rowkey=None)
            SearchDocument.objects.bulk_create(
                documents, update_conflicts=True, unique_fields=["entry"], update_fields=_DOC_FIELDS
            )
        _write_site_index(connection, documents, site_terms, old_keys)


def delete_entries(content_type_ids: Iterable[int], pks: Iterable) -> None:
    """Remove objects from the index (their entries and their documents)."""
    IndexEntry = index_entry_model()
    entries = IndexEntry.objects.filter(content_type_id__in=list(content_type_ids),
                                        object_id__in=[str(pk) for pk in pks])
    documents = SearchDocument.objects.filter(entry_id__in=entries.values("pk"))
    if connections[router.db_for_write(SearchDocument)].vendor == "postgresql":
        champions.forget(list(documents.values_list("entry_id", flat=True)))
    _delete_site_rows(list(documents.filter(rowkey__isnull=False).values_list("rowkey", flat=True)))
    documents._raw_delete(using=router.db_for_write(SearchDocument))
    entries._raw_delete(using=router.db_for_write(IndexEntry))


def forget_document(document: SearchDocument) -> None:
    """A document deleted otherwise than here (a cascade): its site index and champion rows."""
    if connections[router.db_for_write(SearchDocument)].vendor == "postgresql":
        champions.forget([document.entry_id])
    elif document.rowkey is not None:
        _delete_site_rows([document.rowkey])


def _delete_site_rows(keys: list[int]) -> None:
    connection = connections[router.db_for_write(SearchDocument)]
    if connection.vendor != "sqlite" or not keys:
        return
    champions.forget(keys)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            cursor.execute(f"DELETE FROM {FTS} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})", chunk)  # noqa: S608


def remove_orphan_site_rows() -> None:
    """Rows of the site search's FTS5 table whose document is gone (SQLite)."""
    connection = connections[router.db_for_write(SearchDocument)]
    champions.remove_orphans()
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS} WHERE rowid NOT IN (SELECT rowkey FROM "  # noqa: S608
                       f"{SearchDocument._meta.db_table} WHERE rowkey IS NOT NULL)")


def refresh_title_norms(*, full: bool = False) -> None:
    """Wagtail's ranking of the back office divides a title's score by its length relative to
    the average (`title_norm`); new and changed entries get theirs here."""
    from django.db.models import Avg, F
    from django.db.models.functions import Length

    entries = index_entry_model().objects.all()
    length = Length("title")  # characters of the terms on SQLite, lexemes of the tsvector on PostgreSQL
    average = entries.annotate(n=length).filter(n__gt=0).aggregate(a=Avg("n"))["a"]
    if not average:
        return
    targets = entries if full else entries.filter(title_norm=1.0)
    targets.annotate(n=length).filter(n__gt=0).update(title_norm=average / F("n"))


def order_by_date(*, wait_seconds: int = 10) -> bool:
    """PostgreSQL: rewrite the search documents' table in date order (`CLUSTER` on the date
    index) and analyze it, so that the newest-first windows of `windows.py` read rows that sit
    together. Searches and index writes wait for it (about 30 seconds per 300,000 documents).
    New documents go to the table's end, so the order holds until many old ones are rewritten.
    When the table stays locked by others for `wait_seconds`, it is left as it is (a warning,
    False): searches are as right, only slower. Nothing to do on SQLite: its full-text rows are
    keyed by date."""
    connection = connections[router.db_for_write(SearchDocument)]
    if connection.vendor != "postgresql":
        return True
    table = SearchDocument._meta.db_table
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            # Inside a transaction that wrote documents, their deferred foreign-key checks
            # first (CLUSTER refuses a table with checks pending), deferred again after it (as
            # Django makes them; no constraint here is deferrable otherwise).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"SET LOCAL lock_timeout = '{int(wait_seconds)}s'")
            cursor.execute(f"CLUSTER {table} USING bwsearch_date")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    except OperationalError as error:
        logger.warning("The search documents were not put in date order: %s", error)
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return True
