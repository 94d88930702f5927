"""`branchwork export_journal_issue --journal SLUG --year YYYY --number N --output FILE`

Writes one issue of an internal journal as the print-ready PDF the site offers (cover, contents
with page numbers, every article), in the deployment's language. `-` as the output writes the
file to standard output.
"""

import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from branchwork.journal import content, pdf
from branchwork.journal.models import JournalIssue


class Command(BaseCommand):
    help = "Write one issue of an internal journal as a print-ready PDF."

    def add_arguments(self, parser):
        parser.add_argument("--journal", required=True, metavar="SLUG",
                            help="The journal's short name.")
        parser.add_argument("--year", required=True, type=int, metavar="YYYY")
        parser.add_argument("--number", required=True, type=int, metavar="N",
                            help="The issue's number in its year.")
        parser.add_argument("--output", required=True, metavar="FILE",
                            help="Where to write the PDF ('-' for standard output).")

    def handle(self, *args, journal: str, year: int, number: int, output: str, **options) -> None:
        issue = (JournalIssue.objects.select_related("journal__organization", "editor")
                 .filter(journal__slug=journal, year=year, number=number).first())
        if issue is None:
            raise CommandError(f"There is no issue {number} of {year} of the journal {journal!r}.")
        started = time.perf_counter()
        with translation.override(settings.LANGUAGE_CODE):
            data = pdf.build_pdf(content.issue_content(issue))
        if output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        path = Path(output)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}") from None
        self.stdout.write(f"Wrote {path} ({len(data):,} bytes, {time.perf_counter() - started:.1f} s).")
