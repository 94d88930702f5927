"""The issue's story in a real Chromium: schedule, QR check-in on a phone, minutes, lock, ledger."""

import datetime
import io
import re

import pytest
from django.utils import timezone

from branchwork.activities.models import Activity, ActivityStatus
from branchwork.browser import screenshot_path

pytestmark = pytest.mark.browser


def log_in(page, username, password, next_url="/my/"):
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("用户名或电子邮箱").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{next_url}")


def test_theme_day_from_scheduling_to_the_ledger(transactional_db, personas, password, browser,
                                                 live_server):
    desk = browser.new_context(base_url=live_server.url, locale="zh-CN",
                               viewport={"width": 1280, "height": 900})
    alice = desk.new_page()
    alice.set_default_timeout(20000)

    # Alice, secretary of branch A, schedules this month's theme day, starting a few minutes ago.
    log_in(alice, "alice", password, "/orgs/branch-a/activities/")
    alice.get_by_role("link", name="安排活动").click()
    alice.get_by_label("主题党日").check()
    alice.get_by_label("标题").fill("十一月主题党日：学习调查研究方法")
    start = timezone.localtime() - datetime.timedelta(minutes=5)
    alice.get_by_label("开始时间").fill(start.strftime("%Y-%m-%dT%H:%M"))
    alice.get_by_label("地点").fill("三楼党员活动室")
    alice.get_by_label("主持人").select_option(label="李爱丽")
    alice.get_by_label("记录人").select_option(label="王博")
    alice.get_by_label("议程").fill("学习《关于在全党大兴调查研究的工作方案》\n交流调研心得")
    alice.screenshot(path=screenshot_path("activity-schedule"), full_page=True)
    alice.get_by_role("button", name="保存").click()
    alice.wait_for_url(re.compile(r".*/activities/\d+/$"))
    assert alice.get_by_role("heading", name="十一月主题党日：学习调查研究方法").is_visible()
    activity = Activity.objects.get()
    alice.screenshot(path=screenshot_path("activity-planned"), full_page=True)

    # Bob, the recorder, puts the check-in code on the projector…
    bob_desk = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                   viewport={"width": 1280, "height": 900})
    projector = bob_desk.new_page()
    projector.set_default_timeout(20000)
    log_in(projector, "bob", password, f"/orgs/branch-a/activities/{activity.pk}/checkin/")
    assert projector.locator(".qr svg").is_visible()
    checkin_link = projector.locator(".checkin-screen a").first.get_attribute("href")
    assert checkin_link.endswith(f"/checkin/{activity.checkin_token}/")
    projector.screenshot(path=screenshot_path("activity-checkin-screen"), full_page=True)

    # …and checks in on his phone by following the code (the same address the QR code holds).
    phone_ctx = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                    viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True, device_scale_factor=2)
    phone = phone_ctx.new_page()
    phone.set_default_timeout(20000)
    log_in(phone, "bob", password, f"/checkin/{activity.checkin_token}/")
    assert phone.get_by_text("十一月主题党日：学习调查研究方法").is_visible()
    phone.screenshot(path=screenshot_path("activity-checkin-phone"), full_page=True)
    phone.get_by_role("button", name="确认签到").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("status").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=screenshot_path("activity-checkin-phone-done"), full_page=True)
    assert activity.attendance.get(person=personas.people.bob).marked_via == "qr"

    # The recorder marks Alice by hand, writes the minutes and submits them.
    rec = projector
    rec.goto(f"/orgs/branch-a/activities/{activity.pk}/attendance/")
    rec.get_by_role("row", name=re.compile("李爱丽")).get_by_label("出席").check()
    rec.get_by_role("button", name="保存出勤").click()
    rec.wait_for_url(f"**/activities/{activity.pk}/")
    rec.get_by_role("link", name="撰写纪要").click()
    rec.locator("#id_minutes").fill("李爱丽领学工作方案。\n\n王博结合课题调研谈了体会。")
    rec.locator("#id_resolutions").fill("本月每位党员提交一份调研小结 | 2 | 0 | 0")
    rec.get_by_role("button", name="保存草稿").click()
    rec.wait_for_url(f"**/activities/{activity.pk}/")
    rec.get_by_role("button", name="提交纪要给主持人").click()
    rec.wait_for_load_state()
    rec.screenshot(path=screenshot_path("activity-submitted"), full_page=True)

    # The host approves; the record locks.
    alice.goto(f"/orgs/branch-a/activities/{activity.pk}/")
    alice.locator("form.confirm-approve input[name=confirm]").check()  # approving asks first
    alice.get_by_role("button", name="审核通过并锁定").click()
    alice.wait_for_load_state()
    assert alice.get_by_text("已审核并锁定").first.is_visible()
    alice.screenshot(path=screenshot_path("activity-locked"), full_page=True)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.LOCKED

    # The ledger, built by the task worker while the page shows progress, has the theme day.
    alice.goto("/orgs/branch-a/ledger/")
    alice.get_by_label("格式").select_option("docx")
    alice.screenshot(path=screenshot_path("ledger-form"), full_page=True)
    alice.get_by_role("button", name=re.compile("生成")).click()
    download_link = alice.get_by_role("link", name=re.compile("下载"))
    download_link.wait_for()
    alice.screenshot(path=screenshot_path("ledger-ready"), full_page=True)
    with alice.expect_download() as info:
        download_link.click()
    data = open(info.value.path(), "rb").read()
    import docx

    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "十一月主题党日：学习调查研究方法" in text
    # The attendance part of the minute: those present are listed, Bob among them.
    present = re.search(r"实到人员（(\d+)）\n(.+)", text)
    assert present and "王博" in present.group(2), text
    assert "本月每位党员提交一份调研小结" in text
    for context in (desk, bob_desk, phone_ctx):
        context.close()
