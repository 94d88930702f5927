"""Alice in a real Chromium: log in, /my/, English and back, larger text that survives a reload."""

import pytest

from branchwork.browser import screenshot_path

pytestmark = pytest.mark.browser


def font_size(page, selector: str) -> float:
    return page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)")


def test_alice_logs_in_switches_language_and_enlarges_the_text(transactional_db, personas, password, page):
    page.goto("/")
    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("用户名或电子邮箱").fill("alice@example.org")  # login by email works too
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: url.endswith("/"))  # back where she was, now logged in
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的", exact=True).click()
    page.wait_for_url("**/my/")
    assert page.get_by_role("heading", name="我的组织与职务").is_visible()
    assert page.get_by_text("研究室党支部").first.is_visible()
    assert page.get_by_text("书记").first.is_visible()
    page.screenshot(path=screenshot_path("my-zh"), full_page=True)

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="My organizations and roles").is_visible()
    assert page.get_by_text("Secretary").first.is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=screenshot_path("my-en"), full_page=True)

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="我的组织与职务").is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"

    normal = font_size(page, "main p")
    page.get_by_role("button", name="大").click()
    larger = font_size(page, "main p")
    assert larger > normal * 1.15
    assert page.get_by_role("button", name="大").get_attribute("aria-pressed") == "true"

    page.reload()
    assert font_size(page, "main p") == larger
    assert page.locator("html").get_attribute("class") == "text-large"
    page.screenshot(path=screenshot_path("my-zh-large"), full_page=True)

    # The choice of language and size is remembered across pages too.
    page.goto("/orgs/branch-a/people/")
    assert font_size(page, "main td") > 16
    page.screenshot(path=screenshot_path("org-people-zh-large"), full_page=True)


def test_the_layout_fits_a_phone(transactional_db, personas, phone_page, password):
    page = phone_page
    page.goto("/accounts/login/")
    page.get_by_label("用户名或电子邮箱").fill("alice")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/my/")
    # Nothing is wider than the screen: no sideways scrolling of the page itself (wide tables
    # scroll inside their own box).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_path("my-phone"), full_page=True)
    page.goto("/orgs/branch-a/people/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_path("org-people-phone"), full_page=True)


def test_keyboard_users_can_skip_to_the_content(transactional_db, page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    assert skip.evaluate("el => el === document.activeElement")
    page.screenshot(path=screenshot_path("home-zh"), full_page=True)
