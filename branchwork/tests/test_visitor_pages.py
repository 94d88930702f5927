"""What visitors and readers see first: the login page names the site (not the host), the
navigation shows visitors the public channels in their language, and the editorial steps on
/my/ are named in the reader's language."""

import pytest

from branchwork.publishing import testing as portal
from branchwork.publishing.models import Visibility


@pytest.fixture
def channels(personas):
    built = portal.build_portal(personas)
    open_channel = portal.make_channel(built.home, "理论学习", "lilun")
    open_channel.title_en = "Theory"
    open_channel.save_revision().publish()
    portal.make_article(open_channel, "一篇文章", visibility=Visibility.PUBLIC)
    return built


@pytest.mark.parametrize("language, title", [("zh-hans", "登录 · Branchwork"), ("en", "Log in · Branchwork")])
def test_the_login_page_names_the_site_not_the_host(client, personas, language, title):
    client.cookies["bw_language"] = language
    html = client.get("/accounts/login/", HTTP_HOST="127.0.0.1").content.decode()
    assert f"<title>{title}</title>" in html
    assert "127.0.0.1" not in html


def test_visitors_find_the_public_channels_in_the_navigation(client, channels):
    nav = client.get("/").content.decode().split('class="container main-nav"')[1].split("</ul>")[0]
    assert "理论学习" in nav and "投稿" in nav
    client.cookies["bw_language"] = "en"
    nav = client.get("/").content.decode().split('class="container main-nav"')[1].split("</ul>")[0]
    assert "Theory" in nav and "理论学习" not in nav


def test_the_editorial_step_is_named_in_the_readers_language(client, channels, login):
    from branchwork.publishing import services

    services.contribution_create(author=channels.people.bob, title="王博的来稿", body_html="<p>正文。</p>")
    editor = login(channels.editor)
    editor.cookies["bw_language"] = "en"
    html = editor.get("/my/").content.decode()
    assert "Editor&#x27;s review" in html or "Editor's review" in html
    assert "责任编辑审改" not in html
    editor.cookies["bw_language"] = "zh-hans"
    html = editor.get("/my/").content.decode()
    assert "责任编辑审改" in html and "Editor" not in html.split("<main")[1]
