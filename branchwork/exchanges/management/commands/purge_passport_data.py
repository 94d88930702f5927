"""`branchwork purge_passport_data`: run daily; erases passport numbers and dates of birth of the
participants of events past their retention date, and logs each purge in the audit trail."""

from django.core.management.base import BaseCommand

from branchwork.exchanges import services


class Command(BaseCommand):
    help = "Erase passport data kept past each event's retention date (logged)."

    def handle(self, *args, **options):
        purged = services.purge_passport_data()
        self.stdout.write(f"{sum(purged.values())} participants' passport data erased in {len(purged)} events")
