"""No words of the other language outside what users typed, on every page each persona reaches.

The pages are those of the URL walk (every URL pattern, as every persona) and the pages of the
records the walk's world adds below (a lecture series and talks, a general meeting with its
quorum, an issue of the journal); each HTML answer is read in English and in Chinese
(branchwork/tests/leaks.py says what counts as a leak and what is user content). The world gives
English names to what has an English field (job titles, a channel, the home page's intro), so a
page showing the Chinese one in English is caught. Wagtail's own back office is checked on its
own (tests/test_back_office_chinese.py).
"""

import datetime

import pytest
from django.utils import translation

from branchwork.activities.testing import at, held_activity
from branchwork.core.models import Person
from branchwork.journal.testing import make_issue, make_journal
from branchwork.lectures import services as lectures
from branchwork.tests.leaks import LeakFinder
from branchwork.tests.test_url_walk import urls_for, world  # noqa: F401 - the walk's fixture

SKIP = ("/accounts/logout", "/admin/", "/django-admin/", "/api/", "/static/", "/media/")
# Pages that teach the Chinese a file may hold (the activity import's columns and values).
EXAMPLES_OF_CHINESE_INPUT = ("/activities/import/",)
POSITIONS_EN = {"主任": "Director", "研究员": "Research fellow", "副研究员": "Associate research fellow",
                "研究室副主任": "Deputy director"}


@pytest.fixture(autouse=True)
def _written_in_chinese():
    """Records are written as a Chinese-speaking user would (the audit trail keeps the names of
    things in the language of the moment), whatever an earlier test left active."""
    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture
def leak_world(world):
    for person in Person.objects.exclude(position=""):
        person.position_en = POSITIONS_EN.get(person.position, "Staff")
        person.save(update_fields=["position_en"])
    channel = world.portal.channel
    channel.title_en, channel.intro, channel.intro_en = "Walk", "<p>走查栏目的介绍。</p>", "<p>About the walk.</p>"
    channel.save_revision().publish()
    home = world.home
    home.intro, home.intro_en = "<p>欢迎访问支部门户。</p>", "<p>Welcome to the branch portal.</p>"
    home.save_revision().publish()
    # A general meeting (with its quorum) and a collective study with its talk in a series.
    meeting = held_activity(by=world.alice, organization=world.branch_a, types=["general_meeting"],
                            starts_at=at(2026, 6, 2), title="支部党员大会", host=world.people.alice)
    study = held_activity(by=world.alice, organization=world.branch_a, types=["collective_study"],
                          starts_at=at(2026, 3, 12), title="集体学习")
    series = lectures.series_create(by=world.alice, organization=world.branch_a, title="青年理论讲堂")
    talk = lectures.talk_create(by=world.alice, organization=world.branch_a, series=series, topic="读原著",
                                date=datetime.date(2026, 3, 12), speaker=world.people.alice, activity=study)
    guest = lectures.talk_create(by=world.alice, organization=world.branch_a, series=series, topic="调查研究",
                                 date=datetime.date(2026, 12, 1), speaker_name="林志远",
                                 speaker_affiliation="东湖大学教授")
    journal = make_journal(world.branch_a, slug="tongxun")
    issue, _titles, _captions = make_issue(journal, n_articles=3, image_every=0)
    a = f"/orgs/{world.branch_a.code}/activities"
    world.extra_urls = [
        f"{a}/{meeting.pk}/", f"{a}/{meeting.pk}/checkin/", f"{a}/{study.pk}/", f"{a}/{meeting.pk}/minutes/",
        f"/lectures/{talk.pk}/", f"/lectures/{guest.pk}/", f"/lectures/series/{series.pk}/",
        f"/lectures/{talk.pk}/edit/", f"/journal/{journal.slug}/", issue.get_absolute_url(),
        issue.get_absolute_url() + "edit/",
    ]
    return world


def walk(client, urls, language):
    finder, audit_finder = LeakFinder(language), LeakFinder(language, audit=True)
    failures = {}
    for url in urls:
        client.raise_request_exception = False
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        if language == "en" and url.endswith(EXAMPLES_OF_CHINESE_INPUT):
            continue
        html = b"".join(response.streaming_content) if response.streaming else response.content
        for leak in (audit_finder if "/audit/" in url else finder).leaks(html.decode()):
            failures.setdefault(leak, url)
    return failures


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("persona", ["anonymous", "carol", "bob", "dan", "alice", "editor"])
def test_no_page_shows_words_of_the_other_language(persona, language, leak_world, login):
    world = leak_world
    user = None if persona == "anonymous" else getattr(world, persona)
    client = login(user)
    client.cookies["bw_language"] = language
    urls = sorted({u for u in urls_for(world) + world.extra_urls if not u.startswith(SKIP)})
    failures = walk(client, urls, language)
    assert not failures, "\n".join(f"{url}: {text!r}" for text, url in sorted(failures.items(), key=lambda i: i[1]))


def test_the_finder_sees_a_leak_and_spares_user_text(leak_world):
    """The checker itself: a Chinese label in an English page is a leak, a person's Chinese name
    is not, nor a Chinese job title without an English one; in Chinese, an English word is."""
    english, chinese = LeakFinder("en"), LeakFinder("zh-hans")
    assert english.leaks("<p>Secretary：<a>李爱丽</a></p>") == ["Secretary："]
    assert english.leaks("<p>Host: 李爱丽</p><p lang='zh-Hans'>简体中文</p>") == []
    assert english.leaks("<p>主任</p>") == ["主任"]  # Alice's title has an English name
    assert chinese.leaks("<p>书记 Secretary</p>") == ["书记 Secretary"]
    assert chinese.leaks("<p>导出 PDF 与 XLSX，地址 alice@example.org，代码 branch-a</p>") == []
