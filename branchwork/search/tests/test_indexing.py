"""The index stays current (save, publish, unpublish, lock, delete; sign-off and amendments), the
back office searches through the analyzer, and `rebuild_search_index` rebuilds with progress."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from wagtail.models import Page
from wagtail.search.models import IndexEntry

from branchwork.activities import services as activity_services
from branchwork.activities.testing import at, held_activity
from branchwork.core.models import Role
from branchwork.core.testing import give_role
from branchwork.publishing.richtext import html_to_stream
from branchwork.publishing.testing import make_article, make_channel
from branchwork.search import selectors
from branchwork.search.models import SearchDocument


def found(user, query, kind=None):
    filters = {"kind": kind} if kind else {}
    return {h.object_id for h in selectors.search(user, query, filters=filters).hits}


def test_pages_follow_publish_unpublish_lock_and_delete(personas, home, anonymous):
    channel = make_channel(home, "理论学习", "lilun")
    article = make_article(channel, "学习札记", body_html="<p>深度学习模型需要大量训练数据。</p>")
    assert found(anonymous, "训练") == {article.pk}

    article.body = html_to_stream("<p>改为讨论开源工具。</p>")
    article.save_revision().publish()
    assert found(anonymous, "训练") == set() and found(anonymous, "开源") == {article.pk}

    article.unpublish()
    assert found(anonymous, "开源") == set()
    assert found(personas.admin, "开源") == set()  # not live: nobody finds it on the site
    assert Page.objects.search("开源").count() == 1  # the back office still does (drafts)

    article.save_revision().publish()
    article.refresh_from_db()
    article.locked = True
    article.locked_by = personas.admin
    article.save(update_fields=["locked", "locked_by"])
    assert found(anonymous, "开源") == {article.pk}

    article.delete()
    assert found(anonymous, "开源") == set()
    assert not IndexEntry.objects.filter(object_id=str(article.pk)).exists()
    assert not SearchDocument.objects.filter(object_pk=article.pk, kind="article").exists()


def test_minutes_are_found_after_sign_off_and_amendment(personas):
    activity = held_activity(
        by=personas.alice, organization=personas.branch_a, types=["theme_day"],
        starts_at=at(2025, 4, 8), title="四月主题党日", minutes="<p>讨论了调研报告的写法。</p>",
        host=personas.people.alice, recorder=personas.people.bob, lock=True,
    )
    assert found(personas.bob, "调研报告") == {activity.pk}

    activity_services.activity_amend(
        by=personas.alice, activity=activity, reason="纪要补充",
        changes={"minutes": "<p>讨论了调研报告的写法，并布置了乡村振兴课题。</p>"},
    )
    assert found(personas.bob, "乡村振兴") == {activity.pk}

    planned = activity_services.activity_schedule(
        by=personas.alice, organization=personas.branch_a, types=["theme_day"], title="五月调研报告会",
        starts_at=at(2025, 5, 8), notify=False)
    assert planned.pk in found(personas.bob, "调研报告")
    activity_services.activity_delete(by=personas.alice, activity=planned)
    assert found(personas.bob, "调研报告") == {activity.pk}


def test_a_renamed_person_is_found_by_the_new_name_and_a_new_role_moves_them(personas):
    bob = personas.people.bob
    bob.name = "王博文"
    bob.save()
    assert found(personas.alice, "王博文") == {bob.pk}

    carol = personas.people.carol
    results = selectors.search(personas.dan, "陈可乐")
    assert [v.label for v in results.facets["organization"]] == ["综合处党支部"]
    give_role(carol, personas.branch_a, Role.MEMBER, start_on=datetime.date(2020, 1, 1))
    # Still B: a person's organization is their current branch.
    assert [v.label for v in selectors.search(personas.dan, "陈可乐").facets["organization"]] == ["综合处党支部"]


def test_the_back_office_searches_through_the_analyzer(personas, home, login):
    channel = make_channel(home, "理论学习", "lilun")
    article = make_article(channel, "学习札记", body_html="<p>深度学习模型需要大量训练数据。</p>")

    assert list(Page.objects.search("训练")) == [article.page_ptr]
    assert list(Page.objects.search("訓練")) == [article.page_ptr]
    # The back office's page search completes titles (Wagtail's autocomplete), in either script.
    html = login(personas.admin).get("/admin/pages/search/", {"q": "札記"}).content.decode()
    assert "学习札记" in html
    people = login(personas.admin).get("/admin/people/", {"q": "可乐"}).content.decode()
    assert "陈可乐" in people and "王博" not in people


def test_rebuild_search_index_rebuilds_with_progress(personas, home, anonymous):
    channel = make_channel(home, "理论学习", "lilun")
    article = make_article(channel, "学习札记", body_html="<p>深度学习模型需要大量训练数据。</p>")
    SearchDocument.objects.all().delete()
    IndexEntry.objects.create(content_type_id=article.content_type_id, object_id="999999",
                              title="stale", body="stale", autocomplete="")
    assert found(anonymous, "训练") == set()

    out = StringIO()
    call_command("rebuild_search_index", stdout=out)

    assert found(anonymous, "训练") == {article.pk}
    output = out.getvalue()
    assert "publishing.ArticlePage: 1/1 (100%" in output
    assert "core.Person: " in output
    assert "1 stale entries removed" in output
    assert not IndexEntry.objects.filter(object_id="999999").exists()


@pytest.mark.skipif(not apps.is_installed("branchwork.journal"), reason="no journal app")
def test_journal_articles_are_found_by_members_of_published_issues_only(personas, anonymous):
    from branchwork.journal.models import Journal
    from branchwork.journal.testing import make_issue

    journal = Journal.objects.create(slug="tongxun", name_zh="研究室党建通讯",
                                     organization=personas.branch_a)
    issue, titles, _captions = make_issue(journal, n_articles=3, image_every=0)
    # Written straight into the tables: index it as the task worker would after a save.
    issue.save()
    for section in issue.sections.all():
        for entry in section.entries.all():
            entry.save()
    assert found(personas.bob, "老旧小区") == set()  # a draft

    # Published as the journal's service does (a save, which reindexes the issue and its articles:
    # who may find them is written in the index with them).
    issue.status = "published"
    issue.save(update_fields=["status"])
    assert found(personas.bob, "读原著") != set()  # the branch's members read its journal
    assert found(personas.dan, "读原著") != set()  # and the committee's staff
    assert found(personas.carol, "读原著") == set()  # not another branch's members
    assert found(anonymous, "读原著") == set()
    kinds = {h.kind for h in selectors.search(personas.bob, "研究室党建通讯").hits}
    assert "journal_issue" in kinds
    assert selectors.search(personas.carol, "研究室党建通讯").total == 0


@pytest.mark.skipif(not apps.is_installed("branchwork.lectures"), reason="no lecture hall")
def test_talks_are_found_by_members(personas, anonymous):
    from branchwork.lectures.models import Talk

    talk = Talk.objects.create(organization=personas.branch_a, speaker_name="张教授",
                               date=datetime.date(2025, 5, 20), topic="数字经济与高质量发展",
                               abstract="讲座介绍数据要素市场的培育。")
    assert found(personas.bob, "数据要素") == {talk.pk}
    assert found(personas.carol, "数据要素") == set()  # another branch's talk
    assert found(anonymous, "数据要素") == set()
    talk.delete()
    assert found(personas.bob, "数据要素") == set()


def test_paragraphs_are_indexed_without_latin_commas_or_empty_ones(personas, home):
    """Search snippets come from the indexed body: Chinese paragraphs run on by Chinese rules
    ("阶段成果。调研成果交流会现场。…"), not joined with ", " nor with empty paragraphs between."""
    channel = make_channel(home, "调查研究", "diaoyan")
    article = make_article(channel, "交流会", body_html="<p>取得阶段成果。</p><p> </p><p>调研成果交流会现场</p>"
                                                       "<p>会议由李爱丽主持</p>")
    text = SearchDocument.objects.get(kind="article", object_pk=article.pk).text
    assert ", " not in text and "  " not in text
    assert "取得阶段成果。调研成果交流会现场" in text
