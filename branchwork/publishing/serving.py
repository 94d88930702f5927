"""The portal's pages, served by Wagtail with the request's site taken from the cache.

Wagtail finds the site of every request in the database (`Site.find_for_request`) and then its
root page's specific instance: two queries and some milliseconds of ORM work on each page of
the portal, which must answer in 30 ms. Sites change rarely, so each host's site is kept in the
cache under the portal's generation (`selectors.portal_generation`), which moves on when a site
or a page changes (signals.py), in every process of the machine. Only page requests go through
here (the project's urls.py puts `serve` before Wagtail's own pattern); other views never ask
for a site.
"""

from django.core.cache import cache
from wagtail import views as wagtail_views
from wagtail.models import Site

from branchwork.publishing.selectors import portal_generation

SITE_CACHE_SECONDS = 300
_MISSING = object()


def attach_cached_site(request) -> None:
    """Set `request._wagtail_site`, which `Site.find_for_request` then returns as it is."""
    if hasattr(request, "_wagtail_site"):
        return
    # get_host() validates the host against ALLOWED_HOSTS (raising for a bad one), so no one
    # fills the cache with made-up hosts.
    key = f"portal:site:{portal_generation()}:{request.get_host()}:{request.get_port()}"
    site = cache.get(key, _MISSING)
    if site is _MISSING:
        site = Site.find_for_request(request)
        if site is not None:
            # Wagtail routes from the root page's specific instance (`.specific`, a query):
            # cached with the site. It only routes: the home page itself is read afresh
            # (HomePage.route).
            site.root_page.specific  # noqa: B018
        cache.set(key, site, SITE_CACHE_SECONDS)
    else:
        request._wagtail_site = site


def serve(request, path):
    """Wagtail's page view, with the site from the cache."""
    attach_cached_site(request)
    return wagtail_views.serve(request, path)
