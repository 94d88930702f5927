"""The print version, read back: a 20-article issue's contents list every article with the page it
really starts on; Chinese text, pictures and their captions are in it."""

import re
import subprocess

import pytest
from django.core.management import call_command
from django.utils import translation

from branchwork.journal import content, services
from branchwork.journal.models import IssueBuild, IssueStatus, JournalEntry, JournalIssue
from branchwork.journal.tests.conftest import page_text, pdf_pages, squash
from branchwork.journal.testing import make_image, make_issue
from branchwork.reports.models import ExportStatus

pytestmark = pytest.mark.django_db

# Twenty distinct titles of different lengths (short enough for one line of the contents).
TITLES = [
    "在读原著学原文中筑牢理论根基", "把学习成果转化为研究能力", "集体学习的几点体会", "青年党员读书会侧记",
    "支部委员会季度工作回顾", "主题党日走进革命纪念馆", "老旧小区改造调研札记", "基层治理调研中的三点思考",
    "关于改进学习方式的建议", "党建与业务深度融合的实践", "一线座谈记录", "发展党员工作的规范与温度",
    "重温入党誓词", "学习党史要注重三个结合", "党费收缴与组织关系排查", "小微企业融资难题再观察",
    "基层减负的减与加", "社区养老服务调研", "读书札记：调查研究方法", "编后记",
]


def _build(issue, tmp_path, django_capture_on_commit_callbacks):
    """Request the PDF as the site does; the task runs inline in the tests."""
    with django_capture_on_commit_callbacks(execute=True):
        build = services.pdf_request(issue=issue, by=None)
    build.refresh_from_db()
    assert build.status == ExportStatus.DONE, build.error
    path = tmp_path / build.filename
    with build.file.open("rb") as fh:
        path.write_bytes(fh.read())
    return build, path


def _contents_entries(path, pages: int) -> dict[str, int]:
    """title → page number printed next to it, from the contents pages (those after the cover
    up to the first article page)."""
    found = {}
    for page in range(2, pages + 1):
        text = page_text(path, page)
        if "【" in text:  # the first article page: the contents are over
            break
        for line in text.splitlines():
            match = re.search(r"(\d+)\s*$", line)
            if not match:
                continue
            flat = squash(line)
            for title in TITLES:
                if flat.startswith(squash(title)):
                    found[title] = int(match.group(1))
    return found


def test_twenty_articles_contents_give_the_page_each_really_starts_on(
        journal, personas, tmp_path, django_capture_on_commit_callbacks):
    issue, titles, captions = make_issue(journal, n_articles=20, titles=TITLES, image_every=4,
                                         editor=personas.people.alice, year=2026, number=3)
    build, path = _build(issue, tmp_path, django_capture_on_commit_callbacks)
    assert build.filename == "yjs-tongxun-2026-03.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    pages = pdf_pages(path)
    # Cover, contents, the articles run on: six paragraphs each, about a page each.
    assert 10 <= pages < 24

    # The cover: the journal's name, the year and number, the date, the editor.
    cover = squash(page_text(path, 1))
    assert "研究室党建通讯" in cover
    assert "2026年第3期" in cover
    assert "李爱丽" in cover

    printed = _contents_entries(path, pages)
    assert set(printed) == set(TITLES), f"missing from the contents: {set(TITLES) - set(printed)}"
    starts = [printed[t] for t in TITLES]
    assert starts == sorted(starts), "the articles follow in the order of the contents"
    for title, number in printed.items():
        text = page_text(path, number)
        lines = [squash(line) for line in text.splitlines() if line.strip()]
        # The running header first (journal and issue); the title is on the page.
        assert "研究室党建通讯" in lines[0] and "2026年第3期" in lines[0], (title, number, lines[:3])
        assert any(line.startswith(squash(title)) for line in lines[1:]), (title, number)
        # The page number printed at its foot is the page's own.
        assert lines[-1] == f"—{number}—", (title, lines[-1])
        # …and the article does not start on the page before.
        before = [squash(x) for x in page_text(path, number - 1).splitlines() if x.strip()]
        assert not any(line == squash(title) for line in before[1:])

    # Chinese body text, typeset.
    flat = squash(subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                 text=True, check=True).stdout)
    assert "支部把理论学习放在首位" in flat
    assert "一、主要做法" in flat
    # Pictures with their captions: every fourth article has one.
    assert len(captions) == 5
    for caption in captions:
        assert squash(caption) in flat
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True).stdout
    assert len(listing.splitlines()[2:]) == len(captions)


