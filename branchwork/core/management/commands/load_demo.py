import contextlib
import time
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from wagtail import hooks
from wagtail.signal_handlers import disable_reference_index_auto_update

from branchwork.core import demo
from branchwork.core.hooks import BULK_LOAD_HOOK, LOAD_DEMO_HOOK
from branchwork.core.models import Membership, Organization, Person, Unit


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


class Command(BaseCommand):
    help = "Load the demo institution (run it again to restore it) and print its logins."
    requires_migrations_checks = True

    def handle(self, *args, **options):
        started = time.perf_counter()
        # Nothing is queued per object while loading (thousands of index tasks would keep the
        # site search empty for minutes after the start): the search app, through this hook,
        # indexes everything once, in batches, when the load is done, so the site search finds
        # the demo as soon as this command returns.
        with contextlib.ExitStack() as stack:
            for bulk_load in hooks.get_hooks(BULK_LOAD_HOOK):
                stack.enter_context(bulk_load())
            # Wagtail's reference index too: one rebuild at the end, not a task per page.
            stack.enter_context(disable_reference_index_auto_update())
            try:
                logins = demo.load(stdout=self.stdout, password=settings.DEMO_PASSWORD)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            # Other apps add their part of the demo (pages, activities…) through this hook.
            for load_part in hooks.get_hooks(LOAD_DEMO_HOOK):
                load_part(stdout=self.stdout)
        call_command("rebuild_references_index", verbosity=0)
        self.stdout.write(f"演示数据载入用时 Demo loaded in {time.perf_counter() - started:.0f} s")

        totals = [
            ("单位", "units", Unit.objects.count()),
            ("组织", "organizations", Organization.objects.count()),
            ("人员", "people", Person.objects.count()),
            ("职务", "roles", Membership.objects.count()),
            ("账号", "user accounts", get_user_model().objects.count()),
        ]
        self.stdout.write(
            "数据库现有 In the database: " + ", ".join(f"{zh} {n} {en}" for zh, en, n in totals)
        )
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"演示账号 Demo logins — {settings.BASE_URL}/accounts/login/"
            )
        )

        head_user, head_pass = "用户名 username", "密码 password"
        w_user = max(_width(head_user), *(_width(login.username) for login in logins)) + 2
        w_pass = max(_width(head_pass), *(_width(login.password) for login in logins)) + 2
        self.stdout.write(_pad(head_user, w_user) + _pad(head_pass, w_pass) + "身份 who")
        for login in logins:
            zh = " · ".join(part for part in (login.name, login.who_zh) if part)
            en = " · ".join(part for part in (login.name_en, login.who_en) if part)
            self.stdout.write(_pad(login.username, w_user) + _pad(login.password, w_pass) + zh)
            self.stdout.write(" " * (w_user + w_pass) + en)
