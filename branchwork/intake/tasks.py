"""Background tasks of intake. Run by `branchwork db_worker` (inline in tests)."""

from django_tasks import task

from branchwork.intake import receipts


@task()
def send_receipt(*, message_id: int) -> int:
    """The receipt for one incoming message; returns 1 when sent, 0 when there was nothing to send.

    Mail errors propagate, so the task result is kept as failed with the error."""
    return receipts.send_receipt(message_id)
