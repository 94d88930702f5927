"""`branchwork export_ledger --org CODE --year YYYY [--type CODE] --format docx|pdf|xlsx --output FILE`

Writes an organization's ledger (台账) for a year, the same file the export page builds. `-` as
the output writes the file to standard output.
"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from branchwork.core.models import Organization
from branchwork.reports import ledger
from branchwork.rulebook.loader import get_rulebook


class Command(BaseCommand):
    help = "Write an organization's ledger (台账) of a year as DOCX, PDF or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, metavar="CODE", help="The organization's code.")
        parser.add_argument("--year", required=True, type=int, metavar="YYYY")
        parser.add_argument("--type", default="", metavar="CODE",
                            help="Only activities of this rulebook type (default: all types).")
        parser.add_argument("--format", required=True, metavar="FORMAT",
                            help=f"One of {', '.join(ledger.FORMATS)}.")
        parser.add_argument("--output", required=True, metavar="FILE",
                            help="Where to write the file ('-' for standard output).")

    def handle(self, *args, org: str, year: int, type: str, format: str, output: str, **options) -> None:
        fmt = format.lower().lstrip(".")
        if fmt not in ledger.FORMATS:
            raise CommandError(f"Unknown format {format!r}: use one of {', '.join(ledger.FORMATS)}.")
        try:
            organization = Organization.objects.get(code=org)
        except Organization.DoesNotExist:
            raise CommandError(f"There is no organization with the code {org!r}.") from None
        rulebook = get_rulebook()
        if type and type not in rulebook.types:
            raise CommandError(f"Unknown activity type {type!r}: use one of {', '.join(rulebook.types)}.")
        if not 1900 <= year <= 9998:
            raise CommandError(f"{year} is not a year this ledger can cover.")
        started = time.perf_counter()
        content, _name = ledger.build(organization=organization, year=year, type_code=type or None, fmt=fmt)
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        path = Path(output)
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}") from None
        self.stdout.write(f"Wrote {path} ({len(content):,} bytes, {time.perf_counter() - started:.1f} s).")
