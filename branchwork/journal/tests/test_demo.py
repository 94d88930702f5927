import io

import pytest

from branchwork.core import demo as core_demo
from branchwork.journal import demo
from branchwork.journal.models import IssueBuild, IssueStatus, Journal, JournalEntry, JournalIssue

pytestmark = pytest.mark.django_db


def test_the_demo_journal_loads_once(django_capture_on_commit_callbacks, login):
    core_demo.load(password="demo-password-1")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        demo.load_demo(stdout=out)
    journal = Journal.objects.get(slug=demo.SLUG)
    assert journal.name_zh == "研究室党建通讯" and journal.organization.code == "yjs-branch"
    issues = list(JournalIssue.objects.filter(journal=journal).order_by("number"))
    assert [(i.year, i.number, i.status) for i in issues] == [(2026, 1, IssueStatus.PUBLISHED),
                                                              (2026, 2, IssueStatus.PUBLISHED)]
    assert all(i.editor.name == "陈晓雨" for i in issues)
    titles = set(issues[0].sections.values_list("title", flat=True))
    assert titles == {"理论学习", "支部动态", "调研札记"}
    entries = JournalEntry.objects.filter(section__issue__journal=journal)
    count = entries.count()
    assert count == 11
    assert entries.filter(body__contains='embedtype="image"').count() == 3
    assert entries.get(title="读原著要读出问题意识").author == "研究室 王浩然"
    # The PDFs were requested (and, in the tests, built).
    assert IssueBuild.objects.filter(issue__in=issues, status="done").count() == 2
    # Read by a demo member.
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    page = login(users.get(username="wanghaoran")).get(issues[1].get_absolute_url()).content.decode()
    assert "小微企业融资难题再观察" in page and "<figcaption>小微企业融资需求调查结果示意</figcaption>" in page
    # The research branch's journal is not for another branch's members.
    assert login(users.get(username="yangwanqing")).get(issues[1].get_absolute_url()).status_code == 404

    again = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        demo.load_demo(stdout=again)
    assert "nothing changed" in again.getvalue()
    assert entries.count() == count
    assert IssueBuild.objects.filter(issue__in=issues).count() == 2
