"""The issue's story in a real Chromium: the research coordinator records a report, submits it to
a leader and records the instruction that came back; the author reads the instruction's text, a
member of another branch cannot open the report (404), a member of the same branch sees that an
instruction exists and its level, not its text."""

import pytest

from branchwork.browser import screenshot_path
from branchwork.research import services
from branchwork.research.models import Output
from branchwork.research.testing import add_coordinator

pytestmark = pytest.mark.browser

TEXT = "此件很有参考价值，请研究室继续跟踪并提出政策建议。"


def log_in(page, username, password, next_url="/my/"):
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("用户名或电子邮箱").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{next_url}")


def _context(browser, live_server, *, phone=False):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    extra = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True} if phone else {}
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=size, **extra)
    page = context.new_page()
    page.set_default_timeout(20000)
    return context, page


def test_a_report_its_submission_and_the_instruction_seen_by_each(transactional_db, personas, password,
                                                                  browser, live_server):
    add_coordinator(personas)
    services.ensure_default_kinds()
    a = personas.branch_a.code

    desk, erin = _context(browser, live_server)
    log_in(erin, "erin", password, next_url=f"/orgs/{a}/research/")
    erin.get_by_role("link", name="新建成果").click()
    erin.locator("#id_title").fill("关于青年党员理论学习的调研报告")
    erin.locator("#id_kind").select_option(label="调研报告")
    erin.locator("#id_completed_on").fill("2026-10-20")
    erin.locator("#id_classification").select_option("internal")
    erin.locator("#id_authors").select_option(label=personas.people.bob.name)
    erin.get_by_role("button", name="保存").click()
    erin.wait_for_url("**/research/outputs/*/")
    report = Output.objects.get(title="关于青年党员理论学习的调研报告")

    erin.locator("summary", has_text="记录报送").click()
    erin.locator("form[action$='/submissions/'] input[name=recipient]").fill("部领导")
    erin.locator("form[action$='/submissions/'] select[name=level]").select_option("ministry")
    erin.locator("form[action$='/submissions/'] input[name=submitted_on]").fill("2026-10-22")
    erin.get_by_role("button", name="保存报送").click()
    erin.wait_for_url(f"**{report.get_absolute_url()}")

    erin.locator("summary", has_text="记录批示").click()
    erin.locator("form[action$='/instructions/'] input[name=given_by]").fill("某副部长")
    erin.locator("form[action$='/instructions/'] select[name=level]").select_option("ministry")
    erin.locator("form[action$='/instructions/'] input[name=given_on]").fill("2026-11-02")
    erin.locator("form[action$='/instructions/'] textarea[name=text]").fill(TEXT)
    erin.get_by_role("button", name="保存批示").click()
    erin.wait_for_url(f"**{report.get_absolute_url()}")
    assert TEXT in erin.locator(".instruction-text").inner_text()
    erin.screenshot(path=screenshot_path("research-coordinator-instruction"), full_page=True)
    desk.close()

    # The author reads the text, on a phone.
    phone, bob = _context(browser, live_server, phone=True)
    log_in(bob, "bob", password, next_url=report.get_absolute_url())
    assert TEXT in bob.locator(".instruction-text").inner_text()
    assert bob.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    bob.screenshot(path=screenshot_path("research-author-phone"), full_page=True)
    phone.close()

    # A member of another branch: 404.
    other, carol = _context(browser, live_server)
    log_in(carol, "carol", password)
    response = carol.goto(report.get_absolute_url())
    assert response.status == 404
    other.close()

    # A member of the same branch who wrote nothing: that it exists, and its level.
    same, frank = _context(browser, live_server)
    log_in(frank, "frank", password, next_url=report.get_absolute_url())
    exists = frank.locator(".instruction-exists").inner_text()
    assert "部委" in exists
    assert TEXT not in frank.content() and "某副部长" not in frank.content()
    frank.screenshot(path=screenshot_path("research-same-branch-member"), full_page=True)
    # The yearly figures, in English: plain SVG charts counted from the records.
    same.add_cookies([{"name": "bw_language", "value": "en", "url": live_server.url}])
    frank.goto(f"/orgs/{a}/research/figures/?year=2026")
    # Five sections of research, the study hours the learning app adds (no names) and the
    # awards app's two (by level and by awarding body).
    assert frank.locator("svg.chart").count() == 8
    assert frank.locator("td[data-code='0–8']").count() == 1
    assert frank.locator("td[data-code=research_report]").inner_text() == "1"
    assert frank.locator("td[data-code=ministry]").first.inner_text() == "1"
    frank.screenshot(path=screenshot_path("research-figures-en"), full_page=True)
    same.close()


def test_the_coordinator_publishes_a_public_output_on_the_portal_from_its_page(transactional_db, personas,
                                                                              password, browser, live_server):
    import datetime

    from branchwork.publishing.testing import ensure_portal_root, make_channel
    from branchwork.research.models import Classification
    from branchwork.research.testing import kind

    add_coordinator(personas)
    home = ensure_portal_root()
    channel = make_channel(home, "理论研究", "lilun")
    make_channel(home, "投稿", "tougao", accepts_contributions=True)
    output = services.output_create(
        by=personas.erin, organization=personas.branch_a, kind=kind("article"),
        title="多边主义的新进展", completed_on=datetime.date(2026, 9, 1),
        authors=[personas.people.bob], classification=Classification.PUBLIC, text="第一段\n第二段")

    desk, erin = _context(browser, live_server)
    log_in(erin, "erin", password, next_url=output.get_absolute_url())
    assert erin.locator("#publish-to-portal").is_visible() and erin.locator("#propose-for-journal").is_visible()
    erin.locator("#portal-panel").scroll_into_view_if_needed()
    erin.screenshot(path=screenshot_path("research-output-portal-buttons"), full_page=True)
    erin.locator("#publish-to-portal").click()
    erin.locator("#id_channel").select_option(label="理论研究")
    erin.locator("#id_live").check()
    erin.get_by_role("button", name="在门户网站发布").click()
    erin.wait_for_url(f"**{output.get_absolute_url()}")
    assert erin.locator("#portal-article").inner_text() == "多边主义的新进展"
    assert Output.objects.get(pk=output.pk).portal_article.get_parent().pk == channel.pk
    erin.screenshot(path=screenshot_path("research-output-on-the-portal"), full_page=True)
    desk.close()
