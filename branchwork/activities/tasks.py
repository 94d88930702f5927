"""Background tasks of activities. Run by `branchwork db_worker` (inline in tests).

Both let mail errors propagate: django-tasks then keeps the result as failed, with the error, and
nothing is recorded as sent, so `branchwork send_reminders` (daily, from cron) sends it later.
"""

from django_tasks import task

from branchwork.activities import notifications


@task()
def send_activity_notice(*, activity_id: int) -> int:
    """The notice of an activity to its expected attendees; returns how many messages went out."""
    return notifications.send_notice(activity_id)


@task()
def send_reminder_digests() -> int:
    """Today's digests of requirements at risk; returns how many digests went out."""
    return notifications.send_digests()


@task()
def run_activity_import(*, job_id: int) -> str:
    """An import started from the web page (activities.importer.run_job); returns its status."""
    from branchwork.activities import importer

    return importer.run_job(job_id)
