"""`branchwork send_reminders`: today's digests, and notices that never went out. Run it daily.

    # crontab of the user the application runs as: every morning at 07:30
    30 7 * * *  /path/to/venv/bin/branchwork send_reminders

It sends, directly (not through the task worker, so that it works while the worker is down):

- the digest of requirements at risk to the secretaries of each branch whose digest for the
  current set of periods has not gone out (notifications.send_digests);
- the notice of each confirmed, planned activity of the next seven days whose notice for its
  current time never went out: the worker was down, the mail server failed, or the date was
  confirmed without notifying.

Running it twice sends nothing twice. `--dry-run` lists what would be sent; `--date YYYY-MM-DD`
pretends that today is that day. Exits with an error when mail could not be sent (cron mails the
output to its owner); what did go out is recorded.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from branchwork.activities import feeds, notifications


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date: expected YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = ("Send today's digests of unmet requirements to branch secretaries, and activity "
            "notices that never went out. Run daily from cron.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="List what would be sent; send nothing.")
        parser.add_argument("--date", type=_day, default=None, metavar="YYYY-MM-DD",
                            help="Pretend that today is this day (default: today).")

    def handle(self, *args, dry_run: bool = False, date: datetime.date | None = None, **options):
        today = date or timezone.localdate()
        digests = [d for d in notifications.plan_digests(today) if not d.already_sent]
        notices = notifications.pending_notices(today=today)
        verb = "Would send" if dry_run else "Sending"

        for d in digests:
            lines = "; ".join(
                f"{i.organization.name_zh} {i.type.name_zh} {i.cell.period.key} "
                f"{i.cell.held}/{i.cell.required}"
                for i in d.items)
            if not d.recipients:
                self.stdout.write(f"No digest for {d.organization.code}: no secretary or deputy "
                                  f"with an email address ({lines})")
                continue
            who = ", ".join(p.email for p in d.recipients)
            self.stdout.write(f"{verb} digest for {d.organization.code} to {who}: {lines}")
        for a in notices:
            self.stdout.write(
                f"{verb} notice of activity {a.pk} ({feeds.local(a.starts_at):%Y-%m-%d %H:%M} "
                f"{a.title}) to {len(notifications.notice_recipients(a))} people")
        if dry_run:
            sendable = sum(1 for d in digests if d.recipients)
            self.stdout.write(f"Dry run for {today}: {sendable} digests, {len(notices)} notices.")
            return

        errors = []
        sent_digests = sent_notices = messages = 0
        for digest in digests:
            try:
                sent_digests += notifications.send_digest(digest, today=today)
            except Exception as exc:  # noqa: BLE001 — reported below; the rest still go out
                errors.append(f"digest for {digest.organization.code}: {exc!r}")
        for activity in notices:
            try:
                n = notifications.send_notice(activity.pk)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"notice of activity {activity.pk}: {exc!r}")
                continue
            if n:
                sent_notices += 1
                messages += n
        self.stdout.write(f"{today}: {sent_digests} digests sent, {sent_notices} notices sent "
                          f"({messages} messages).")
        if errors:
            raise CommandError("Not sent (tried again on the next run): " + "; ".join(errors))
