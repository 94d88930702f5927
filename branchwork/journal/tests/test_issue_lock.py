"""A published issue is locked: no write reaches it (from our pages, the back office or a copy
loaded before it was published) until it is reopened for a correction, which is kept."""

import pytest
from django.urls import reverse

from branchwork.core.conflicts import Conflict
from branchwork.journal import services
from branchwork.journal.models import IssueCorrection, IssueStatus, JournalEntry, JournalIssue
from branchwork.journal.testing import make_issue

pytestmark = pytest.mark.django_db


def _contents(issue) -> tuple:
    fresh = JournalIssue.objects.get(pk=issue.pk)
    return (fresh.status, fresh.number, fresh.cover_note,
            sorted(fresh.sections.values_list("pk", "title", "order")),
            sorted(JournalEntry.objects.filter(section__issue=fresh)
                   .values_list("pk", "title", "author", "body")))


@pytest.fixture
def published(journal, personas):
    issue, _titles, _count = make_issue(journal, n_articles=2, image_every=0)
    stale = JournalIssue.objects.get(pk=issue.pk)  # an editor's page, loaded while a draft
    services.issue_publish(by=personas.alice, issue=JournalIssue.objects.get(pk=issue.pk))
    return stale


WRITES = {
    "change the issue": lambda p, i: services.issue_update(by=p.alice, issue=i, cover_note="改"),
    "delete the issue": lambda p, i: services.issue_delete(by=p.alice, issue=i),
    "add a section": lambda p, i: services.section_add(by=p.alice, issue=i, title="新栏目"),
    "rename a section": lambda p, i: services.section_update(
        by=p.alice, section=i.sections.first(), title="改名", order=9),
    "remove a section": lambda p, i: services.section_delete(by=p.alice, section=i.sections.first()),
    "add an article": lambda p, i: services.entry_add(
        by=p.alice, section=i.sections.first(), title="新文章", author="某人", body="正文"),
    "change an article": lambda p, i: services.entry_update(
        by=p.alice, entry=i.sections.first().entries.first(), section=i.sections.first(),
        title="改过的标题", author="某人", body="改过的正文"),
    "remove an article": lambda p, i: services.entry_delete(
        by=p.alice, entry=i.sections.first().entries.first()),
    "publish again": lambda p, i: services.issue_publish(by=p.alice, issue=i),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_no_write_reaches_a_published_issue(published, personas, write):
    before = _contents(published)
    with pytest.raises(Conflict):
        WRITES[write](personas, published)
    assert _contents(published) == before


def test_reopening_keeps_who_and_why_and_lets_the_editor_correct_it(published, personas, mailoutbox):
    with pytest.raises(Exception, match="需要更正的内容|what is to be corrected"):
        services.issue_reopen(by=personas.alice, issue=published, reason="  ")
    correction = services.issue_reopen(by=personas.alice, issue=published, reason="第二篇作者署名有误")

    assert (correction.by, correction.by_name, correction.reason) == (
        personas.alice, "李爱丽", "第二篇作者署名有误")
    assert JournalIssue.objects.get(pk=published.pk).status == IssueStatus.DRAFT
    entry = published.sections.first().entries.first()
    services.entry_update(by=personas.alice, entry=entry, section=entry.section, title=entry.title,
                          author="更正后的作者", body=entry.body)
    sent_before = len(mailoutbox)
    services.issue_publish(by=personas.alice, issue=JournalIssue.objects.get(pk=published.pk))
    assert JournalIssue.objects.get(pk=published.pk).status == IssueStatus.PUBLISHED
    assert len(mailoutbox) == sent_before  # nobody is notified twice
    with pytest.raises(Conflict):  # once published, even a corrected issue is not deleted
        services.issue_delete(by=personas.alice, issue=JournalIssue.objects.get(pk=published.pk))
    services.issue_reopen(by=personas.alice, issue=JournalIssue.objects.get(pk=published.pk),
                          reason="还有一处错字")
    with pytest.raises(Conflict):  # only a published issue is reopened
        services.issue_reopen(by=personas.alice, issue=JournalIssue.objects.get(pk=published.pk),
                              reason="再次")
    assert published.corrections.count() == 2


def test_the_editors_page_of_a_published_issue_offers_a_correction_not_edits(published, personas,
                                                                              login):
    client = login(personas.alice)
    args = [published.journal.slug, published.year, published.number]
    page = client.get(reverse("journal:issue_edit", args=args)).content.decode()
    assert "已发布，已锁定" in page or "Published and locked" in page
    assert reverse("journal:section_add", args=args) not in page
    response = client.post(reverse("journal:section_add", args=args), {"title": "偷加", "order": 1})
    assert response.status_code == 302
    assert not published.sections.filter(title="偷加").exists()
    section = published.sections.first()
    response = client.post(reverse("journal:section_delete", args=[*args, section.pk]))
    assert response.status_code == 302 and published.sections.filter(pk=section.pk).exists()

    client.post(reverse("journal:reopen", args=args), {"reason": "补登一篇文章"})
    assert IssueCorrection.objects.get(issue=published).reason == "补登一篇文章"
    page = client.get(reverse("journal:issue_edit", args=args)).content.decode()
    assert "补登一篇文章" in page and reverse("journal:section_add", args=args) in page


def test_the_back_office_cannot_change_or_delete_a_published_issue(published, personas, login):
    client = login(personas.admin)
    section = published.sections.first()
    before = _contents(published)
    response = client.post(reverse("journal_sections:edit", args=[section.pk]), {
        "issue": published.pk, "title": "后台改名", "order": 0,
        "entries-TOTAL_FORMS": "0", "entries-INITIAL_FORMS": "0", "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 200  # the form again, with the refusal
    assert "locked" in response.content.decode() or "锁定" in response.content.decode()
    client.post(reverse("journal_sections:delete", args=[section.pk]))
    client.post(reverse("journal_issues:delete", args=[published.pk]))
    assert _contents(published) == before
