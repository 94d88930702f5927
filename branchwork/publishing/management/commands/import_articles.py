"""`branchwork import_articles --channel PATH FILE.jsonl`: import an archive of articles.

All or nothing: when any line is wrong, every problem is printed, one line each, naming the line
and the field; nothing is written and the command exits with status 1. The format is described
in docs/PUBLISHING.md. Imported articles are published with their original publication time.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from branchwork.core import audit
from branchwork.core.models import Organization
from branchwork.publishing import importer


class Command(BaseCommand):
    help = ("Import articles from a JSON Lines file (one object a line: title, body, published_at, "
            "visibility, lang, author…) into a channel, published with their original dates. "
            "The whole file is refused if any line is wrong. Format: docs/PUBLISHING.md.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .jsonl file (UTF-8).")
        parser.add_argument("--channel", required=True, metavar="PATH",
                            help="The channel's address on the site, e.g. /jiceng/ or jiceng/fengcai.")
        parser.add_argument("--org", metavar="CODE",
                            help="The organization the articles belong to: internal ones are read by its "
                                 "members (and those under and above it). Default: the whole institution.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")
        parser.add_argument("--user", metavar="USERNAME",
                            help="Attribute the articles to this account (default: the system).")
        parser.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES],
                            default=settings.LANGUAGE_CODE,
                            help="The language of the report (default: %(default)s).")

    def handle(self, *args, file: str, channel: str, dry_run: bool, user: str | None, language: str,
               org: str | None = None, **options):
        with translation.override(language):
            try:
                target = importer.resolve_channel(channel)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            organization = None
            if org:
                organization = Organization.objects.filter(code=org).first()
                if organization is None:
                    raise CommandError(f"There is no organization with the code {org!r}.")
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
            with audit.acting_as(by, source="command"):
                try:
                    result = importer.run_import(by=by, channel=target, data=data, dry_run=dry_run,
                                                 organization=organization)
                except importer.ImportRefused as refused:
                    for error in refused.errors:
                        self.stderr.write(error.message)
                    raise CommandError(
                        f"{path.name}: refused, {len(refused.errors)} problem(s); nothing was written."
                    ) from None
        where = target.get_url() or target.url_path
        if result.dry_run:
            self.stdout.write(f"{path.name}: {result.planned} articles can be imported into {where}; "
                              "nothing was written (--dry-run).")
            return
        self.stdout.write(self.style.SUCCESS(
            f"{path.name}: {len(result.articles)} articles imported into {where} and published."))
        for article in result.articles:
            self.stdout.write(f"  {article.pk}\t{article.first_published_at:%Y-%m-%d}\t{article.visibility}\t{article.title}")
