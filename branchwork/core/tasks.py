"""Background tasks of core. Run by `branchwork db_worker` (inline in tests).

Mail goes through a task so that a slow or failing SMTP server never holds up a page, and a
failed send is kept as a failed task result (visible in the back office) rather than lost.
"""

from django.core.mail import EmailMessage
from django_tasks import task


@task()
def send_email(*, subject: str, body: str, to: list[str], reply_to: list[str] | None = None) -> int:
    """Send one plain-text message; returns the number sent (1) so the result records it."""
    return EmailMessage(subject=subject, body=body, to=to, reply_to=reply_to or []).send()
