from django.conf import settings

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
        "may_use_back_office": lambda: permissions.may_use_back_office(request.user),
    }
