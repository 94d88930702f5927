"""branchwork rebuild_search_index: index everything again, with progress.

Wagtail's own `update_index` would do for Wagtail's models; this also indexes the journal and the
lecture hall, writes the documents the site search reads, removes entries of objects that are
gone and optimizes the SQLite full-text table (on PostgreSQL, puts the documents' table in date
order: `indexing.order_by_date`, during which searches wait), then builds the site search's
champion lists (`champions.py`). Documents (Wagtail's), activities and talks have
the text of their files read again. Run it after an upgrade that changes the analyzer or what is
indexed, or after restoring a backup; it is safe to run while the site serves (each batch in one
transaction, written after its files were read).
"""

import time

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connections, router, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from modelsearch.index import get_indexed_models

from branchwork.search import champions, indexing
from branchwork.search.kinds import families
from branchwork.search.models import SearchDocument


class Command(BaseCommand):
    help = "Rebuild the search index (pages, activities, people, documents, journal…), with progress."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, verbosity, **options):
        self.verbose = verbosity > 0
        started = time.perf_counter()
        IndexEntry = indexing.index_entry_model()
        using = router.db_for_write(IndexEntry)
        vendor = connections[using].vendor
        self.say(f"Rebuilding the search index ({vendor})")
        total = 0
        sources = [(m, m.get_indexed_objects()) for m in get_indexed_models() if m.get_search_fields()]
        sources += [(f.model, f.model._default_manager.all()) for f in families() if not f.indexed_by_wagtail]
        for model, queryset in sources:
            total += self.index_model(model, queryset, batch_size)
        removed = self.remove_stale(sources)
        indexing.remove_orphan_site_rows()
        indexing.refresh_title_norms(full=True)
        if vendor == "sqlite":
            from modelsearch.conf import get_app_config

            table = get_app_config().get_model("SQLiteFTSIndexEntry")._meta.db_table
            with connections[using].cursor() as cursor:
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
                cursor.execute(f"INSERT INTO {indexing.FTS}({indexing.FTS}) VALUES ('optimize')")
        if not indexing.order_by_date():
            self.say("The documents' table was busy and is not in date order: searches are slower until "
                     "`branchwork build_search_champions` runs.")
        built = champions.rebuild()
        self.say(f"Champion lists: {built['terms']} terms, {built['rows']} rows.")
        seconds = time.perf_counter() - started
        self.say(f"Done in {seconds:.1f} s: {total} objects indexed, {removed} stale entries removed, "
                 f"{IndexEntry.objects.count()} entries, {SearchDocument.objects.count()} documents.")

    def say(self, text: str) -> None:
        if self.verbose:
            self.stdout.write(text)

    def index_model(self, model, queryset, batch_size: int) -> int:
        label = model._meta.label
        count = queryset.count()
        if not count:
            self.say(f"  {label}: nothing to index")
            return 0
        done, last_pk, started, shown = 0, None, time.perf_counter(), 0.0
        while True:
            batch = queryset.order_by("pk")
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            batch = list(batch[:batch_size])
            if not batch:
                break
            # The entries are made (files read, PDFs converted) before the transaction, so that
            # a slow file never holds the database's write lock.
            docs = indexing.docs_for(model, batch)
            with transaction.atomic():
                indexing.write_docs(docs)
            done += len(batch)
            last_pk = batch[-1].pk
            elapsed = time.perf_counter() - started
            if elapsed - shown >= 2 or done >= count:
                shown = elapsed
                rate = done / elapsed if elapsed else 0
                self.say(f"  {label}: {done}/{count} ({100 * done // max(count, 1)}%, {rate:,.0f}/s)")
        return done

    def remove_stale(self, sources) -> int:
        IndexEntry = indexing.index_entry_model()
        removed = 0
        for model, queryset in sources:
            content_type = ContentType.objects.get_for_model(model)
            existing = queryset.order_by().annotate(oid=Cast("pk", TextField())).values("oid")
            stale = list(IndexEntry.objects.filter(content_type=content_type)
                         .exclude(object_id__in=existing).values_list("object_id", flat=True))
            if stale:
                indexing.delete_entries([content_type.pk], stale)
                removed += len(stale)
        return removed
