"""What the portal keeps between requests (its site, sections, private sections, rankings) stays
true: every change moves the portal's generation on, in this process and, through a file, in
every other process of the machine; who may read what is decided afresh on every request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from branchwork.core import generation, permissions
from branchwork.publishing import selectors
from branchwork.publishing.models import HomePage
from branchwork.publishing.tests.test_portal import site, text_of  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def generation_file(settings, tmp_path):
    settings.PORTAL_GENERATION_FILE = tmp_path / "portal-generation"
    return settings.PORTAL_GENERATION_FILE


def another_process_changed_the_portal(path) -> None:
    """What portal_changed() does in another process: its cache is not ours, the file is."""
    with open(path, "ab") as fh:
        fh.write(b".")


def test_the_generation_moves_on_with_each_change_here_or_in_another_process(generation_file):
    first = selectors.portal_generation()
    assert selectors.portal_generation() == first
    selectors.portal_changed()
    second = selectors.portal_generation()
    assert second != first and generation_file.stat().st_size == 1
    another_process_changed_the_portal(generation_file)
    assert selectors.portal_generation() not in (first, second)


def test_the_generation_file_starts_again_past_its_limit(generation_file, monkeypatch):
    monkeypatch.setattr(generation, "FILE_MAX", 3)
    seen = set()
    for _ in range(5):
        selectors.portal_changed()
        seen.add(selectors.portal_generation())
    assert generation_file.stat().st_size < 3
    assert len(seen) == 5


def test_a_read_only_instance_folder_loses_nothing_but_the_other_processes_notice(settings, tmp_path, caplog):
    settings.PORTAL_GENERATION_FILE = tmp_path / "missing-folder" / "portal-generation"
    before = selectors.portal_generation()
    selectors.portal_changed()
    assert selectors.portal_generation() != before
    assert "Cannot mark the portal changed" in caplog.text


def test_a_section_renamed_by_another_process_shows_under_its_new_name(site, client, generation_file):
    article = site.parts[1]
    assert "支部书记谈四强" in text_of(client.get(article.url))  # the series, as the kicker
    # Another process renames the series and publishes: the database and the file change,
    # our cache does not.
    Page.objects.filter(pk=site.series.pk).update(title="书记谈四强（续）")
    Page.objects.filter(pk=site.jiceng.pk).update(title="基层党建")
    another_process_changed_the_portal(generation_file)
    html = text_of(client.get(article.url))
    assert "书记谈四强（续）" in html and "基层党建" in html


def test_a_view_restriction_takes_effect_at_once(site, client, login, generation_file):
    article = site.parts[1]
    assert f'href="{site.series.url}"' in text_of(client.get(article.url))
    # The series becomes private: its link leaves the article, at once and without a cache
    # clear.
    PageViewRestriction.objects.create(page=site.series, restriction_type=PageViewRestriction.LOGIN)
    html = text_of(client.get(article.url))
    assert f'href="{site.series.url}"' not in html and "第2篇正文" in html
    # The channel becomes private: its articles ask for a login, and leave the others' lists.
    PageViewRestriction.objects.create(page=site.fengcai, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(article.url).status_code == 302
    assert client.get(site.jiceng.url).status_code == 200
    assert site.public.title not in text_of(client.get(site.jiceng.url))
    # Lifted: back again.
    PageViewRestriction.objects.all().delete()
    assert client.get(article.url).status_code == 200
    assert f'href="{site.series.url}"' in text_of(client.get(article.url))


def test_the_home_page_is_served_as_it_is_now(site, client):
    assert client.get("/").status_code == 200  # the site and its root page are cached
    HomePage.objects.filter(pk=site.home.pk).update(intro="<p>新的首页介绍</p>")  # no signal
    assert "新的首页介绍" in text_of(client.get("/"))


def test_the_back_office_link_follows_the_permission_in_one_query(site, login):
    outsider = site.bob
    assert not permissions.may_use_back_office(outsider)
    assert permissions.may_use_back_office(site.editor) == site.editor.has_perm("wagtailadmin.access_admin") is True
    assert '<a href="/admin/">' in text_of(login(site.editor).get("/"))
    assert '<a href="/admin/">' not in text_of(login(outsider).get("/"))
    # Given through a group of one's own, or to the account itself.
    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    group = Group.objects.create(name="门户管理")
    group.permissions.add(access)
    outsider.groups.add(group)
    fresh = type(outsider).objects.get(pk=outsider.pk)
    with CaptureQueriesContext(connection) as captured:
        assert permissions.may_use_back_office(fresh)
    assert len(captured) == 1
    outsider.groups.clear()
    outsider.user_permissions.add(access)
    assert permissions.may_use_back_office(type(outsider).objects.get(pk=outsider.pk))
    outsider.is_active = False
    assert not permissions.may_use_back_office(outsider)


def test_a_renamed_tag_shows_at_once_and_a_preview_shows_the_drafts_tags(site, client, login):
    from taggit.models import Tag

    assert "主题党日" in text_of(client.get(site.public.url))
    tag = Tag.objects.get(name="主题党日")
    tag.name = "主题党日活动"
    tag.save()
    assert "主题党日活动" in text_of(client.get(site.public.url))
    # A draft with other tags: its preview shows them, the live page its own.
    draft = site.public.get_latest_revision_as_object()
    draft.tags.set(["草稿标签"])
    draft.save_revision()
    preview = draft.make_preview_request()
    preview.render()
    assert preview.status_code == 200 and "草稿标签" in text_of(preview)
    assert "草稿标签" not in text_of(client.get(site.public.url))


def test_wagtail_reads_no_restriction_where_the_structure_shows_none(site, client):
    article = site.public
    client.get(article.url)  # the structure, in the cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(article.url).status_code == 200
    assert not [q for q in captured if "pageviewrestriction" in q["sql"]]
    assert not article.get_view_restrictions().exists()


def test_a_password_on_an_article_or_above_it_is_asked_for(site, client, login):
    from django.contrib.auth.models import Group

    PageViewRestriction.objects.create(page=site.public, restriction_type=PageViewRestriction.PASSWORD,
                                       password="sishu2025")
    response = client.get(site.public.url)
    assert response.status_code == 200 and 'name="password"' in text_of(response)
    assert "走进社区" not in text_of(response)
    assert [r.restriction_type for r in site.public.get_view_restrictions()] == ["password"]
    # A group restriction on the channel: only the group's members read its articles.
    PageViewRestriction.objects.all().delete()
    restriction = PageViewRestriction.objects.create(page=site.fengcai, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.create(name="支委"))
    assert login(site.bob).get(site.parts[0].url).status_code == 302
    site.bob.groups.add(Group.objects.get(name="支委"))
    assert login(site.bob).get(site.parts[0].url).status_code == 200
    # The structure cannot tell through an alias: Wagtail is asked.
    structure = selectors.portal_structure()
    assert structure.unrestricted(site.lilun) and not structure.unrestricted(site.parts[0])
    alias = Page(title="别名", slug="bieming", alias_of_id=site.lilun.pk, path=site.lilun.path + "0001", depth=4)
    assert not structure.unrestricted(alias)
