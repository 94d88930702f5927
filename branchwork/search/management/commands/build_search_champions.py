"""branchwork build_search_champions: build the site search's champion lists afresh
(`branchwork/search/champions.py`), after putting the documents' table back in date order on
PostgreSQL (`indexing.order_by_date`: searches wait for it, about 30 seconds per 300,000
documents; `--keep-order` leaves the table as it is). `rebuild_search_index` does both at its end;
run it on its own when a tenth or more of the documents are new since the last build."""

import time

from django.core.management.base import BaseCommand

from branchwork.search import champions, indexing


class Command(BaseCommand):
    help = "Build the site search's champion lists (the best documents of each frequent term)."

    def add_arguments(self, parser):
        parser.add_argument("--keep-order", action="store_true",
                            help="Do not put the documents' table back in date order (PostgreSQL).")

    def handle(self, *args, verbosity, keep_order, **options):
        started = time.perf_counter()
        if not keep_order and not indexing.order_by_date():
            self.stderr.write("The documents' table was busy and is not in date order: searches are "
                              "slower until this runs again.")
        built = champions.rebuild()
        if verbosity > 0:
            self.stdout.write(f"Champion lists: {built['terms']} terms, {built['rows']} rows, "
                              f"in {time.perf_counter() - started:.1f} s.")
