"""The issue's story in a real Chromium: Bob contributes, the editor edits, the signer signs off,
the article appears with 责任编辑 and 签发 under it; an internal article stays internal."""

import re
import xml.etree.ElementTree as ET

import pytest

from branchwork.browser import screenshot_path
from branchwork.core.testing import answer_second_factor
from branchwork.publishing.models import ArticlePage, Visibility
from branchwork.publishing.testing import build_portal, make_article, make_channel

pytestmark = pytest.mark.browser

EDITOR_LABEL = re.compile(r"(责任编辑|Responsible editor)[：:]\s*许文清")
SIGNER_LABEL = re.compile(r"(签发|Signed off by)[：:]\s*韩立新")


def desk(browser, live_server, **extra):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900}, **extra)
    page = context.new_page()
    page.set_default_timeout(20000)
    return page


def log_in(page, username, password, next_url):
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("用户名或电子邮箱").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{next_url}")
    answer_second_factor(page, username, next_url)  # the back office asks editors for a code


def workflow_action(page, name: str) -> None:
    """Press a workflow button of the back office's edit page (opening the action menu first)."""
    button = page.locator(f'button[data-workflow-action-name="{name}"]:not([data-workflow-action-modal-url])')
    if not button.is_visible():
        page.locator("footer [data-w-dropdown-target='toggle'], footer .dropdown-toggle").first.click()
    button.click()


def test_from_contribution_to_signed_off_article(transactional_db, personas, password, browser, live_server):
    portal = build_portal(personas)
    jiceng = make_channel(portal.home, "基层组织建设", "jiceng")
    internal = make_article(jiceng, "支部委员会内部工作安排", visibility=Visibility.INTERNAL,
                            body_html="<p>这是内部材料，只供党员阅读。</p>")
    make_article(jiceng, "支部开展主题党日活动", body_html="<p>公开报道。</p>")

    # Bob writes a contribution in the web form.
    bob = desk(browser, live_server)
    log_in(bob, "bob", password, "/contribute/")
    bob.locator("#id_title").fill("青年党员走进社区开展调研")
    bob.locator("#id_text").fill(
        "十一月十二日下午，研究室青年党员走进滨江社区。\n大家与社区工作者座谈，了解加装电梯中的协商议事。")
    bob.screenshot(path=screenshot_path("portal-contribute-form"), full_page=True)
    bob.locator("form.stacked button[type=submit]").click()
    bob.wait_for_url(re.compile(r".*/my/contributions/\d+/$"))
    article = ArticlePage.objects.get(title="青年党员走进社区开展调研")
    assert bob.locator(".status-with_editor").is_visible()
    bob.screenshot(path=screenshot_path("portal-contribution-submitted"), full_page=True)

    # The editor finds it on /my/, edits it in the back office, makes it public and approves.
    editor = desk(browser, live_server)
    log_in(editor, "editor1", password, "/my/")
    editor.get_by_role("link", name="青年党员走进社区开展调研").click()
    editor.wait_for_url(f"**/admin/pages/{article.pk}/edit/")
    editor.locator("#id_title").fill("研究室青年党员走进滨江社区开展调研")
    editor.locator("#id_subtitle").fill("在协商议事中听民声")
    editor.locator("#id_visibility").select_option("public")
    editor.screenshot(path=screenshot_path("portal-editor-edits"), full_page=True)
    workflow_action(editor, "approve")
    editor.wait_for_url(re.compile(r".*/admin/.*"))
    editor.wait_for_load_state()
    article.refresh_from_db()
    assert article.current_workflow_task.specific == portal.editorial.signer_task
    assert not article.live

    # The signer signs it off: it is published at once.
    signer = desk(browser, live_server)
    log_in(signer, "signer1", password, "/my/")
    signer.get_by_role("link", name="研究室青年党员走进滨江社区开展调研").click()
    signer.wait_for_url(f"**/admin/pages/{article.pk}/edit/")
    signer.screenshot(path=screenshot_path("portal-signer-review"), full_page=True)
    workflow_action(signer, "approve")
    signer.wait_for_load_state()
    article.refresh_from_db()
    assert article.live and article.visibility == Visibility.PUBLIC

    # Anyone reads it in its channel, with the responsible editor and the signer under it.
    visitor = desk(browser, live_server)
    visitor.goto(portal.contributions.url)
    visitor.get_by_role("link", name="研究室青年党员走进滨江社区开展调研").click()
    visitor.wait_for_url(f"**{article.url}")
    sign_off = visitor.locator(".sign-off").inner_text()
    assert EDITOR_LABEL.search(sign_off) and SIGNER_LABEL.search(sign_off), sign_off
    assert visitor.get_by_role("heading", name="研究室青年党员走进滨江社区开展调研").is_visible()
    visitor.screenshot(path=screenshot_path("portal-article-published"), full_page=True)
    # The text-size control works on the article.
    visitor.locator('[data-text-size="large"]').click()
    assert "text-large" in visitor.locator("html").get_attribute("class")
    visitor.screenshot(path=screenshot_path("portal-article-large-text"), full_page=True)

    # Bob sees it published.
    bob.goto("/my/contributions/")
    assert bob.locator(".status-published").first.is_visible()

    # An internal article is refused to an anonymous visitor, and is in no feed and no sitemap.
    visitor.goto(internal.url)
    assert "/accounts/login/" in visitor.url
    assert "这是内部材料" not in visitor.content()
    visitor.screenshot(path=screenshot_path("portal-internal-refused"), full_page=True)
    feed = visitor.request.get(f"/portal/feeds/{jiceng.pk}/").text()
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in ET.fromstring(feed).iter(
        "{http://www.w3.org/2005/Atom}entry")]
    assert "支部开展主题党日活动" in titles and "支部委员会内部工作安排" not in titles
    sitemap = visitor.request.get("/sitemap.xml").text()
    assert article.url in sitemap and internal.url not in sitemap

    # A member reads the internal article, on a phone too.
    carol_context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                        viewport={"width": 390, "height": 844}, is_mobile=True,
                                        has_touch=True, device_scale_factor=2)
    carol = carol_context.new_page()
    carol.set_default_timeout(20000)
    log_in(carol, "carol", password, internal.url)
    assert carol.get_by_text("这是内部材料，只供党员阅读。").is_visible()
    assert carol.evaluate("document.documentElement.scrollWidth") <= 390
    carol.screenshot(path=screenshot_path("portal-internal-member-phone"), full_page=True)
