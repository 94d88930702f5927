"""`branchwork research_reminders`: enqueue today's reminders of overdue follow-ups. Run it daily.

    30 7 * * *  /path/to/venv/bin/branchwork research_reminders
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from branchwork.research.tasks import overdue, remind_overdue_follow_ups


class Command(BaseCommand):
    help = "Enqueue reminders to the owners of overdue follow-ups of instructions."

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, metavar="YYYY-MM-DD",
                            help="Pretend that today is this day (default: today).")

    def handle(self, *args, date=None, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date: expected YYYY-MM-DD, got {date!r}") from None
        due = overdue(today).count()
        remind_overdue_follow_ups.enqueue(day=today.isoformat())
        self.stdout.write(f"{due} overdue follow-up(s); reminders enqueued.")
