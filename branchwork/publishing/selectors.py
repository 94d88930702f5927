"""Reads of the portal that pages share, each in a constant number of queries.

Everything a visitor sees goes through `visible_articles(user)`: live articles outside any private
section, and internal ones only for those who may read internal content.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Cast, RowNumber, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy as _
from wagtail.models import Page, PageViewRestriction, Site, TaskState, WorkflowState

from branchwork.core import permissions
from branchwork.core.generation import Generation
from branchwork.core.models import Person, Role
from branchwork.publishing.editorial import step_name
from branchwork.publishing.models import (
    ARTICLES_PER_PAGE,
    ArticlePage,
    ArticlePageTag,
    ChannelPage,
    SeriesPage,
    Visibility,
)


LATEST_PER_CHANNEL = 6
RELATED = 5


def visible_articles(user) -> QuerySet[ArticlePage]:
    """Live articles outside private sections; internal ones only for those who may read them.

    Built once per user object (a request's user): `.public()` reads Wagtail's view restrictions
    when it is called, so a page that lists articles several times asks for them once.
    """
    cached = getattr(user, "_portal_visible_articles", None)
    if cached is not None:
        return cached.all()
    qs = ArticlePage.objects.live().exclude(_private_q())
    readable = permissions.internal_content_filter(user)
    if readable is None:
        qs = qs.filter(visibility=Visibility.PUBLIC)
    elif readable:  # not a superuser
        qs = qs.filter(Q(visibility=Visibility.PUBLIC) | readable)
    try:
        user._portal_visible_articles = qs
    except AttributeError:  # AnonymousUser objects may be shared; building it again is cheap
        pass
    return qs.all()


def _private_q() -> Q:
    """Wagtail's private sections (pages under a view restriction), as `.public()` excludes them
    (`PageQuerySet.private_q`), from the portal's cached structure."""
    q = Q()
    for path, depth in portal_structure().private:
        q |= Q(path__startswith=path, depth__gte=depth)
    return q if q else Q(pk__in=[])


def for_listing(qs: QuerySet[ArticlePage]) -> QuerySet[ArticlePage]:
    """What lists show of an article (title, byline, date, summary), newest first."""
    return qs.select_related("author__unit").defer("body").order_by("-first_published_at", "-pk")


def crumbs(page: Page, request, *, last: str | None = None) -> list[tuple[str, str | None]]:
    """Breadcrumbs below the home page (base.html puts "Home" first), the page itself last.

    The ancestors (home, channels) are in the portal's cached structure; their addresses are
    their URL paths under the site's root, as Page.get_url gives them, without loading pages."""
    site_root_depth = 2
    paths = [page.path[: Page.steplen * depth] for depth in range(site_root_depth + 1, page.depth)]
    sections = portal_structure().sections
    if all(path in sections for path in paths):
        rows = [(sections[path].display_title, sections[path].url_path) for path in paths]
    else:  # changed since the structure was read (another process's change, not yet seen)
        english = (get_language() or "").startswith("en")
        rows = [
            ((title_en if english and title_en else title), url_path)
            for title, title_en, url_path in Page.objects.filter(path__in=paths).order_by("depth")
            .values_list("title", "channelpage__title_en", "url_path")
        ]
    own = getattr(page, "display_title", page.title) if isinstance(page, ChannelPage) else page.title
    return [(title, page_url(url_path, request)) for title, url_path in rows] + [(last or own, None)]


def public_channels(request) -> list[tuple[str, str]]:
    """The channels just below the site's home page that anyone may read, as (title, address),
    from the cached structure: the navigation shown to visitors."""
    structure = portal_structure()
    home_depth = 2
    found = []
    for path, section in sorted(structure.sections.items()):
        if (section.is_channel and section.live and len(path) == Page.steplen * (home_depth + 1)
                and section.alias_of_id is None
                and not any(path.startswith(private) for private, _depth in structure.private)):
            url = page_url(section.url_path, request)
            if url is not None:
                found.append((section.display_title, url))
    return found


def page_url(url_path: str, request, roots=None) -> str | None:
    """A page's address from its url_path, as Page.get_url() gives it without loading the page:
    relative on the request's site (or on the only site), else absolute. `roots`: the sites'
    root paths when the caller has them (Site.get_site_root_paths(), cached by Wagtail)."""
    roots = roots if roots is not None else Site.get_site_root_paths()
    for root in sorted(roots, key=lambda r: -len(r.root_path)):
        if url_path.startswith(root.root_path):
            path = url_path[len(root.root_path) - 1:]
            if len(roots) == 1:
                return path
            current = Site.find_for_request(request) if request is not None else None
            elsewhere = current is None or root.site_id != current.pk
            return root.root_url.rstrip("/") + path if elsewhere else path
    return None


def home_page_context(home, request) -> dict:
    user = request.user
    channels = list(ChannelPage.objects.child_of(home).live().public().order_by("path"))
    top_length = (home.depth + 1) * Page.steplen
    ranked = (
        visible_articles(user)
        .descendant_of(home)
        .annotate(
            channel_path=Substr("path", 1, top_length),
            rank=Window(
                RowNumber(),
                partition_by=[Substr("path", 1, top_length)],
                order_by=[F("first_published_at").desc(), F("pk").desc()],
            ),
        )
        .filter(rank__lte=LATEST_PER_CHANNEL)
        .select_related("author__unit")
        .defer("body")
        .order_by("channel_path", "rank")
    )
    by_channel: dict[str, list[ArticlePage]] = {}
    for article in ranked:
        by_channel.setdefault(article.channel_path, []).append(article)
    for channel in channels:
        channel.latest = by_channel.get(channel.path, [])
    latest = list(for_listing(visible_articles(user).descendant_of(home))[:8])
    series = list(SeriesPage.objects.descendant_of(home).live().public().order_by("-first_published_at")[:6])
    return {"channels": channels, "latest": latest, "series_list": series}


def channel_page_context(channel: ChannelPage, request) -> dict:
    user = request.user
    articles = for_listing(visible_articles(user).descendant_of(channel))
    page_obj = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "subchannels": list(ChannelPage.objects.child_of(channel).live().public().order_by("path")),
        "series_list": list(SeriesPage.objects.child_of(channel).live().public().order_by("path")),
        "page_obj": page_obj,
        "articles": page_obj.object_list,
        "breadcrumbs": crumbs(channel, request),
        "feed_url": reverse("publishing:channel_feed", kwargs={"channel_id": channel.pk}),
    }


