from csp.middleware import CSPMiddleware, PolicyParts

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
