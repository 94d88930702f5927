"""Contributions: a contributor's pieces and where each stands in the editorial workflow, and
the reviews waiting for an editor or a signer."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy as _
from wagtail.models import Page, TaskState, WorkflowState

from branchwork.core import permissions, prepared
from branchwork.core.models import Person, Role
from branchwork.publishing.editorial import step_name
from branchwork.publishing.models import ArticlePage


# --- Contributions ---


STATUS_LABELS = {
    "draft": _("Draft, not submitted"),
    "with_editor": _("With the editor"),
    "with_signer": _("With the signer"),
    "in_review": _("In review"),
    "sent_back": _("Sent back for changes"),
    "scheduled": _("Signed off, to be published"),
    "published": _("Published"),
    "withdrawn": _("Withdrawn"),
}


@dataclass
class Step:
    at: datetime.datetime | None
    who: str
    label: str
    comment: str = ""
    kind: str = ""


@dataclass(frozen=True)
class PageRef:
    """What /my/'s summary of a contribution reads of its page (an ArticlePage costs more to
    build than the query that reads it)."""

    pk: int
    title: str
    draft_title: str
    live: bool
    go_live_at: datetime.datetime | None


@dataclass
class Contribution:
    page: ArticlePage | PageRef
    status: str
    steps: list[Step] = field(default_factory=list)
    comment: str = ""
    sent_back_by: str = ""
    scheduled_at: datetime.datetime | None = None

    @property
    def title(self) -> str:
        return self.page.draft_title or self.page.title

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def can_revise(self) -> bool:
        return self.status == "sent_back"

    @property
    def submitted_at(self):
        return next((s.at for s in self.steps if s.kind == "submitted"), None)


def _name(user) -> str:
    if user is None:
        return ""
    try:
        return user.person.display_name
    except Person.DoesNotExist:
        return user.get_username()


def _role_of(task) -> str | None:
    try:
        return task.editorialtask.role
    except Exception:  # noqa: BLE001 - another kind of task
        return None


_APPROVED = {Role.EDITOR: _("Edited and approved by the editor"), Role.SIGNER: _("Signed off")}
_WAITING = {Role.EDITOR: "with_editor", Role.SIGNER: "with_signer"}


def contributions_of(person: Person, *, page_id: int | None = None) -> list[Contribution]:
    """A person's contributions, newest first, each with its status and every step of its review
    (who, when, and the comments of those who sent it back). Five queries, however many."""
    pages = ArticlePage.objects.filter(author=person).exclude(contributed_via="")
    if page_id is not None:
        pages = pages.filter(pk=page_id)
    pages = list(pages.defer("body").order_by("-pk"))
    if not pages:
        return []
    page_type = ContentType.objects.get_for_model(Page)
    states = list(
        WorkflowState.objects.filter(base_content_type=page_type, object_id__in=[str(p.pk) for p in pages])
        .select_related("requested_by__person", "current_task_state__task__editorialtask")
        .order_by("created_at", "pk")
    )
    task_states = list(
        TaskState.objects.filter(workflow_state__in=states)
        .select_related("task__editorialtask", "finished_by__person")
        .order_by("started_at", "pk")
    )
    by_state: dict[int, list[TaskState]] = {}
    for ts in task_states:
        by_state.setdefault(ts.workflow_state_id, []).append(ts)
    states_of: dict[str, list[WorkflowState]] = {}
    for state in states:
        states_of.setdefault(state.object_id, []).append(state)

    now = timezone.now()
    result = []
    for page in pages:
        steps: list[Step] = []
        status = "draft"
        comment = sent_back_by = ""
        for state in states_of.get(str(page.pk), []):
            steps.append(Step(state.created_at, _name(state.requested_by), str(_("Submitted")), kind="submitted"))
            for ts in by_state.get(state.pk, []):
                role = _role_of(ts.task)
                who = _name(ts.finished_by)
                if ts.status == TaskState.STATUS_APPROVED:
                    label = str(_APPROVED.get(role, _("Approved")))
                    steps.append(Step(ts.finished_at, who, label, ts.comment, kind="approved"))
                elif ts.status == TaskState.STATUS_REJECTED:
                    steps.append(Step(ts.finished_at, who, str(_("Sent back")), ts.comment, kind="rejected"))
                elif ts.status == TaskState.STATUS_CANCELLED and ts.finished_at:
                    steps.append(Step(ts.finished_at, who, str(_("Withdrawn")), ts.comment, kind="cancelled"))
            # The latest workflow state decides the status.
            current = state.current_task_state
            if state.status == WorkflowState.STATUS_IN_PROGRESS:
                role = _role_of(current.task) if current else None
                status = _WAITING.get(role, "in_review")
            elif state.status == WorkflowState.STATUS_NEEDS_CHANGES:
                status = "sent_back"
                rejected = [ts for ts in by_state.get(state.pk, []) if ts.status == TaskState.STATUS_REJECTED]
                if rejected:
                    comment, sent_back_by = rejected[-1].comment, _name(rejected[-1].finished_by)
            elif state.status == WorkflowState.STATUS_APPROVED:
                status = "published"
            elif state.status == WorkflowState.STATUS_CANCELLED:
                status = "withdrawn"
        if page.live:
            steps.append(Step(page.first_published_at, "", str(_("Published")), kind="published"))
        status, scheduled_at = _page_status(page, status, now)
        result.append(Contribution(page=page, status=status, steps=steps, comment=comment,
                                   sent_back_by=sent_back_by, scheduled_at=scheduled_at))
    return result


def _page_status(page: ArticlePage | PageRef, status: str, now) -> tuple[str, datetime.datetime | None]:
    """The status its workflow gives a contribution, as its page stands: a live page is
    published; one signed off but not live is scheduled (with the time, when it is to come)."""
    if page.live:
        return "published", None
    if status == "published":
        if page.go_live_at and page.go_live_at > now:
            return "scheduled", page.go_live_at
        return "scheduled", None
    return status, None


_STATE_STATUS = {WorkflowState.STATUS_NEEDS_CHANGES: "sent_back",
                 WorkflowState.STATUS_APPROVED: "published",
                 WorkflowState.STATUS_CANCELLED: "withdrawn"}


def contribution_summaries(person: Person, *, limit: int = 5) -> list[Contribution]:
    """A person's latest contributions with their status and, when sent back, the comment: what
    /my/ shows, in one query (the latest workflow state of each page, its waiting task's role
    and its last sending back as subqueries; none of the steps `contributions_of` lists), compiled
    once (core/prepared.py): /my/ asks it on every request. Read as plain values: each page is a
    `PageRef`, not an ArticlePage."""
    page_type_id = ContentType.objects.get_for_model(Page).pk

    def build(author_id):
        states = WorkflowState.objects.filter(
            base_content_type_id=page_type_id, object_id=Cast(OuterRef("pk"), CharField()),
        ).order_by("-created_at", "-pk")
        return (
            ArticlePage.objects.filter(author_id=author_id).exclude(contributed_via="")
            .order_by("-pk")
            .annotate(
                state_id=Subquery(states.values("pk")[:1]),
                state_status=Subquery(states.values("status")[:1]),
                waiting_role=Subquery(states.values("current_task_state__task__editorialtask__role")[:1]),
            )
            .annotate(sent_back_comment=Subquery(
                TaskState.objects.filter(workflow_state_id=OuterRef("state_id"),
                                         status=TaskState.STATUS_REJECTED)
                .order_by("-started_at", "-pk").values("comment")[:1]))
            .values_list("pk", "title", "draft_title", "live", "go_live_at", "state_status",
                         "waiting_role", "sent_back_comment")
            [:limit]
        )

    rows = prepared.rows(("publishing.contribution_summaries", page_type_id, limit), build,
                         author_id=person.pk)
    now = timezone.now()
    result = []
    for pk, title, draft_title, live, go_live_at, state_status, waiting_role, sent_back_comment in rows:
        page = PageRef(pk, title, draft_title, live, go_live_at)
        if state_status == WorkflowState.STATUS_IN_PROGRESS:
            status = _WAITING.get(waiting_role, "in_review")
        else:
            status = _STATE_STATUS.get(state_status, "draft")
        comment = (sent_back_comment or "") if status == "sent_back" else ""
        status, scheduled_at = _page_status(page, status, now)
        result.append(Contribution(page=page, status=status, comment=comment,
                                   scheduled_at=scheduled_at))
    return result


@dataclass
class Review:
    page: Page
    task_name: str
    since: datetime.datetime
    requested_by: str
    edit_url: str


def waiting_for_review(user, limit: int = 20) -> list[Review]:
    """What waits for this user's decision (editor or signer), oldest first."""
    from branchwork.publishing.models import EditorialTask

    if not (user.is_authenticated and (user.is_superuser or permissions.holds_current_role(user, Role.EDITOR)
                                       or permissions.holds_current_role(user, Role.SIGNER))):
        return []
    task_ids = [t.pk for t in EditorialTask.objects.filter(active=True) if t.user_may_act(user)]
    states = (
        TaskState.objects.filter(task_id__in=task_ids, status=TaskState.STATUS_IN_PROGRESS)
        .select_related("task__editorialtask", "workflow_state__requested_by__person")
        .order_by("started_at")[:limit]
    )
    states = list(states)
    page_ids = [int(ts.workflow_state.object_id) for ts in states]
    pages = Page.objects.in_bulk(page_ids)
    reviews = []
    for ts in states:
        page = pages.get(int(ts.workflow_state.object_id))
        if page is None:
            continue
        reviews.append(Review(
            page=page, task_name=step_name(ts.task, get_language() or settings.LANGUAGE_CODE), since=ts.started_at,
            requested_by=_name(ts.workflow_state.requested_by),
            edit_url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
        ))
    return reviews
