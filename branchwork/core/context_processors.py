from django.conf import settings
from django.core.cache import cache

from branchwork.core import permissions

TEXT_SIZES = ("small", "normal", "large")
TEXT_SIZE_COOKIE = "bw_textsize"


def text_size(request) -> str:
    value = request.COOKIES.get(TEXT_SIZE_COOKIE, "normal")
    return value if value in TEXT_SIZES else "normal"


def site(request) -> dict:
    return {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "contribution_email": settings.CONTRIBUTION_EMAIL,
        "text_size": text_size(request),
        # Called by the template only where it asks (the header, for logged-in users).
        "may_use_back_office": lambda: back_office_link(request.user),
        # Asked only by the navigation shown to visitors (base.html).
        "nav_links": lambda: _nav_links(request),
    }


def _nav_links(request):
    from branchwork.core.hooks import nav_links

    return nav_links(request)


# The header's link to the back office is a convenience, not a permission (the back office
# checks its own): its answer is kept a few minutes per user, not asked on every page.
BACK_OFFICE_LINK_SECONDS = 300


def back_office_link(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    key = f"core:back-office-link:{user.pk}"
    shown = cache.get(key)
    if shown is None:
        shown = permissions.may_use_back_office(user)
        cache.set(key, shown, BACK_OFFICE_LINK_SECONDS)
    return shown
