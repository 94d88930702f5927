"""The learning pages in a real Chromium, on a phone (390 px) and a desktop (1280 px), in
Chinese and English: a plan with its sessions, a member's own hours, the secretary's list of
who is short. Screenshots are saved; no page scrolls sideways."""

import datetime
from decimal import Decimal

import pytest

pytest.importorskip("playwright.sync_api")

from branchwork.browser import screenshot_path
from branchwork.learning import services
from branchwork.learning.testing import study_session

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


def test_learning_pages_on_a_phone_and_a_desktop_in_both_languages(transactional_db, personas, password,
                                                                   browser, live_server):
    p = personas
    study = study_session(by=p.alice, organization=p.branch_a, day=(2026, 3, 10), minutes=120,
                          title="集体学习：学习党章")
    plan = services.plan_create(by=p.alice, organization=p.branch_a, year=2026, title="2026年度理论学习计划",
                                intro="每月一个专题，集体学习与个人自学相结合。")
    services.plan_item_add(by=p.alice, plan=plan, topic="学习党章", month=3, note="逐章学习，结合支部工作讨论。",
                           sessions=[study])
    services.plan_item_add(by=p.alice, plan=plan, topic="学习全国两会精神", month=4,
                           url="https://www.gov.cn/")
    services.course_record(by=p.alice, organization=p.branch_a, title="党务干部培训班", provider="机关党委",
                           starts_on=datetime.date(2026, 6, 8), ends_on=datetime.date(2026, 6, 10),
                           hours=Decimal("16"), participants=[p.people.bob])
    services.note_write(by=p.bob, person=p.people.bob, organization=p.branch_a, title="学习党章的体会",
                        body="逐章学习党章，对支部工作规则有了更深的理解。", shared=True)
    pages = {"plan": "/orgs/branch-a/learning/2026/", "my": "/my/learning/2026/",
             "short": "/orgs/branch-a/learning/2026/hours/"}
    for width, height in ((390, 844), (1280, 900)):
        for language in ("zh-hans", "en"):
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            context.add_cookies([{"name": "bw_language", "value": language, "url": live_server.url}])
            page = _log_in(context, live_server, "alice", password)
            for name, url in pages.items():
                page.goto(live_server.url + url)
                assert page.locator("h1").count() == 1
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= width, (url, width, wide)
                page.screenshot(path=screenshot_path(f"learning-{name}-{width}-{language}"), full_page=True)
            if language == "en":
                assert "Training hours 2026" in page.content()
            context.close()
