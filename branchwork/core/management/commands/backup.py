"""`branchwork backup DEST`: the database, the uploads and the secret key into a new folder, with a
manifest of sha256 checksums; safe while the server runs (core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from branchwork.core import backup


class Command(BaseCommand):
    help = ("Back up the database (SQLite online backup or pg_dump), the uploads and the secret key "
            "into a new folder, with a manifest of checksums. Safe while the server runs.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("dest", type=Path, help="a new (or empty) folder")

    def handle(self, *, dest: Path, **options) -> None:
        try:
            summary = backup.backup(dest)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        for line in summary.lines:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Backed up into {dest}"))
