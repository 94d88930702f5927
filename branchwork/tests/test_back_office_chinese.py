"""The back office (Wagtail's admin) in Chinese: none of the English that Wagtail's own catalogue
leaves, and pages are 页面, not 分页 (pagination). Our corrections are a catalogue of their own,
named in branchwork/core/back_office_zh.py and translated in our catalogue, which comes before Wagtail's."""

import re

import pytest
from django.contrib.auth import get_user_model

from branchwork.publishing.testing import build_portal, make_article, make_channel
from branchwork.tests.leaks import LATIN_ALLOWED, readable_chunks

ENGLISH_LEFTOVERS = ["Pages", "Images", "Documents", "Search all pages", "Page types usage", "Shortcuts",
                     "editor guide", "ago", "created in"]
# Written into Wagtail's templates without translation (written up for upstream in
# docs/upstream/wagtail-zh-hans.md): the hidden submit button of the home page's search
# (wagtailadmin/home.html).
HARD_CODED = {"Search"}


@pytest.fixture
def admin_home(personas, login):
    portal = build_portal(personas)
    channel = make_channel(portal.home, "支部动态", "dongtai")
    make_article(channel, "一篇文章")
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "x")
    client = login(boss)
    client.cookies["bw_language"] = "zh-hans"
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_admin_home_speaks_chinese(admin_home):
    text = "\n".join(readable_chunks(admin_home, "zh-hans"))
    for english in ENGLISH_LEFTOVERS:
        assert not re.search(rf"\b{re.escape(english)}\b", text), english
    assert "分钟 之" not in admin_home and "之前" not in text  # "22分钟前", on one line
    assert "分页" not in text
    assert "页面" in text
    # The menu is drawn from JSON in a script (unread above), where Chinese may stand escaped.
    assert "分页" not in admin_home and "\\u5206\\u9875" not in admin_home.lower(), "the menu calls pages 分页"


def test_no_english_word_is_left_on_the_admin_home(admin_home):
    words = {w for chunk in readable_chunks(admin_home, "zh-hans") for w in re.findall(r"[A-Za-z][A-Za-z]+", chunk)}
    leftovers = {w for w in words if w.lower() not in LATIN_ALLOWED | {"wagtail", "boss"}} - HARD_CODED
    assert not leftovers, sorted(leftovers)
