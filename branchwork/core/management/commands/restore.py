"""`branchwork restore SRC`: put a backup made by `branchwork backup` in place, after checking it;
refuses while a server or task worker uses the database (core.backup)."""

from pathlib import Path

from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from branchwork.core import backup


class Command(BaseCommand):
    help = ("Restore a backup folder made by `branchwork backup`: checks every checksum and the "
            "database's integrity, refuses while the server or the worker runs, moves what is "
            "there aside, then migrates.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("src", type=Path, help="a folder written by `branchwork backup`")
        parser.add_argument("--check", action="store_true",
                            help="only verify the backup (checksums, integrity); change nothing")

    def handle(self, *, src: Path, check: bool, **options) -> None:
        try:
            if check:
                manifest = backup.verify(src)
                self.stdout.write(self.style.SUCCESS(
                    f"{src}: {len(manifest['files'])} files match the manifest, database intact"))
                return
            summary = backup.restore(src)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        for line in summary.lines:
            self.stdout.write(line)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("migrations: applied (the backup is brought up to this version)")
        # What is cached (the readers under the access generation, the portal's pages, counts)
        # was read from the database that is now gone; a shared cache (CACHE_URL) outlives the
        # servers that were stopped for the restore. Start from nothing.
        cache.clear()
        self.stdout.write("cache: cleared (it held what the replaced database said)")
        self.stdout.write(self.style.SUCCESS(
            f"Restored from {src}. Start the server and the worker; then run "
            "`branchwork rebuild_search_index`."))
