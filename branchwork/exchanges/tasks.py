"""Background tasks of exchanges, run by `branchwork db_worker` (inline in tests)."""

from django_tasks import task

from branchwork.exchanges import services, services_letters, services_programme


@task()
def purge_passport_data() -> int:
    """Erase the passport data of events past their retention date (daily, from cron through
    `branchwork purge_passport_data`, or enqueued); returns how many participants were purged."""
    return sum(services.purge_passport_data().values())


@task()
def send_invitations(*, event_id: int) -> int:
    """The event's invitations not sent yet; returns how many went out. Mail errors propagate:
    the result is kept as failed and the next run sends what is left."""
    return services_programme.send_invitations(event_id)


@task()
def send_letter(*, letter_id: int) -> bool:
    """One approved visa letter, as PDF, to its guest."""
    return services_letters.send_letter(letter_id)
