"""A visitor searches 党建 from the header of the home page and reads highlighted results."""

import pytest

from branchwork.browser import screenshot_path

pytestmark = pytest.mark.browser


@pytest.fixture
def articles(transactional_db, personas):
    from branchwork.publishing.testing import ensure_portal_root, make_article, make_channel

    home = ensure_portal_root()
    channel = make_channel(home, "支部动态", "dongtai")
    make_article(channel, "第一党支部开展党建工作经验交流",
                 body_html="<p>第一党支部组织党员开展党建工作经验交流，围绕理论学习和组织建设进行了讨论。</p>")
    make_article(channel, "图书馆延长开放时间", body_html="<p>为方便读者学习，市图书馆延长周末开放时间。</p>")
    make_article(channel, "黨建與業務融合的實踐", body_html="<p>支部堅持把黨建工作與業務工作同謀劃、同部署。</p>")
    return channel


def test_searching_from_the_header_shows_highlighted_results(articles, page):
    page.goto("/")
    box = page.get_by_role("search").first.get_by_role("searchbox")
    box.fill("党建")
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")

    hits = page.locator(".search-hit")
    assert hits.count() == 2  # the Traditional article too
    assert page.locator(".search-hit mark").first.inner_text() in ("党建", "黨建")
    assert "图书馆" not in page.locator(".search-results").inner_text()
    marks = page.locator(".search-hit mark").all_inner_texts()
    assert "党建" in marks and "黨建" in marks
    background = page.eval_on_selector(".search-hit mark", "el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(255, 232, 138)"
    assert page.locator(".search-facets h3").first.is_visible()  # the facets
    page.screenshot(path=screenshot_path("search-dangjian"), full_page=True)

    page.locator(".search-sort a[href*='sort=date']").click()
    page.wait_for_url("**sort=date*")
    assert page.locator(".search-hit").count() == 2
