"""The API docs in a real Chromium: Swagger UI runs under our CSP and loads only from our origin."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from branchwork.browser import screenshot_path

pytestmark = pytest.mark.browser


def test_the_docs_render_in_a_browser_with_nothing_fetched_from_elsewhere(
    transactional_db, personas, page, live_server
):
    client = Client()
    client.force_login(personas.bob, backend="branchwork.core.auth.UsernameOrEmailBackend")
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    requested, problems = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto("/api/v1/docs/")
    page.locator(".opblock").first.wait_for()

    assert page.locator(".opblock").count() >= 10
    assert page.get_by_text("/api/v1/people/{id}/").first.is_visible()
    origin = urlsplit(live_server.url).netloc
    assert {urlsplit(url).netloc for url in requested if not url.startswith("data:")} == {origin}
    assert not problems
    page.screenshot(path=screenshot_path("api-docs"), full_page=False)
