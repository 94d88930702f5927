"""What the portal's pages show: the home page, a channel, a series, an article, their crumbs."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.core.cache import cache
from django.db.models import F, Window
from django.db.models.functions import RowNumber, Substr
from django.urls import reverse
from django.utils.translation import get_language
from wagtail.models import Page, Site

from branchwork.core.models import Person
from branchwork.publishing.models import (
    ARTICLES_PER_PAGE,
    ArticlePage,
    ChannelPage,
    SeriesPage,
)

from branchwork.publishing.selectors.articles import (
    LATEST_PER_CHANNEL,
    _private_q,
    for_listing,
    related_article_ids,
    visible_articles,
)
from branchwork.publishing.selectors.portal import (
    LISTED_FIELDS,
    RELATED_CACHE_SECONDS,
    portal_generation,
    portal_structure,
)


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