def series_page_context(series: SeriesPage, request) -> dict:
    parts = for_listing(visible_articles(request.user).filter(series=series)).order_by("part_number")
    return {"parts": list(parts), "breadcrumbs": crumbs(series, request)}


# What a compact list of articles shows (title, part, language, internal mark, subtitle, date, link).
LISTED_FIELDS = ("title", "url_path", "path", "depth", "first_published_at", "subtitle", "language",
                 "visibility", "series", "part_number")


def related_article_ids(article: ArticlePage, user, tag_ids: list[int], limit: int = RELATED, *,
                        besides: tuple = ()) -> list[int]:
    """Articles sharing the most tags with this one, then the latest added to its channel (by
    their place in the tree: an index range, where ordering by publication time sorts them all):
    their ids, in order. Two queries at most, whatever the numbers (one when the ranking is
    cached). Candidates are ranked on the tag links and the page table
    alone (ranking the thousands of articles that share a popular tag by their whole rows
    costs tens of milliseconds), then filtered for this reader as ids (a page is a costly
    object to build: only the chosen few are). The ranking keeps a margin of candidates, so
    that articles the reader may not open leave enough behind. `besides`: ids the page already
    links (the neighbouring parts of a series)."""
    candidates = [pk for pk in _related_candidates(article, tag_ids, limit * 4) if pk not in besides]
    if not candidates:
        return []
    readable = set(visible_articles(user).filter(pk__in=candidates).values_list("pk", flat=True))
    return [pk for pk in dict.fromkeys(candidates) if pk in readable][:limit]


# What the portal's pages read on every request and changes only when the portal does (the
# ranking of related articles, the sections above articles, the private sections, the request's
# site) is cached under the portal's generation: a counter that every publication,
# unpublication, move and deletion of a page, every change of a site or a view restriction moves
# on (signals.py). The counter is kept twice: in the cache (shared by every process when the
# cache is, CACHE_URL) and as a file in the instance folder, whose size and time every process
# on this machine sees at the cost of a stat() — so that with the default per-process cache,
# a page published through one gunicorn worker is seen at once by the others. Who may read
# what is never cached: each request filters for its reader.
RELATED_CACHE_SECONDS = 600
PORTAL = Generation("portal:generation", "PORTAL_GENERATION_FILE", "the portal")


def portal_generation() -> str:
    return PORTAL.current()


