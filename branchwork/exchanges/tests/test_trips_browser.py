"""In a real Chromium: foreign-affairs staff apply for a delegation abroad, put a stop on its
itinerary and record the approval; the figures of the year show the country on the world map;
the trip and the figures read on a phone-sized screen without scrolling sideways."""

import pytest

from branchwork.browser import screenshot_path
from branchwork.core.testing import answer_second_factor
from branchwork.exchanges.testing import exchanges_world

pytestmark = pytest.mark.browser


def log_in(page, username, password, next_url):
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("用户名或电子邮箱").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    answer_second_factor(page, username, next_url)  # foreign-affairs staff may owe a code
    page.goto(next_url)


def _context(browser, live_server, *, phone=False):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    extra = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True} if phone else {}
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=size, **extra)
    page = context.new_page()
    page.set_default_timeout(20000)
    return context, page


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_trip_applied_for_approved_and_counted(transactional_db, personas, password, browser, live_server):
    world = exchanges_world(personas)
    desk, fay = _context(browser, live_server)
    log_in(fay, "fay", password, "/exchanges/trips/")
    fay.get_by_role("link", name="新的出访申请").click()
    fay.locator("#id_title_zh").fill("研究室代表团访问泰国人民关怀党及多国政党研究机构（长名称换行检查）")
    fay.locator("#id_starts_on").fill("2026-10-10")
    fay.locator("#id_ends_on").fill("2026-10-15")
    fay.locator("#id_purpose").fill("就政党建设开展交流。")
    fay.get_by_role("button", name="登记申请").click()
    fay.wait_for_url("**/exchanges/trips/*/")
    fay.locator("summary", has_text="添加行程").click()
    stop = fay.locator("form:has(input[value=stop])")
    stop.locator("select[name=country]").select_option("THA")
    stop.locator("input[name=city]").fill("曼谷")
    stop.locator("input[name=arrives_on]").fill("2026-10-10")
    stop.locator("input[name=leaves_on]").fill("2026-10-15")
    stop.locator("input[name=parties]").fill(world.party.name_short)
    stop.get_by_role("button", name="添加").click()
    fay.wait_for_url("**/exchanges/trips/*/")
    approve = fay.locator("form:has(input[value=approve])")
    approve.locator("input[name=approval_number]").fill("外审〔2026〕99号")
    approve.locator("input[name=approved_on]").fill("2026-09-20")
    approve.get_by_role("button", name="登记批准").click()
    fay.wait_for_url("**/exchanges/trips/*/")
    assert "外审〔2026〕99号" in fay.content() and world.party.name_zh in fay.content()
    trip_url = fay.url
    fay.screenshot(path=str(screenshot_path("exchanges-trip")), full_page=True)

    fay.goto("/exchanges/figures/?year=2026")
    assert fay.locator("dd[data-code=countries_visited]").inner_text() == "1"
    assert fay.locator("img.world-map").evaluate("img => img.complete && img.naturalWidth > 0")
    fay.screenshot(path=str(screenshot_path("exchanges-figures")), full_page=True)
    desk.close()

    phone_context, phone = _context(browser, live_server, phone=True)
    log_in(phone, "fay", password, "/exchanges/figures/?year=2026")
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(screenshot_path("exchanges-figures-phone")), full_page=True)
    phone.goto(trip_url)
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(screenshot_path("exchanges-trip-phone")), full_page=True)
    phone_context.close()
