"""The Content-Security-Policy header built once per process (core.middleware) is the header
django-csp builds, for our pages and the relaxed ones; decorated views and nonces still go
through django-csp (issue 13, the load benchmark's floor)."""

from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from branchwork.core.middleware import ContentSecurityPolicyMiddleware

HEADER = "Content-Security-Policy"


def answer(request):
    return HttpResponse("ok")


def through_django_csp(path: str) -> str:
    middleware = ContentSecurityPolicyMiddleware(answer)
    request = RequestFactory().get(path)
    middleware.process_request(request)
    return CSPMiddleware.process_response(middleware, request, HttpResponse("ok"))[HEADER]


def test_the_header_built_once_is_django_csps_for_our_pages_and_the_relaxed_ones():
    middleware = ContentSecurityPolicyMiddleware(answer)
    for path in ("/my/", "/admin/pages/", "/api/v1/docs/", "/my/"):
        header = middleware(RequestFactory().get(path))[HEADER]
        assert header == through_django_csp(path)
    assert "unsafe-inline" not in middleware(RequestFactory().get("/my/"))[HEADER]
    assert "unsafe-inline" in middleware(RequestFactory().get("/admin/"))[HEADER]


def test_a_view_with_its_own_policy_or_a_nonce_goes_through_django_csp():
    def updated(request):
        response = HttpResponse("ok")
        response._csp_update = {"img-src": ["https://example.org"]}
        return response

    def with_nonce(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    header = ContentSecurityPolicyMiddleware(updated)(RequestFactory().get("/my/"))[HEADER]
    assert "https://example.org" in header
    request = RequestFactory().get("/my/")
    response = ContentSecurityPolicyMiddleware(with_nonce)(request)
    assert request._csp_nonce  # used, so django-csp built this one (our policy names no nonce)
    assert response[HEADER] == through_django_csp("/my/")


def test_an_exempt_view_gets_no_header():
    def exempt(request):
        response = HttpResponse("ok")
        response._csp_exempt = True
        return response

    assert HEADER not in ContentSecurityPolicyMiddleware(exempt)(RequestFactory().get("/my/"))


def test_the_policy_follows_the_settings(settings):
    middleware = ContentSecurityPolicyMiddleware(answer)
    middleware(RequestFactory().get("/my/"))
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}

    assert middleware(RequestFactory().get("/my/"))[HEADER] == "default-src 'none'"


def test_a_nonce_asked_for_after_the_header_is_an_error():
    import pytest
    from csp.exceptions import CSPNonceError

    request = RequestFactory().get("/my/")
    ContentSecurityPolicyMiddleware(answer)(request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
