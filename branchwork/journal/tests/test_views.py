"""The journal on the web: internal only, the web version of an issue, the editors' forms."""

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branchwork.core.models import OrganizationKind, Role
from branchwork.core.testing import UserFactory, give_role, make_org, person_with_login
from branchwork.journal.models import IssueStatus, JournalEntry, JournalIssue
from branchwork.journal.testing import make_issue, make_journal, picture_bytes
from branchwork.reports.models import ExportStatus

pytestmark = pytest.mark.django_db

SECRET_TITLE = "内部刊物独有标题 J-SECRET-4411"


@pytest.fixture
def published(journal, personas):
    issue, titles, captions = make_issue(journal, n_articles=4, image_every=2, year=2026, number=1,
                                         editor=personas.people.alice,
                                         titles=[SECRET_TITLE, "第二篇", "第三篇", "第四篇"])
    JournalIssue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    issue.refresh_from_db()
    return issue


@pytest.fixture
def draft(journal):
    issue, _t, _c = make_issue(journal, n_articles=1, image_every=0, year=2026, number=2,
                               titles=["草稿中的文章"])
    return issue


def _urls(issue) -> list[str]:
    args = [issue.journal.slug, issue.year, issue.number]
    return [reverse("journal:index"), reverse("journal:journal", args=[issue.journal.slug]),
            reverse("journal:issue", args=args), reverse("journal:pdf", args=args),
            reverse("journal:issue_edit", args=args), reverse("journal:entry_new", args=args)]


def test_anonymous_visitors_are_sent_to_log_in_and_see_nothing(login, published):
    client = login(None)
    for url in _urls(published):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
        assert SECRET_TITLE not in response.content.decode()


def test_accounts_without_membership_get_404(login, published, personas):
    nobody = UserFactory(username="nobody")
    client = login(nobody)
    for url in _urls(published):
        assert client.get(url).status_code == 404, url
    # A person of a brother unit's branch is not a member of the institution either.
    outsider = person_with_login("outsider", "外单位人员")
    give_role(outsider, personas.outside)
    client = login(outsider.user)
    assert client.get(published.get_absolute_url()).status_code == 404


