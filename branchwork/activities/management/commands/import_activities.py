"""`branchwork import_activities --org CODE FILE`: import past records from a CSV or XLSX file.

All or nothing: when anything in the file is wrong, every problem is printed, one line each,
naming the row and the column, nothing is written and the command exits with status 1.
The columns are described in docs/IMPORT.md. Imported records stay held, with their minutes
in draft, for the secretary to review and lock.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from branchwork.activities import importer
from branchwork.core import audit
from branchwork.core.models import Organization


class Command(BaseCommand):
    help = ("Import past activities of an organization from a CSV or XLSX file (columns: see "
            "docs/IMPORT.md). The whole file is refused if any row is wrong.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV (UTF-8 or GB18030) or XLSX file.")
        parser.add_argument("--org", required=True, metavar="CODE",
                            help="The code of the organization that held the activities.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Check the file and report; write nothing.")
        parser.add_argument("--user", metavar="USERNAME",
                            help="Attribute the records to this account (default: the system).")
        parser.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES],
                            default=settings.LANGUAGE_CODE,
                            help="The language of the error report (default: %(default)s).")

    def handle(self, *args, file: str, org: str, dry_run: bool, user: str | None,
               language: str, **options):
        try:
            organization = Organization.objects.get(code=org)
        except Organization.DoesNotExist:
            raise CommandError(f"There is no organization with the code {org!r}.") from None
        by = None
        if user:
            User = get_user_model()
            try:
                by = User._default_manager.get_by_natural_key(user)
            except User.DoesNotExist:
                raise CommandError(f"There is no user named {user!r}.") from None
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from None

        with translation.override(language), audit.acting_as(by, source="command"):
            try:
                result = importer.run_import(by=by, organization=organization, name=path.name,
                                             data=data, dry_run=dry_run)
            except importer.ImportRefused as refused:
                for error in refused.errors:
                    self.stderr.write(error.message)
                raise CommandError(
                    f"{path.name}: refused, {len(refused.errors)} problem(s); nothing was written."
                ) from None

        if result.dry_run:
            self.stdout.write(f"{path.name}: {result.planned} activities can be imported into "
                              f"{organization.code}; nothing was written (--dry-run).")
            return
        self.stdout.write(self.style.SUCCESS(
            f"{path.name}: {len(result.activities)} activities imported into {organization.code}. "
            "They are held with their minutes in draft: review, submit and lock each one."))
        for activity in result.activities:
            self.stdout.write(f"  {activity.pk}\t{activity}")