def portal_changed() -> None:
    """Forget what was cached of the portal (a page was published, unpublished, moved or
    deleted; a site or a view restriction changed)."""
    PORTAL.bump()


@dataclass(frozen=True)
class Section:
    """A page above or beside the articles (the home page, a channel, a series)."""

    pk: int
    title: str
    url_path: str
    live: bool
    alias_of_id: int | None = None
    title_en: str = ""  # a channel's English title, if it has one
    is_channel: bool = False

    @property
    def display_title(self) -> str:
        return self.title_en if self.title_en and (get_language() or "").startswith("en") else self.title


@dataclass(frozen=True)
class Structure:
    sections: dict[str, Section]  # by tree path
    paths: dict[int, str]  # the sections' paths by page id
    private: tuple[tuple[str, int], ...]  # (path, depth) of the pages under a view restriction

    def unrestricted(self, page: Page) -> bool:
        """Is no view restriction on this page nor above it, with no alias on the way (whose
        source's restrictions would count)? False when the structure cannot tell."""
        if page.alias_of_id is not None or any(page.path.startswith(p) for p, _depth in self.private):
            return False
        for depth in range(1, page.depth):
            section = self.sections.get(page.path[: Page.steplen * depth])
            if section is None or section.alias_of_id is not None:
                return False
        return True


def portal_structure() -> Structure:
    """The portal's pages other than articles (a few hundred at most), and its private sections:
    read once per generation (two queries), then from the cache."""
    generation = portal_generation()
    key = f"portal:structure:{generation}"
    found = cache.get(key)
    if found is None:
        article_type = ContentType.objects.get_for_model(ArticlePage)
        sections = {
            path: Section(pk, title, url_path, live, alias_of_id, title_en or "", channel_id is not None)
            for pk, path, title, url_path, live, alias_of_id, title_en, channel_id
            in Page.objects.exclude(content_type=article_type).values_list(
                "pk", "path", "title", "url_path", "live", "alias_of_id", "channelpage__title_en", "channelpage__pk")
        }
        private = tuple(
            PageViewRestriction.objects.order_by("page__path").values_list("page__path", "page__depth")
        )
        found = Structure(sections=sections, paths={s.pk: path for path, s in sections.items()},
                          private=private)
        cache.set(key, found, RELATED_CACHE_SECONDS)
    return found


def _related_candidates(article: ArticlePage, tag_ids: list[int], margin: int) -> list[int]:
    """Live pages ranked for `article`: those sharing most tags, then the latest added to its
    channel; readers' permissions are applied afterwards."""
    tags = ",".join(str(pk) for pk in sorted(tag_ids))
    key = f"portal:related:{portal_generation()}:{article.pk}:{margin}:{tags}"
    candidates = cache.get(key)
    if candidates is None:
        by_tags = _ranked_by_shared_tags(article.pk, tag_ids, margin) if tag_ids else []
        channel_path = article.path[: -Page.steplen]
        latest = list(
            Page.objects.live()
            .filter(path__range=Page._get_children_path_interval(channel_path))
            .exclude(pk=article.pk)
            .order_by("-path")
            .values_list("pk", flat=True)[:margin]
        )
        candidates = by_tags + latest
        cache.set(key, candidates, RELATED_CACHE_SECONDS)
    return candidates


