"""`branchwork import_parties --source partyfacts FILE [--wikidata FILE]` and
`branchwork import_parties --source parlgov FILE --countries FILE [--families FILE]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from branchwork.core import imports
from branchwork.exchanges import importers


class Command(BaseCommand):
    help = "Import or update the knowledge base of parties from Party Facts or ParlGov (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the party table (CSV)")
        parser.add_argument("--source", required=True, choices=importers.SOURCES)
        parser.add_argument("--wikidata", help="Party Facts: its table of Wikidata ids (CSV)")
        parser.add_argument("--countries", help="ParlGov: its country table (country.csv)")
        parser.add_argument("--families", help="ParlGov: its party family table (optional)")

    def _read(self, name):
        if not name:
            return None
        try:
            return Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"{name}: {exc.strerror}") from None

    def handle(self, *args, **options):
        data = self._read(options["file"])
        try:
            if options["source"] == importers.PARTYFACTS:
                report = importers.import_partyfacts(data, wikidata=self._read(options["wikidata"]))
            else:
                if not options["countries"]:
                    raise CommandError("--source parlgov needs --countries FILE (ParlGov's country.csv).")
                report = importers.import_parlgov(
                    data, countries_data=self._read(options["countries"]),
                    families_data=self._read(options["families"]))
        except importers.ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Refused: {len(refused.problems)} problem(s); nothing was imported.") from None
        except (imports.TooMuch, imports.Undecodable) as exc:
            raise CommandError(f"Refused: {exc}") from None
        self.stdout.write(
            f"{report.source}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.skipped} placeholders skipped, "
            f"{len(report.conflicts)} conflicts")
        for conflict in report.conflicts:
            self.stdout.write(f"conflict: {conflict}")