def test_short_articles_run_on_unless_the_editor_starts_a_new_page(
        journal, tmp_path, django_capture_on_commit_callbacks):
    """Eight short articles fill two pages after the contents, not eight; the one marked to start
    a new page heads its page, and the contents give each article's page."""
    issue, titles, _captions = make_issue(journal, n_articles=8, image_every=0, paragraphs=1,
                                          titles=TITLES[:8])
    marked = JournalEntry.objects.get(section__issue=issue, title=titles[5])
    marked.new_page = True
    marked.save()
    _build_obj, path = _build(issue, tmp_path, django_capture_on_commit_callbacks)
    pages = pdf_pages(path)
    assert pages == 4, pages  # cover, contents, articles 1–5, articles 6–8
    printed = {t: n for t, n in _contents_entries(path, pages).items() if t in titles}
    assert [printed[t] for t in titles] == [3, 3, 3, 3, 3, 4, 4, 4]
    top = [squash(x) for x in page_text(path, 4).splitlines() if x.strip()][1:3]
    assert any(line.startswith(squash(titles[5])) for line in top), top


def test_the_contents_follow_long_issues_onto_more_pages(journal, tmp_path,
                                                         django_capture_on_commit_callbacks):
    issue, titles, _captions = make_issue(journal, n_articles=45, image_every=0, paragraphs=2)
    _build_obj, path = _build(issue, tmp_path, django_capture_on_commit_callbacks)
    pages = pdf_pages(path)
    # The last article: the contents' last line gives its page, which is the last page.
    contents = page_text(path, 2) + page_text(path, 3)
    last = next(line for line in contents.splitlines() if squash(titles[-1]) in squash(line))
    number = int(re.search(r"(\d+)\s*$", last).group(1))
    assert number in (pages - 1, pages)  # short articles run on: the last may end a page later
    assert squash(titles[-1]) in squash(page_text(path, number))


def test_portal_pages_and_missing_pictures(journal, personas, tmp_path,
                                           django_capture_on_commit_callbacks):
    from wagtail.models import Page

    root = Page.objects.get(depth=1)
    portal = root.add_child(instance=Page(title="门户上的一篇内部文章", slug="journal-test-page"))
    issue, titles, _c = make_issue(journal, n_articles=2, image_every=0)
    section = issue.sections.first()
    JournalEntry.objects.create(section=section, order=9, page=portal)
    # A picture deleted from the library is described by its caption, not lost.
    image = make_image("将被删除的图片")
    JournalEntry.objects.create(section=section, order=10, title="缺图的文章", author="某某",
                                body=f'<p>正文。</p><embed embedtype="image" id="{image.pk}" alt="会场照片"/>')
    image.delete()
    _build_obj, path = _build(issue, tmp_path, django_capture_on_commit_callbacks)
    flat = squash(subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                 text=True, check=True).stdout)
    assert "门户上的一篇内部文章" in flat
    assert "缺图的文章" in flat and "[会场照片]" in flat


def test_a_build_is_reused_until_the_issue_changes(journal, tmp_path,
                                                   django_capture_on_commit_callbacks):
    issue, _titles, _c = make_issue(journal, n_articles=3, image_every=0)
    first, _path = _build(issue, tmp_path, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.pdf_request(issue=issue, by=None)
    assert again.pk == first.pk
    entry = JournalEntry.objects.filter(section__issue=issue).first()
    entry.title = "改过的标题"
    entry.save()
    second, path = _build(issue, tmp_path, django_capture_on_commit_callbacks)
    assert second.pk != first.pk
    assert "改过的标题" in squash(page_text(path, 2))
    # The older file is dropped once the newer is done.
    assert not IssueBuild.objects.filter(pk=first.pk).exists()


def test_a_published_issue_is_rebuilt_when_it_changes(journal, django_capture_on_commit_callbacks):
    issue, _titles, _c = make_issue(journal, n_articles=2, image_every=0)
    JournalIssue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    entry = JournalEntry.objects.filter(section__issue=issue).first()
    with django_capture_on_commit_callbacks(execute=True):
        entry.title = "出刊后更正的标题"
        entry.save()
    build = IssueBuild.objects.get(issue=issue)
    assert build.status == ExportStatus.DONE
    issue.refresh_from_db()
    assert build.fingerprint == services.issue_fingerprint(issue)


def test_the_fingerprint_does_not_depend_on_the_readers_language(journal):
    issue, _titles, _c = make_issue(journal, n_articles=2, image_every=0)
    with translation.override("en"):
        english = services.issue_fingerprint(issue, content.issue_content(issue))
    with translation.override("zh-hans"):
        chinese = services.issue_fingerprint(issue, content.issue_content(issue))
    assert english == chinese


def test_export_command(journal, tmp_path):
    make_issue(journal, n_articles=2, image_every=0, year=2026, number=1)
    out = tmp_path / "issue.pdf"
    call_command("export_journal_issue", journal="yjs-tongxun", year=2026, number=1, output=str(out))
    assert "研究室党建通讯" in squash(page_text(out, 1))

