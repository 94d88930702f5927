"""branchwork build_search_champions: build the site search's champion lists afresh
(`branchwork/search/champions.py`). `rebuild_search_index` runs it at its end; run it on its own
when a tenth or more of the documents are new since the last build."""

import time

from django.core.management.base import BaseCommand

from branchwork.search import champions


class Command(BaseCommand):
    help = "Build the site search's champion lists (the best documents of each frequent term)."

    def handle(self, *args, verbosity, **options):
        started = time.perf_counter()
        built = champions.rebuild()
        if verbosity > 0:
            self.stdout.write(f"Champion lists: {built['terms']} terms, {built['rows']} rows, "
                              f"in {time.perf_counter() - started:.1f} s.")
