"""Which articles a user may read, lists of them, and the ranking of related articles (cached
under the portal's generation)."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from wagtail.models import Page

from branchwork.core import permissions
from branchwork.publishing.models import (
    ArticlePage,
    ArticlePageTag,
    Visibility,
)

from branchwork.publishing.selectors.portal import (
    RELATED_CACHE_SECONDS,
    portal_generation,
    portal_structure,
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


def articles_tagged(user, tag) -> QuerySet[ArticlePage]:
    return for_listing(visible_articles(user).filter(tagged_items__tag=tag))
