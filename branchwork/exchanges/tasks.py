"""Background tasks of exchanges, run by `branchwork db_worker` (inline in tests)."""

from django_tasks import task

from branchwork.exchanges import services


@task()
def purge_passport_data() -> int:
    """Erase the passport data of events past their retention date (daily, from cron through
    `branchwork purge_passport_data`, or enqueued); returns how many participants were purged."""
    return sum(services.purge_passport_data().values())
