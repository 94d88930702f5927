"""Publishing an issue notifies the members of the chosen organizations, once, over real SMTP."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from branchwork.core.models import Role
from branchwork.core.testing import PersonFactory, give_role
from branchwork.journal import services
from branchwork.journal.models import IssueRecipient, IssueStatus
from branchwork.journal.testing import make_issue

pytestmark = pytest.mark.django_db


def _subject(msg) -> str:
    return str(msg["Subject"]).strip()


def _body(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_members_of_the_chosen_organizations_are_notified_exactly_once(
        journal, personas, smtp, login, django_capture_on_commit_callbacks):
    issue, _titles, _c = make_issue(journal, n_articles=2, image_every=0, year=2026, number=4)
    issue.distribution.set([personas.branch_a])
    # Someone whose role has ended and someone without an address are not notified.
    former = PersonFactory(name="已调离同志", email="former@example.org")
    give_role(former, personas.branch_a, start_on=datetime.date(2020, 1, 1), end_on=datetime.date(2023, 12, 31))
    silent = PersonFactory(name="无邮箱同志", email="")
    give_role(silent, personas.group_a1)

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.issue_publish(by=personas.alice, issue=issue)
    # Alice and Bob are in branch A (Bob also in its group, notified once); Carol (branch B) and
    # Dan (the committee above) are not on the list.
    assert sent == 2
    assert smtp.recipients() == ["alice@example.org", "bob@example.org"]
    for _rcpt, msg in smtp.messages:
        subject = _subject(msg)
        assert subject.startswith("【内部刊物】《研究室党建通讯》2026年第4期已出刊")
        assert "Party Building Bulletin No. 4, 2026 is out" in subject
        body = _body(msg)
        # Chinese first, English below; a link to the issue, no content of the articles.
        assert body.index("同志：") < body.index("Dear ")
        assert "http://testserver" not in body
        assert issue.get_absolute_url() in body
        assert "本期共2篇文章" in body
        assert "支部把理论学习放在首位" not in body
    issue.refresh_from_db()
    assert issue.status == IssueStatus.PUBLISHED and issue.notified_at is not None

    # Publishing again is refused and sends nothing; so does the publish button.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.issue_publish(by=personas.alice, issue=issue)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(personas.alice).post(
            reverse("journal:publish", args=[journal.slug, 2026, 4]))
    assert response.status_code == 302
    assert len(smtp.messages) == 2
    assert IssueRecipient.objects.filter(issue=issue).count() == 2


def test_organizations_under_a_chosen_one_are_included(journal, personas, smtp,
                                                       django_capture_on_commit_callbacks):
    issue, _t, _c = make_issue(journal, n_articles=1, image_every=0)
    issue.distribution.set([personas.committee])
    give_role(personas.people.carol, personas.branch_b, Role.EDITOR)  # two roles: one message
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_publish(by=personas.alice, issue=issue)
    assert smtp.recipients() == ["alice@example.org", "bob@example.org", "carol@example.org",
                                 "dan@example.org"]


def test_an_empty_issue_is_not_published(journal, personas, smtp):
    issue, _t, _c = make_issue(journal, n_articles=0, image_every=0)
    with pytest.raises(ValidationError):
        services.issue_publish(by=personas.alice, issue=issue)
    assert smtp.messages == []
