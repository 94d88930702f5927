"""`branchwork status_history_report`: what the membership status histories leave open.

Lists, per person, what could not be derived when the undated statuses became histories (the
migration prints the same list once) and what is open today: Party members without a history,
statuses without a date, probation running over a year. Exit status 0 either way.
"""

import datetime

from django.core.management.base import BaseCommand

from branchwork.core.selectors import status_history_gaps


class Command(BaseCommand):
    help = "List what the membership status histories leave open (id, name, problem)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, default=None,
                            help="Judge as of this day (YYYY-MM-DD); default today.")

    def handle(self, *args, date=None, **options) -> None:
        gaps = status_history_gaps(date)
        for gap in gaps:
            self.stdout.write(f"{gap.person.pk}\t{gap.person.name}\t{gap.problem}")
        self.stderr.write(f"{len({g.person.pk for g in gaps})} people with gaps in their status history.")
