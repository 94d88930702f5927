"""The back office lists and edits journals, issues (sections inline), sections (articles inline)
and talks, for superusers."""

import pytest
from django.urls import reverse

from branchwork.journal.testing import make_issue

pytestmark = pytest.mark.django_db


def test_the_back_office_pages_open(journal, personas, login):
    issue, _titles, _c = make_issue(journal, n_articles=2, image_every=0)
    section = issue.sections.first()
    client = login(personas.admin)
    for name, args in [
        ("journals:index", []), ("journals:add", []), ("journals:edit", [journal.pk]),
        ("journal_issues:index", []), ("journal_issues:add", []), ("journal_issues:edit", [issue.pk]),
        ("journal_sections:index", []), ("journal_sections:edit", [section.pk]),
        ("talks:index", []), ("talks:add", []), ("lecture_series:index", []),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    page = client.get(reverse("journal_sections:edit", args=[section.pk])).content.decode()
    assert "在读原著学原文中筑牢理论根基" in page or "把学习成果转化为研究能力" in page


def test_an_issue_with_its_sections_is_added_in_the_back_office(journal, personas, login):
    from branchwork.journal.models import JournalIssue

    client = login(personas.admin)
    response = client.post(reverse("journal_issues:add"), {
        "journal": journal.pk, "year": 2026, "number": 7, "published_on": "2026-12-01",
        "editor": "", "cover_note": "", "distribution": [personas.branch_a.pk],
        "sections-TOTAL_FORMS": "1", "sections-INITIAL_FORMS": "0", "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000", "sections-0-title": "理论学习", "sections-0-order": "0",
        "sections-0-id": "", "sections-0-DELETE": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    issue = JournalIssue.objects.get(journal=journal, number=7)
    assert issue.status == "draft"
    assert list(issue.sections.values_list("title", flat=True)) == ["理论学习"]
