"""Writes to the portal: contributions, their revision and review, images, imported articles.

    contribution_create(author=…, title=…, body_html=…, source="web", channel=None) → ArticlePage
        a member's article as a draft (internal until an editor decides), submitted to the
        editorial workflow. Email intake calls this with source="email".
    contribution_revise(by=…, page=…, title=…, text=…) → ArticlePage
        the author's new text after it was sent back; resubmitted where it was sent back from.
    review(by=…, page=…, action="approve"|"reject", comment="") → the task state acted on
        an editor's or signer's decision outside the back office (the back office does the same).
    image_create(by=…, file=…, title=…) → Image
    article_publish_imported(…) → ArticlePage  (used by the importer)

Each runs in one transaction. Wagtail's revisions and its log record every step with who and
when: the submission, each approval or request for changes with its comment, the publication.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page, TaskState, WorkflowState

from branchwork.core.conflicts import Conflict
from branchwork.core.models import Person
from branchwork.publishing.editorial import editorial_workflow
from branchwork.publishing.models import (
    ArticleLanguage,
    ArticlePage,
    ChannelPage,
    ContributionSource,
    EditorialTask,
    Visibility,
)
from branchwork.publishing.richtext import html_to_stream, revise_stream

SLUG_MAX = 80
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class NoContributionChannel(Exception):
    """No channel accepts contributions: mark one in the back office (channel settings)."""


class NotInWorkflow(Conflict):
    """The article is not (or no longer) waiting for this step of the editorial workflow."""


def contributions_channel() -> ChannelPage:
    """The default channel for contributions: the first (in tree order) that accepts them."""
    channel = ChannelPage.objects.filter(accepts_contributions=True).order_by("path").first()
    if channel is None:
        raise NoContributionChannel(
            "No channel accepts contributions. In the back office, open a channel's settings and "
            "tick “accepts contributions” (or run `branchwork load_demo` for a demo portal)."
        )
    return channel


def unique_slug(parent: Page, title: str) -> str:
    """A slug for a new child of `parent`: from the title (Chinese kept), unique among siblings."""
    base = slugify(title, allow_unicode=True)[:SLUG_MAX].strip("-") or "article"
    taken = set(
        parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def guess_language(text: str) -> str:
    return ArticleLanguage.CHINESE if _CJK.search(text or "") else ArticleLanguage.ENGLISH


@transaction.atomic
def contribution_create(
    *,
    author: Person,
    title: str,
    body_html: str,
    source: str = "web",
    channel: ChannelPage | None = None,
) -> ArticlePage:
    """A member's contribution: a draft article in their name, submitted to the editors.

    `body_html` is rich text in Wagtail's storage format; images as `<embed embedtype="image"
    id="N" alt="…"/>` followed by a caption paragraph, documents as `<a linktype="document"
    id="N">`. The article is internal to the author's branch until an editor makes it public (or
    gives it to another organization); its owner is the author's user account (None when they
    have none). Raises NoContributionChannel when no channel accepts contributions and
    ValidationError for an empty title.
    """
    if source not in (ContributionSource.WEB, ContributionSource.EMAIL):
        raise ValueError(f"source must be 'web' or 'email', not {source!r}")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("A contribution needs a title.")})
    channel = channel or contributions_channel()
    page = ArticlePage(
        title=title[:255],
        draft_title=title[:255],
        slug=unique_slug(channel, title),
        author=author,
        owner=author.user,
        language=guess_language(title + " " + (body_html or "")[:2000]),
        body=html_to_stream(body_html),
        visibility=Visibility.INTERNAL,
        organization_id=author.primary_org_id(),
        contributed_via=source,
        live=False,
        has_unpublished_changes=True,
    )
    channel.add_child(instance=page)
    page.save_revision(user=author.user, log_action=True)
    workflow = page.get_workflow() or editorial_workflow()
    if workflow is None:
        raise NoContributionChannel(
            "No editorial workflow is set up; run `branchwork migrate` (it sets the workflow up)."
        )
    workflow.start(page, author.user)
    return page


@transaction.atomic
def image_create(*, by, file, title: str, collection=None):
    """An image in the library (uploaded by `by`), from an uploaded or generated file."""
    from wagtail.images import get_image_model

    Image = get_image_model()
    image = Image(title=(title or getattr(file, "name", "") or "image")[:255], uploaded_by_user=by)
    if collection is not None:
        image.collection = collection
    image.file = file
    image._set_image_file_metadata()
    image.save()
    return image


def _locked(page: ArticlePage) -> ArticlePage:
    """Lock the page's row and read it afresh, workflow state included: two editors deciding at
    once, or an author revising while an editor decides, are taken one after the other, and the
    second sees what the first did (a copy loaded by a view, or prefetched states, decide nothing)."""
    Page.objects.select_for_update().filter(pk=page.pk).values_list("pk", flat=True).first()
    return ArticlePage.objects.get(pk=page.pk)


def _current_state(page: ArticlePage) -> WorkflowState | None:
    return page.current_workflow_state


@transaction.atomic
def contribution_revise(*, by, page: ArticlePage, title: str, text: str) -> ArticlePage:
    """The author's new title and text after the contribution was sent back; resubmitted.

    Images stay where they were (relative to the paragraphs). Only the author may do this, and
    only while the contribution waits for changes.
    """
    person = Person.objects.filter(user=by).first() if by and by.is_authenticated else None
    if person is None or page.author_id != person.pk:
        raise PermissionDenied("Only the author revises a contribution.")
    page = _locked(page)
    state = _current_state(page)
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        raise NotInWorkflow(_("This contribution is not waiting for changes (it may have been "
                              "approved or withdrawn meanwhile)."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("A contribution needs a title.")})
    draft = page.get_latest_revision_as_object()
    draft.title = draft.draft_title = title[:255]
    draft.body = revise_stream(draft.body, text)
    draft.save_revision(user=by, log_action=True)
    state.resume(user=by)
    return page


@transaction.atomic
def review(*, by, page: ArticlePage, action: str, comment: str = "") -> TaskState:
    """Approve the current step, or send the contribution back with a comment.

    The same as the back office's workflow buttons: only those holding the step's role today
    may act (PermissionDenied otherwise); sending back needs a comment.
    """
    if action not in ("approve", "reject"):
        raise ValueError(f"action must be 'approve' or 'reject', not {action!r}")
    page = _locked(page)
    state = _current_state(page)
    task_state = state.current_task_state if state is not None else None
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS or task_state is None:
        raise NotInWorkflow(_("This article is not waiting for a decision (someone may have "
                              "decided meanwhile)."))
    task = task_state.task.specific
    if action not in [name for name, _label, _modal in task.get_actions(page, by)]:
        raise PermissionDenied("You may not act on this step.")
    if action == "reject" and not comment.strip():
        raise ValidationError({"comment": _("Say why it is sent back.")})
    task.on_action(task_state.specific, by, action, comment=comment.strip())
    return task_state


@transaction.atomic
def article_publish_imported(
    *,
    by,
    channel: ChannelPage,
    title: str,
    body: list[dict],
    published_at: datetime.datetime,
    language: str,
    visibility: str,
    author: Person | None = None,
    author_name: str = "",
    subtitle: str = "",
    source: str = "",
    summary: str = "",
    tags: list[str] | tuple[str, ...] = (),
    author_affiliation: str = "",
    responsible_editor: Person | None = None,
    signer: Person | None = None,
    series=None,
    part_number: int | None = None,
    slug: str | None = None,
    organization=None,
) -> ArticlePage:
    """An article published with a given publication time: from an old archive, or the demo's.
    `organization` is whose article it is (whose members read it when internal)."""
    page = ArticlePage(
        title=title[:255],
        draft_title=title[:255],
        slug=slug or unique_slug(channel, title),
        subtitle=subtitle[:255],
        author=author,
        author_name=author_name[:120],
        author_affiliation=author_affiliation[:200],
        responsible_editor=responsible_editor,
        signer=signer,
        series=series,
        part_number=part_number,
        source=source[:200],
        summary=summary,
        language=language,
        body=body,
        visibility=visibility,
        organization=organization,
        owner=by,
        live=False,
        has_unpublished_changes=True,
        first_published_at=published_at,
    )
    channel.add_child(instance=page)
    if tags:
        page.tags.add(*tags)
    revision = page.save_revision(user=by, log_action=True)
    revision.publish(user=by, log_action=True, skip_permission_checks=True)
    ArticlePage.objects.filter(pk=page.pk).update(
        first_published_at=published_at, last_published_at=published_at
    )
    page.first_published_at = page.last_published_at = published_at
    return page


def editorial_task_of(task_state: TaskState) -> EditorialTask | None:
    task = task_state.task.specific
    return task if isinstance(task, EditorialTask) else None
