"""The main pages as their readers see them, in a real Chromium: Chinese and English, at 1280 px
and on a 390 px phone. On the phone no page scrolls sideways as a whole (wide tables scroll in
their own frame). The text Chromium shows (scripts included) holds no words of the other
language outside what users typed (branchwork/tests/leaks.py). Screenshots of each page, and of
the journal PDF's first pages (pdftoppm), go to test-artifacts/screenshots/.
"""

import shutil
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from branchwork.browser import screenshot_path
from branchwork.core.models import Person
from branchwork.journal import content, pdf
from branchwork.journal.testing import make_issue, make_journal
from branchwork.publishing import testing as portal
from branchwork.reports.tests.conftest import make_ledger_world
from branchwork.tests.leaks import LeakFinder

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _session_cookie(live_server, user) -> list[dict]:
    if user is None:
        return []
    client = Client()
    client.force_login(user, backend="branchwork.core.auth.UsernameOrEmailBackend")
    return [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]


@pytest.fixture
def site(transactional_db, personas):
    with translation.override("zh-hans"):
        world = portal.walk_world(personas)
        channel = world.channel
        channel.title_en, channel.intro, channel.intro_en = "Walk", "<p>走查栏目的介绍。</p>", "<p>About the walk.</p>"
        channel.save_revision().publish()
        home = personas.home
        home.intro = "<p>欢迎访问研究室党支部门户。这里刊登支部动态、理论学习和党员来稿。</p>"
        home.intro_en = "<p>Welcome to the portal of the Research Office branch.</p>"
        home.save_revision().publish()
        article = portal.make_article(channel, "调研成果交流会在三楼会议室举行", author=personas.people.alice,
                                      body_html="<p>2026年11月10日，支部召开调研成果交流会。</p><p>会上，五位党员交流了阶段成果。</p>")
        for person, en in ((personas.people.alice, "Director"), (personas.people.bob, "Research fellow")):
            Person.objects.filter(pk=person.pk).update(position_en=en)
        make_ledger_world(personas)
        journal = make_journal(personas.branch_a, slug="tongxun")
        issue, _titles, _captions = make_issue(journal, n_articles=6, image_every=3, paragraphs=2)
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "x")
    personas.boss, personas.article, personas.channel, personas.issue = boss, article, channel, issue
    return personas


def _pages(site):
    return [
        ("home", "/", None),
        ("channel", site.channel.url, None),
        ("article", site.article.url, None),
        ("login", "/accounts/login/", None),
        ("my", "/my/", site.alice),
        ("org-people", f"/orgs/{site.branch_a.code}/people/", site.alice),
        ("activities", f"/orgs/{site.branch_a.code}/activities/", site.alice),
        ("ledger", f"/orgs/{site.branch_a.code}/ledger/", site.alice),
        ("audit", f"/orgs/{site.branch_a.code}/audit/", site.alice),
        ("journal-issue", site.issue.get_absolute_url(), site.alice),
        ("back-office", "/admin/", site.boss),
    ]


def _visible_leaks(page, finder) -> list[str]:
    """Words of the other language in what Chromium shows (after scripts), outside user text and
    elements marked as in another language."""
    chunks = page.evaluate("""() => {
      const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const node = walker.currentNode, el = node.parentElement;
        if (!el || !node.textContent.trim()) continue;
        if (el.closest('script,style,textarea,code,pre,[data-user-content],[hidden]')) continue;
        const lang = el.closest('[lang]');
        if (lang && lang !== document.documentElement && !lang.lang.startsWith(document.documentElement.lang.slice(0, 2))) continue;
        if (!el.checkVisibility || el.checkVisibility()) out.push(node.textContent.trim());
      }
      return out;
    }""")
    return [chunk for chunk in chunks if finder.is_leak(chunk)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_main_pages_fit_a_phone_and_speak_one_language(site, browser, live_server, language):
    finder, audit_finder = LeakFinder(language), LeakFinder(language, audit=True)
    short = "zh" if language.startswith("zh") else "en"
    failures = []
    for viewport, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        for name, url, user in _pages(site):
            extra = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True} if viewport is PHONE else {}
            context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=viewport, **extra)
            context.add_cookies([{"name": "bw_language", "value": language, "url": live_server.url},
                                 *_session_cookie(live_server, user)])
            page = context.new_page()
            page.set_default_timeout(20000)
            page.goto(url)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=screenshot_path(f"page-{name}-{short}-{suffix}"), full_page=True)
            if viewport is PHONE and name != "back-office":
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > page.evaluate("window.innerWidth"):
                    failures.append(f"{url} scrolls sideways on a phone ({wide} px wide)")
            if viewport is DESKTOP and name != "back-office":
                leaks = _visible_leaks(page, audit_finder if name == "audit" else finder)
                failures += [f"{url}: {leak!r}" for leak in leaks]
            context.close()
    assert not failures, "\n".join(failures)


def test_the_journal_pdf_first_pages(site, tmp_path):
    """The issue's cover, contents and first articles as images, to look at."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is missing")
    for language, short in (("zh-hans", "zh"), ("en", "en")):
        with translation.override(language):
            data = pdf.build_pdf(content.issue_content(site.issue))
        path = tmp_path / f"issue-{short}.pdf"
        path.write_bytes(data)
        prefix = screenshot_path(f"journal-pdf-{short}").with_suffix("")
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(path), str(prefix)], check=True)
        assert list(prefix.parent.glob(f"{prefix.name}-*.png"))
