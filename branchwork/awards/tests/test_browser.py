"""The competition's pages in a real Chromium, on a phone (390 px) and a desktop (1280 px), in
Chinese and English: the organizers' page with its entries, a blind judge's list and score sheet.
Screenshots are saved; no page scrolls sideways."""

import pytest

pytest.importorskip("playwright.sync_api")

from branchwork.awards.testing import ENTRANT_SENTINEL, awards_world  # noqa: E402
from branchwork.browser import screenshot_path  # noqa: E402
from branchwork.research.testing import research_world  # noqa: E402

pytestmark = pytest.mark.browser


def _log_in(context, live_server, username, password):
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/my/")
    return page


def test_competition_pages_on_a_phone_and_a_desktop_in_both_languages(transactional_db, personas, password,
                                                                      browser, live_server):
    personas.research = research_world(personas)
    w = awards_world(personas)
    c = w.competition
    base = f"/orgs/{personas.branch_a.code}/awards/"
    pages = {"alice": {"index": base, "competition": c.get_absolute_url()},
             "frank": {"judging": f"{base}competitions/{c.pk}/judging/",
                       "score": f"{base}competitions/{c.pk}/judging/{w.guest_entry.pk}/"}}
    for width, height in ((390, 844), (1280, 900)):
        for language in ("zh-hans", "en"):
            for user, urls in pages.items():
                context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
                context.add_cookies([{"name": "bw_language", "value": language, "url": live_server.url}])
                page = _log_in(context, live_server, user, password)
                for name, url in urls.items():
                    page.goto(live_server.url + url)
                    assert page.locator("h1").count() == 1
                    wide = page.evaluate("document.documentElement.scrollWidth")
                    assert wide <= width, (url, width, wide)
                    assert (ENTRANT_SENTINEL in page.content()) == (user == "alice" and name == "competition")
                    page.screenshot(path=screenshot_path(f"awards-{name}-{width}-{language}"), full_page=True)
                context.close()