def _ranked_by_shared_tags(article_id: int, tag_ids: list[int], count: int) -> list[int]:
    """Ids of live articles sharing tags with this one: most tags shared first, then newest.

    Written in SQL over the tag links and the page table only: the ORM's way there joins the
    article table, whose rows SQLite has to read past each article's body."""
    tags, pages = ArticlePageTag._meta.db_table, Page._meta.db_table
    marks = ", ".join(["%s"] * len(tag_ids))
    sql = (
        f"SELECT t.content_object_id FROM {tags} t JOIN {pages} p ON p.id = t.content_object_id "
        f"WHERE t.tag_id IN ({marks}) AND p.live = %s AND t.content_object_id <> %s "
        "GROUP BY t.content_object_id "
        "ORDER BY COUNT(*) DESC, MAX(p.first_published_at) DESC, t.content_object_id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*tag_ids, True, article_id, count])
        return [row[0] for row in cursor.fetchall()]


PEOPLE = ("author", "responsible_editor", "signer")


def _tags_of(article: ArticlePage, request) -> list:
    """The published article's tags, cached under the portal's generation (they change when it
    is published again, or when a tag is renamed); a preview shows the draft's own."""
    if getattr(request, "is_preview", False):
        return list(article.tags.all())
    key = f"portal:tags:{portal_generation()}:{article.pk}"
    tags = cache.get(key)
    if tags is None:
        tags = list(article.tags.all())
        cache.set(key, tags, RELATED_CACHE_SECONDS)
    return tags


def _series_of(article: ArticlePage) -> SeriesPage | None:
    """The article's series, if it is live and public: a page built from the cached structure
    (its title and address are all an article page shows of it)."""
    structure = portal_structure()
    path = structure.paths.get(article.series_id)
    if path is None:  # not in the structure read: ask the database
        return SeriesPage.objects.live().exclude(_private_q()).filter(pk=article.series_id).first()
    section = structure.sections[path]
    if not section.live or any(path.startswith(p) for p, _depth in structure.private):
        return None
    return SeriesPage(id=section.pk, page_ptr_id=section.pk, path=path, depth=len(path) // Page.steplen,
                      title=section.title, url_path=section.url_path, live=True)


def article_page_context(article: ArticlePage, request) -> dict:
    user = request.user
    # The byline's and sign-off's people: read with the page when it was routed
    # (HomePage.route), else here in one query.
    names = [name for name in PEOPLE if getattr(article, f"{name}_id")
             and not ArticlePage._meta.get_field(name).is_cached(article)]
    if names:
        people = Person.objects.select_related("unit").in_bulk([getattr(article, f"{n}_id") for n in names])
        for name in names:
            ArticlePage._meta.get_field(name).set_cached_value(article, people.get(getattr(article, f"{name}_id")))
    tags = _tags_of(article, request)
    series = _series_of(article) if article.series_id else None
    previous_id = next_id = None
    if series is not None:
        order = list(visible_articles(user).filter(series_id=series.pk).order_by("part_number")
                     .values_list("pk", flat=True))
        if article.pk in order:
            index = order.index(article.pk)
            previous_id = order[index - 1] if index > 0 else None
            next_id = order[index + 1] if index + 1 < len(order) else None
    related = related_article_ids(article, user, [t.pk for t in tags], besides=(previous_id, next_id))
    # The neighbouring parts and the related articles, in one query.
    wanted = [pk for pk in (previous_id, next_id, *related) if pk]
    found = ArticlePage.objects.only(*LISTED_FIELDS).in_bulk(wanted) if wanted else {}
    return {
        "tags": tags,
        "series": series,
        "previous_part": found.get(previous_id),
        "next_part": found.get(next_id),
        "related": [found[pk] for pk in related if pk in found],
        "breadcrumbs": crumbs(article, request, last=article.display_title),
        "print_url": f"{article.get_url(request)}?print=1",
        "canonical_url": request.build_absolute_uri(article.get_url(request)),
    }


def articles_tagged(user, tag) -> QuerySet[ArticlePage]:
    return for_listing(visible_articles(user).filter(tagged_items__tag=tag))


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


@dataclass
class Contribution:
    page: ArticlePage
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


def _page_status(page: ArticlePage, status: str, now) -> tuple[str, datetime.datetime | None]:
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
    and its last sending back as subqueries; none of the steps `contributions_of` lists)."""
    page_type = ContentType.objects.get_for_model(Page)
    states = WorkflowState.objects.filter(
        base_content_type=page_type, object_id=Cast(OuterRef("pk"), CharField()),
    ).order_by("-created_at", "-pk")
    pages = list(
        ArticlePage.objects.filter(author=person).exclude(contributed_via="")
        .defer("body").order_by("-pk")
        .annotate(
            state_id=Subquery(states.values("pk")[:1]),
            state_status=Subquery(states.values("status")[:1]),
            waiting_role=Subquery(states.values("current_task_state__task__editorialtask__role")[:1]),
        )
        .annotate(sent_back_comment=Subquery(
            TaskState.objects.filter(workflow_state_id=OuterRef("state_id"),
                                     status=TaskState.STATUS_REJECTED)
            .order_by("-started_at", "-pk").values("comment")[:1]))
        [:limit]
    )
    now = timezone.now()
    result = []
    for page in pages:
        if page.state_status == WorkflowState.STATUS_IN_PROGRESS:
            status = _WAITING.get(page.waiting_role, "in_review")
        else:
            status = _STATE_STATUS.get(page.state_status, "draft")
        comment = (page.sent_back_comment or "") if status == "sent_back" else ""
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
