from dataclasses import asdict

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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
    """django-csp's middleware, with our relaxed policy for RELAXED_CSP_PREFIXES, and the header
    built once per process for the common response: one that no view decorated (no per-response
    policy, not exempt) and whose page used no nonce, while no report-only policy or excluded
    prefixes are configured. Its value is what django-csp builds for that response (the same
    call, made once; the settings' policy changing in the tests starts afresh); any other
    response goes through django-csp as before. Issue 13: building it cost about a tenth of the
    trivial signed-in view."""

    _PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro",
                     "_csp_update_ro", "_csp_replace_ro", "_csp_exempt", "_csp_exempt_ro")
    _built: dict[bool, str] = {}

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(RELAXED_CSP_PREFIXES):
            parts.update = {**(parts.update or {}), **_RELAXED}
        return parts

    def process_response(self, request, response):
        if (settings.DEBUG or getattr(request, "_csp_nonce", None) is not None
                or any(getattr(response, name, None) is not None for name in self._PER_RESPONSE)
                or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
                or (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("EXCLUDE_URL_PREFIXES")):
            return super().process_response(request, response)
        relaxed = request.path_info.startswith(RELAXED_CSP_PREFIXES)
        policy = self._built.get(relaxed)
        if policy is None:
            policy = build_policy(**asdict(self.get_policy_parts(request, response)))
            self._built[relaxed] = policy
        if policy and HEADER not in response:
            response[HEADER] = policy
        # As django-csp does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@receiver(setting_changed)
def _policy_changed(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        ContentSecurityPolicyMiddleware._built.clear()


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
