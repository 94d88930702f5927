"""Background work of research: reminders of overdue follow-ups. Run by `branchwork db_worker`
(inline in tests); `branchwork research_reminders` (daily, from cron) enqueues it.

A follow-up's owner is reminded once a day while it is overdue and open. Each follow-up is
locked while its reminder is decided, so two workers never send the same reminder twice; mail
errors propagate (the task is kept as failed and nothing is marked as reminded).
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from branchwork.research.models import FollowUp


def overdue(today: datetime.date):
    return (FollowUp.objects.filter(closed_on__isnull=True, due_on__lt=today, owner__email__gt="")
            .exclude(reminded_on=today))


def _message(follow_up: FollowUp) -> EmailMessage:
    output = follow_up.instruction.submission.output
    with translation.override("zh-hans"):
        subject = _("Overdue follow-up: %(title)s") % {"title": output.title}
        body = _("The follow-up below was due on %(due)s and is still open.\n\n%(action)s\n\n"
                 "Output: %(title)s\nClose it on its page once done.") % {
            "due": follow_up.due_on.isoformat(), "action": follow_up.action, "title": output.title}
    return EmailMessage(subject=subject.replace("\n", " ")[:200], body=body,
                        from_email=settings.DEFAULT_FROM_EMAIL, to=[follow_up.owner.email],
                        headers={"Auto-Submitted": "auto-generated"})


def remind(today: datetime.date) -> int:
    sent = 0
    for pk in list(overdue(today).values_list("pk", flat=True)):
        with transaction.atomic():
            follow_up = (overdue(today).select_for_update(of=("self",))
                         .select_related("owner", "instruction__submission__output")
                         .filter(pk=pk).first())
            if follow_up is None:  # closed, or reminded by another worker, meanwhile
                continue
            _message(follow_up).send()
            follow_up.reminded_on = today
            follow_up.save(update_fields=["reminded_on"])
            sent += 1
    return sent


@task()
def remind_overdue_follow_ups(*, day: str | None = None) -> int:
    """Remind the owners of overdue follow-ups; returns how many reminders went out."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return remind(today)
