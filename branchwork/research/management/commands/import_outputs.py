"""`branchwork import_outputs FILE [--dry-run] [--as USERNAME]`: past outputs from a CSV or XLSX
file (columns in docs/IMPORT.md), all or nothing: any problem, named by row and column, refuses
the whole file and nothing is written."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from branchwork.research import importer


class Command(BaseCommand):
    help = "Import past research outputs from a CSV or XLSX file, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file; write nothing.")
        parser.add_argument("--as", dest="username", default=None,
                            help="The user the records are attributed to (default: the system).")

    def handle(self, *args, file: Path, dry_run: bool = False, username=None, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        by = None
        if username:
            by = get_user_model().objects.filter(username=username).first()
            if by is None:
                raise CommandError(f"No user {username!r}.")
        try:
            result = importer.run(file.read_bytes(), file.name, by=by, dry_run=dry_run)
        except importer.Refused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Nothing imported: {len(refused.problems)} problem(s).") from None
        if dry_run:
            self.stdout.write(f"{len(result.rows)} row(s) would be imported (encoding: {result.encoding}).")
        else:
            self.stdout.write(f"{result.created} output(s) imported.")