def test_the_branchs_journal_is_read_by_its_members_and_from_above_not_by_another_branch(
        login, published, personas):
    for user in (personas.bob, personas.dan):  # a member of branch A; the committee's staff
        response = login(user).get(published.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
        assert SECRET_TITLE in page
        assert "研究室党建通讯" in page
    carol = login(personas.carol)  # a member of branch B
    assert carol.get(published.get_absolute_url()).status_code == 404
    assert "研究室党建通讯" not in carol.get(reverse("journal:index")).content.decode()


def test_the_committees_journal_is_read_by_every_branch(login, personas):
    from branchwork.journal.testing import make_journal

    make_journal(personas.committee, slug="jiguan-tongxun", name_zh="机关党建通讯")
    for user in (personas.bob, personas.carol, personas.dan):
        assert "机关党建通讯" in login(user).get(reverse("journal:index")).content.decode()


def test_drafts_are_for_the_journals_editors(login, draft, personas):
    for user in (personas.bob, personas.carol, personas.dan):
        assert login(user).get(draft.get_absolute_url()).status_code == 404
        assert "草稿中的文章" not in login(user).get(reverse("journal:index")).content.decode()
    response = login(personas.alice).get(draft.get_absolute_url())  # the secretary manages A
    assert response.status_code == 200
    assert "草稿中的文章" in response.content.decode()


def test_editors_of_the_organization_or_above_edit(login, draft, personas):
    edit = reverse("journal:issue_edit", args=[draft.journal.slug, draft.year, draft.number])
    assert login(personas.bob).get(edit).status_code == 404
    give_role(personas.people.bob, personas.branch_a, Role.EDITOR)
    assert login(personas.bob).get(edit).status_code == 200
    # An editor of the committee above edits branch A's journal; one of branch B does not.
    give_role(personas.people.dan, personas.committee, Role.EDITOR)
    assert login(personas.dan).get(edit).status_code == 200
    give_role(personas.people.carol, personas.branch_b, Role.EDITOR)
    assert login(personas.carol).get(edit).status_code == 404


def test_the_web_version(login, published, personas):
    response = login(personas.bob).get(published.get_absolute_url())
    page = response.content.decode()
    # Contents, then each article with its byline and body; sections as kickers.
    assert page.index('id="contents-h"') < page.index('id="article-')
    assert "【理论学习】" in page
    assert "研究室党支部 作者1" in page
    assert "支部把理论学习放在首位" in page
    # Pictures as figures with their captions, served as renditions.
    assert page.count('<figure class="journal-figure">') == 2
    assert "<figcaption>图为第1篇文章所记活动现场</figcaption>" in page
    image_urls = re.findall(r'<img src="([^"]+)"', page)
    assert len(image_urls) == 2
    assert all(u.startswith(published.get_absolute_url() + "images/") for u in image_urls)
    assert "/media/" not in page
    entry = JournalEntry.objects.filter(section__issue=published, title=SECRET_TITLE).get()
    assert f'id="article-{entry.pk}"' in page
    assert reverse("journal:pdf", args=[published.journal.slug, 2026, 1]) in page


def test_the_pdf_is_built_on_request_and_downloaded(login, published, personas,
                                                    django_capture_on_commit_callbacks):
    client = login(personas.bob)
    url = reverse("journal:pdf", args=[published.journal.slug, 2026, 1])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    # Built inline in the tests: the progress page shows it ready.
    assert response.status_code == 200
    build = published.builds.get()
    assert build.status == ExportStatus.DONE
    status = client.get(reverse("journal:pdf_status", args=[published.journal.slug, 2026, 1, build.pk]))
    assert status.json()["status"] == "done"
    assert status.json()["download_url"]
    response = client.get(url)  # now the file itself
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # The issue page links straight to the download.
    page = client.get(published.get_absolute_url()).content.decode()
    assert reverse("journal:pdf_download", args=[published.journal.slug, 2026, 1, build.pk]) in page
    # Outsiders get nothing.
    assert login(None).get(status.request["PATH_INFO"]).status_code == 302


def test_an_editor_composes_and_publishes_an_issue(login, journal, personas,
                                                   django_capture_on_commit_callbacks):
    client = login(personas.alice)
    response = client.post(reverse("journal:issue_new", args=[journal.slug]), {
        "year": 2026, "number": 5, "published_on": "2026-11-30",
        "editor": personas.people.alice.pk, "cover_note": "本期卷首语。",
        "distribution": [personas.branch_a.pk],
    })
    issue = JournalIssue.objects.get(journal=journal, year=2026, number=5)
    args = [journal.slug, 2026, 5]
    assert response["Location"] == reverse("journal:issue_edit", args=args)
    client.post(reverse("journal:section_add", args=args), {"title": "调研札记"})
    section = issue.sections.get()
    upload = SimpleUploadedFile("现场.jpg", picture_bytes(3, size=(640, 480)), content_type="image/jpeg")
    response = client.post(reverse("journal:entry_new", args=args), {
        "section": section.pk, "title": "一篇新写的调研札记", "author": "研究室 李爱丽",
        "body": "第一段。\n\n第二段<script>alert(1)</script>。", "image": upload, "caption": "调研现场",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = section.entries.get()
    assert "<script>" not in entry.body
    assert 'embedtype="image"' in entry.body and 'alt="调研现场"' in entry.body
    # Both a page and text: refused.
    response = client.post(reverse("journal:entry_new", args=args), {
        "section": section.pk, "page": "99999", "title": "x"})
    assert response.status_code == 200
    assert section.entries.count() == 1
    # Bob, a member, cannot publish.
    assert login(personas.bob).post(reverse("journal:publish", args=args)).status_code == 404
    client = login(personas.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("journal:publish", args=args))
    assert response["Location"] == issue.get_absolute_url()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.PUBLISHED
    page = login(personas.bob).get(issue.get_absolute_url()).content.decode()
    assert "一篇新写的调研札记" in page and "<figcaption>调研现场</figcaption>" in page
    assert issue.builds.get().status == ExportStatus.DONE


def test_a_portal_page_is_taken_by_its_address(login, draft, personas):
    from wagtail.models import Page, Site

    site = Site.objects.get(is_default_site=True)
    home = site.root_page
    article = home.add_child(instance=Page(title="门户文章标题", slug="portal-article-x"))
    client = login(personas.alice)
    args = [draft.journal.slug, draft.year, draft.number]
    section = draft.sections.first()
    response = client.post(reverse("journal:entry_new", args=args),
                           {"section": section.pk, "page": "http://testserver/portal-article-x/"})
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = section.entries.get(page=article)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "门户文章标题" in page
    assert f'id="article-{entry.pk}"' in page


def test_query_count_of_the_issue_page_does_not_grow_with_articles(login, journal, personas):
    from branchwork.journal.testing import make_image
    from wagtail.models import Page

    def measure(issue) -> int:
        client = login(personas.bob)
        client.get(issue.get_absolute_url())  # renditions are made on the first view
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(issue.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    small, _t, _c = make_issue(journal, n_articles=3, image_every=2, year=2026, number=1)
    big, _t, _c = make_issue(journal, n_articles=25, image_every=2, year=2026, number=2)
    root = Page.objects.get(depth=1)
    for issue in (small, big):
        section = issue.sections.last()
        for i in range(1 if issue is small else 6):
            page = root.add_child(instance=Page(title=f"门户{issue.number}-{i}", slug=f"p-{issue.number}-{i}"))
            JournalEntry.objects.create(section=section, order=100 + i, page=page)
    JournalIssue.objects.update(status=IssueStatus.PUBLISHED)
    make_image("unused")
    assert measure(big) == measure(small)


def test_query_count_of_the_index_does_not_grow_with_issues(login, journal, personas):
    def measure() -> int:
        client = login(personas.alice)
        cache.clear()  # what pages keep a while (the header's back-office link) is asked again
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("journal:index")).status_code == 200
        return len(ctx.captured_queries)

    # Two journals: one of the branch Alice manages, one of another branch.
    second = make_journal(personas.branch_b, slug="zhb-tongxun", name_zh="综合处通讯")
    make_issue(journal, n_articles=1, image_every=0, number=1)
    make_issue(second, n_articles=1, image_every=0, number=1)
    before = measure()
    for number in range(2, 8):
        make_issue(journal, n_articles=2, image_every=0, number=number)
        make_issue(second, n_articles=1, image_every=0, number=number)
    make_journal(personas.branch_a, slug="third", name_zh="第三种刊物")
    assert measure() == before


def test_a_group_under_the_branch_is_listed_for_distribution(login, journal, personas):
    make_org("branch-a-g2", OrganizationKind.GROUP, "研究室第二党小组", personas.branch_a)
    page = login(personas.alice).get(reverse("journal:issue_new", args=[journal.slug])).content.decode()
    assert "研究室第二党小组" in page


def test_pictures_are_served_to_readers_of_the_issue_only(login, published, draft, personas):
    page = login(personas.bob).get(published.get_absolute_url()).content.decode()
    url = re.findall(r'<img src="([^"]+)"', page)[0]
    assert login(personas.carol).get(url).status_code == 404  # another branch's member
    response = login(personas.bob).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert "private" in response["Cache-Control"]
    assert login(None).get(url).status_code == 302
    assert login(UserFactory(username="nobody2")).get(url).status_code == 404
    # Another picture of the library, not in this issue: 404, whatever its id.
    from branchwork.journal.testing import make_image

    other = make_image("别处的图片")
    args = [published.journal.slug, published.year, published.number, other.pk]
    assert login(personas.carol).get(reverse("journal:image", args=args)).status_code == 404
    # A draft's pictures are for its editors.
    section = draft.sections.first()
    JournalEntry.objects.create(section=section, order=5, title="带图草稿",
                                body=f'<embed embedtype="image" id="{other.pk}" alt="草稿图"/>')
    args = [draft.journal.slug, draft.year, draft.number, other.pk]
    assert login(personas.carol).get(reverse("journal:image", args=args)).status_code == 404
    assert login(personas.alice).get(reverse("journal:image", args=args)).status_code == 200
