"""Check-in at the door on a phone-sized screen (390 px): the event's manager types three badge
codes (the camera needs a real device; Chromium here has no BarcodeDetector, so the page says to
type), each answered at once without reloading; a repeat is said; the counts follow."""

import pytest

from branchwork.browser import screenshot_path
from branchwork.exchanges.models import Participant
from branchwork.exchanges.testing import exchanges_world

pytestmark = pytest.mark.browser


def test_three_guests_checked_in_on_a_phone_by_typed_codes(transactional_db, personas, password, browser,
                                                            live_server):
    world = exchanges_world(personas)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    url = f"/exchanges/events/{world.event.pk}/checkin/"
    page.goto(f"/accounts/login/?next={url}")
    page.get_by_label("用户名或电子邮箱").fill("alice")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{url}")

    result = page.locator("#checkin-result")
    for participant in world.participants[:3]:
        page.locator("#badge-code").fill(participant.badge_code.lower())
        page.get_by_role("button", name="签到", exact=True).click()
        page.wait_for_function("n => document.getElementById('checkin-result').textContent.includes(n)",
                               arg=participant.contact.name_zh)
        assert "已签到" in result.text_content()
    page.locator("#badge-code").fill(world.participants[0].badge_code)
    page.get_by_role("button", name="签到", exact=True).click()
    page.wait_for_function("() => document.getElementById('checkin-result').textContent.includes('不重复计数')")
    assert "已到 3 人，共 7 人" in page.locator("#checkin-total").text_content()
    assert page.url.endswith(url)  # answered in place, no reload
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=screenshot_path("exchanges-checkin-phone"), full_page=True)
    assert Participant.objects.filter(event=world.event, checked_in_at__isnull=False).count() == 3
    context.close()
