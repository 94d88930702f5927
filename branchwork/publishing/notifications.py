"""Mail about contributions in the editorial workflow, sent by core's mail task after commit.

- a step starts: those who hold its role today (the editors, then the signers) are told that a
  contribution waits for them, with the link to it in the back office;
- it is sent back: the author is told why (the comment) and where to revise it (/my/contributions/);
- it is signed off: the author is told that it is published, or when it will be.

These replace Wagtail's own workflow mails, which are sent from within the request (a slow or
absent SMTP server would hold the page up), go to superusers rather than to the role holders,
and point authors at the back office, which they cannot open. Wagtail connects its handlers
with fixed dispatch_uids in wagtail.admin's ready(); ours are connected earlier under the same
uids (publishing comes before wagtail.admin in INSTALLED_APPS), so Django keeps ours alone.
Workflows without an editorial step still get Wagtail's mails: we hand those to its notifiers.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branchwork.core.models import Membership, Person
from branchwork.publishing.editorial import step_name

WAGTAIL_UIDS = {
    "task_submitted": "group_approval_task_submitted_email_notification",
    "workflow_submitted": "workflow_state_submitted_email_notification",
    "workflow_rejected": "workflow_state_rejected_email_notification",
    "workflow_approved": "workflow_state_approved_email_notification",
}


_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("publishing_mail_suppressed", default=False)


@contextlib.contextmanager
def suppressed():
    """No workflow mail inside the block (the demo puts contributions in review without mail)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def _send(subject: str, body: str, to: list[str]) -> None:
    from branchwork.core.tasks import send_email

    to = sorted({address for address in to if address})
    if to and not _suppressed.get():
        transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=to))


def _editorial(workflow) -> bool:
    from branchwork.publishing.models import EditorialTask

    return EditorialTask.objects.filter(workflow_tasks__workflow=workflow).exists()


def _article(workflow_state):
    from branchwork.publishing.models import ArticlePage

    return ArticlePage.objects.filter(pk=workflow_state.object_id).select_related("author__user").first()


def _author_addresses(article, workflow_state) -> list[str]:
    addresses = []
    if article is not None and article.author_id and article.author.email:
        addresses.append(article.author.email)
    elif workflow_state.requested_by and workflow_state.requested_by.email:
        addresses.append(workflow_state.requested_by.email)
    return addresses


def _title(article, workflow_state) -> str:
    if article is not None:
        return article.draft_title or article.title
    return str(workflow_state.content_object)


def task_submitted(sender, instance, user=None, **kwargs):
    from branchwork.publishing.models import EditorialTask

    task = instance.task.specific
    if not isinstance(task, EditorialTask):
        from wagtail.admin.signal_handlers import task_submission_email_notifier

        return task_submission_email_notifier(sender=sender, instance=instance, user=user, **kwargs)
    holders = (
        Membership.objects.current()
        .filter(role=task.role, organization__is_active=True, person__user__is_active=True)
        .exclude(person__user_id=getattr(user, "pk", None))
        .values_list("person__email", "person__user__email")
    )
    to = [person_email or user_email for person_email, user_email in holders]
    state = instance.workflow_state
    article = _article(state)
    title = _title(article, state)
    link = settings.BASE_URL + reverse("wagtailadmin_pages:edit", args=[state.object_id])
    author = article.byline_name if article is not None else ""
    subject = f"【待审稿件】{title}"
    body = (
        f"稿件《{title}》{('（作者：' + author + '）') if author else ''}已到“{step_name(task, 'zh')}”环节，等待您处理。\n"
        f"请在后台审阅：{link}\n\n"
        f"The contribution “{title}”{(' by ' + author) if author else ''} waits for you at the step "
        f"“{step_name(task, 'en')}”. Review it in the back office: {link}\n"
    )
    _send(subject, body, to)


def workflow_submitted(sender, instance, user=None, **kwargs):
    if _editorial(instance.workflow):
        return  # the first step's task_submitted mail tells those who act
    from wagtail.admin.signal_handlers import workflow_submission_email_notifier

    return workflow_submission_email_notifier(sender=sender, instance=instance, user=user, **kwargs)


def workflow_rejected(sender, instance, user=None, **kwargs):
    if not _editorial(instance.workflow):
        from wagtail.admin.signal_handlers import workflow_rejection_email_notifier

        return workflow_rejection_email_notifier(sender=sender, instance=instance, user=user, **kwargs)
    article = _article(instance)
    title = _title(article, instance)
    comment = instance.current_task_state.comment if instance.current_task_state else ""
    who = ""
    if user is not None:
        who = Person.objects.filter(user=user).values_list("name", flat=True).first() or user.get_username()
    link = settings.BASE_URL + reverse("publishing:my_contribution", kwargs={"page_id": instance.object_id})
    body = (
        f"您的稿件《{title}》已被{who or '编辑'}退回修改。\n意见：{comment or '（无）'}\n"
        f"修改后可在此重新提交：{link}\n\n"
        f"Your contribution “{title}” was sent back{(' by ' + who) if who else ''} for changes.\n"
        f"Comment: {comment or '(none)'}\nRevise and resubmit it here: {link}\n"
    )
    _send(f"【稿件退回】{title}", body, _author_addresses(article, instance))


def workflow_approved(sender, instance, user=None, **kwargs):
    if not _editorial(instance.workflow):
        from wagtail.admin.signal_handlers import workflow_approval_email_notifier

        return workflow_approval_email_notifier(sender=sender, instance=instance, user=user, **kwargs)
    article = _article(instance)
    if article is None:
        return
    title = article.title
    if article.live:
        link = article.get_full_url() or ""
        zh, en = f"已签发并发布：{link}", f"has been signed off and published: {link}"
    else:
        when = timezone.localtime(article.go_live_at).strftime("%Y-%m-%d %H:%M") if article.go_live_at else ""
        zh, en = f"已签发，将于 {when} 发布。", f"has been signed off and will be published at {when}."
    body = f"您的稿件《{title}》{zh}\n\nYour contribution “{title}” {en}\n"
    _send(f"【稿件签发】{title}", body, _author_addresses(article, instance))


def connect() -> None:
    from wagtail.models import TaskState, WorkflowState
    from wagtail.signals import task_submitted as task_submitted_signal
    from wagtail.signals import workflow_approved as workflow_approved_signal
    from wagtail.signals import workflow_rejected as workflow_rejected_signal
    from wagtail.signals import workflow_submitted as workflow_submitted_signal

    task_submitted_signal.connect(task_submitted, sender=TaskState, dispatch_uid=WAGTAIL_UIDS["task_submitted"])
    workflow_submitted_signal.connect(workflow_submitted, sender=WorkflowState,
                                      dispatch_uid=WAGTAIL_UIDS["workflow_submitted"])
    workflow_rejected_signal.connect(workflow_rejected, sender=WorkflowState,
                                     dispatch_uid=WAGTAIL_UIDS["workflow_rejected"])
    workflow_approved_signal.connect(workflow_approved, sender=WorkflowState,
                                     dispatch_uid=WAGTAIL_UIDS["workflow_approved"])
