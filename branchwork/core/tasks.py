"""Background tasks of core. Run by `branchwork db_worker` (inline in tests).

Mail goes through a task so that a slow or failing SMTP server never holds up a page, and a
failed send is kept as a failed task result (visible in the back office) rather than lost.

`on_worker_lost(task)` registers what an app's records should show when a task's worker died
and the task has no attempt left (core.worker.reclaim): a build marked failed, for example.
"""

from collections.abc import Callable

from django.core.mail import EmailMessage
from django.utils.translation import gettext_lazy as _
from django_tasks import task

# What a build shows when its worker died on every attempt.
WORKER_STOPPED = _("The task worker stopped while building this. Request it again.")

_lost_handlers: dict[str, list[Callable[..., None]]] = {}


def on_worker_lost(the_task) -> Callable:
    """Decorator: call the function with the task's keyword arguments when the task is given up
    because its worker died on every attempt."""

    def register(handler: Callable[..., None]) -> Callable[..., None]:
        handlers = _lost_handlers.setdefault(the_task.module_path, [])
        if handler not in handlers:
            handlers.append(handler)
        return handler

    return register


def lost_handlers(task_path: str) -> list[Callable[..., None]]:
    return list(_lost_handlers.get(task_path, ()))


@task()
def send_email(*, subject: str, body: str, to: list[str], reply_to: list[str] | None = None) -> int:
    """Send one plain-text message; returns the number sent (1) so the result records it."""
    return EmailMessage(subject=subject, body=body, to=to, reply_to=reply_to or []).send()
