"""Reads of the portal that pages share, each in a constant number of queries.

Everything a visitor sees goes through `visible_articles(user)`: live articles outside any private
section, and internal ones only for those who may read internal content.

A package by topic, one name for callers (`selectors.portal_generation()`): `articles` (what a
user may read, lists, tags, the ranking of related articles), `portal` (the portal's generation
and what is cached under it: the sections, the private ones, the site), `pages` (what the home, channel,
series and article pages show, their crumbs), `contributions` (a contributor's pieces and where
each stands in the workflow, the reviews waiting).
"""

from __future__ import annotations

from branchwork.publishing.selectors.articles import (  # noqa: F401
    LATEST_PER_CHANNEL,
    RELATED,
    _private_q,
    _ranked_by_shared_tags,
    _related_candidates,
    articles_tagged,
    for_listing,
    related_article_ids,
    visible_articles,
)
from branchwork.publishing.selectors.portal import (  # noqa: F401
    LISTED_FIELDS,
    PORTAL,
    RELATED_CACHE_SECONDS,
    Section,
    Structure,
    portal_changed,
    portal_generation,
    portal_structure,
)
from branchwork.publishing.selectors.pages import (  # noqa: F401
    PEOPLE,
    _series_of,
    _tags_of,
    article_page_context,
    channel_page_context,
    crumbs,
    home_page_context,
    page_url,
    public_channels,
    series_page_context,
)
from branchwork.publishing.selectors.contributions import (  # noqa: F401
    Contribution,
    Review,
    STATUS_LABELS,
    Step,
    _APPROVED,
    _STATE_STATUS,
    _WAITING,
    _name,
    _page_status,
    _role_of,
    contribution_summaries,
    contributions_of,
    waiting_for_review,
)
