"""What the portal's pages read on every request, cached under the portal's generation: the
sections, the private ones, the site."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils.translation import get_language
from wagtail.models import Page, PageViewRestriction

from branchwork.core.generation import Generation
from branchwork.publishing.models import ArticlePage


# What a compact list of articles shows (title, part, language, internal mark, subtitle, date, link).
LISTED_FIELDS = ("title", "url_path", "path", "depth", "first_published_at", "subtitle", "language",
                 "visibility", "series", "part_number")


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
