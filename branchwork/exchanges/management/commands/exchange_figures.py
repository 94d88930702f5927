"""`branchwork exchange_figures --year YYYY [--event ID] [--format json|table]`: the figures of
international exchanges for a year (events starting in it) or for one event, counted from the
records: the same numbers as the figures page, its XLSX and /api/v1/exchanges/figures/."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from branchwork.exchanges import figures
from branchwork.exchanges.models import Event


class Command(BaseCommand):
    help = "Print the figures of international exchanges for a year or an event, as JSON or as a table."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, type=int, metavar="YYYY")
        parser.add_argument("--event", type=int, metavar="ID", help="One event's figures instead of the year's.")
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument("--language", choices=["zh-hans", "en"], default="zh-hans",
                            help="Language of the names (default Chinese).")

    def handle(self, *args, year: int, event: int | None, format: str, language: str, **options):
        if not 1990 <= year <= 2100:
            raise CommandError(f"--year: expected a year between 1990 and 2100, got {year}.")
        with translation.override(language):
            if event is not None:
                try:
                    chosen = Event.objects.get(pk=event)
                except Event.DoesNotExist:
                    raise CommandError(f"No event with the id {event}.") from None
                result = figures.for_event(chosen)
            else:
                result = figures.yearly(year)
            if format == "json":
                self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            else:
                self.stdout.write(figures.table(result))
