"""`branchwork research_figures --org CODE --year YYYY [--format json|table]`: the yearly figures of
an organization's research work (and of the organizations under it), counted from the records."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from branchwork.core.models import Organization
from branchwork.research import figures


class Command(BaseCommand):
    help = "Print the yearly research figures of an organization, as JSON or as a table."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, metavar="CODE", help="The organization's code.")
        parser.add_argument("--year", required=True, type=int, metavar="YYYY")
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument("--language", choices=["zh-hans", "en"], default="zh-hans",
                            help="Language of the names (default Chinese).")

    def handle(self, *args, org: str, year: int, format: str, language: str, **options):
        try:
            organization = Organization.objects.get(code=org)
        except Organization.DoesNotExist:
            raise CommandError(f"No organization with the code {org!r}.") from None
        if not 1990 <= year <= 2100:
            raise CommandError(f"--year: expected a year between 1990 and 2100, got {year}.")
        with translation.override(language):
            result = figures.yearly(organization, year)
            if format == "json":
                self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            else:
                self.stdout.write(figures.table(result))
