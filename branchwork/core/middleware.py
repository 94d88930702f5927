from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from branchwork.core import audit

# The Wagtail admin and the Swagger UI page rely on inline scripts and styles; our own pages don't.
RELAXED_CSP_PREFIXES = ("/admin/", "/django-admin/", "/api/v1/docs/")
_RELAXED = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(RELAXED_CSP_PREFIXES):
            parts.update = {**(parts.update or {}), **_RELAXED}
        return parts


class AuditActorMiddleware:
    """Attribute every change made while serving a request to the user making it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = "api" if request.path_info.startswith("/api/") else "web"
        with audit.acting_as(request.user, source=source):
            return self.get_response(request)


class ChineseFirstLocaleMiddleware:
    """The user's chosen language (the language cookie), else the deployment's default.

    Unlike Django's LocaleMiddleware, pages ignore the browser's Accept-Language: a colleague whose
    computer runs in English still sees the Chinese interface until they choose English. API
    clients do choose their language with Accept-Language, as HTTP intends.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in self.languages:
            language = chosen
        elif request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request)
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # Caches must keep one copy per language choice.
        is_api = request.path_info.startswith("/api/")
        patch_vary_headers(response, ("Cookie", "Accept-Language") if is_api else ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
