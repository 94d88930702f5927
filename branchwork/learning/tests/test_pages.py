"""Who sees what of learning: a note is its author's and the secretary's until shared (then
the branch's); hours are the member's own, and who is short is for the secretaries alone;
external training is approved by the secretary, under a row lock. Query counts stay constant."""

import datetime
import io
from decimal import Decimal

import openpyxl

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from branchwork.core.conflicts import Conflict
from branchwork.core.models import Role
from branchwork.core.testing import PersonFactory, UserFactory, give_role
from branchwork.learning import selectors, services
from branchwork.learning.models import ExternalTraining, TrainingStatus
from branchwork.learning.testing import study_session
from branchwork.learning.tests.conftest import EVIDENCE, NOTE_SECRET
from branchwork.learning.wagtail_hooks import hours_panel

pytestmark = pytest.mark.django_db


def _get(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode(errors="replace")


def test_a_private_note_is_read_by_its_author_and_the_secretary_only(learning, login):
    p = learning
    url = f"/learning/notes/{p.note.pk}/"
    for user in (p.bob, p.alice):
        status, text = _get(login(user), url)
        assert status == 200 and NOTE_SECRET in text
    for user in (p.carol, p.dan, p.admin):
        assert _get(login(user), url)[0] == 404
    assert login(None).get(url).status_code == 302  # to the login page
    # Another member of branch A does not read it until Bob shares it.
    eve = PersonFactory(name="伊芙", user=UserFactory(username="eve"))
    give_role(eve, p.branch_a, Role.MEMBER)
    assert _get(login(eve.user), url)[0] == 404
    assert NOTE_SECRET not in _get(login(eve.user), f"/orgs/{p.branch_a.code}/learning/")[1]
    services.note_update(by=p.bob, note=p.note, title=p.note.title, body=p.note.body, shared=True)
    assert NOTE_SECRET in _get(login(eve.user), url)[1]
    assert _get(login(p.carol), url)[0] == 404  # shared with the branch, not with branch B
    assert _get(login(p.dan), url)[0] == 404


def test_only_the_author_edits_a_note_and_an_old_version_is_refused(learning, login):
    p = learning
    edit = f"/learning/notes/{p.note.pk}/edit/"
    assert login(p.alice).get(edit).status_code == 404
    bob = login(p.bob)
    response = bob.post(edit, {"title": "新标题", "body": "第一次修改", "version": 0})
    assert response.status_code == 302
    response = bob.post(edit, {"title": "旧窗口", "body": "基于旧版本的修改", "version": 0})
    assert response.status_code == 200 and "第一次修改" in response.content.decode()
    p.note.refresh_from_db()
    assert (p.note.title, p.note.body) == ("新标题", "第一次修改")


def test_a_member_sees_only_their_own_hours_and_the_secretary_who_is_short(learning, login):
    p = learning
    study_session(by=p.alice, organization=p.branch_a, day=(2026, 3, 10), minutes=120)
    status, text = _get(login(p.bob), "/my/learning/2026/")
    assert status == 200 and "2.0" in text and p.people.alice.name not in text
    hours = f"/orgs/{p.branch_a.code}/learning/2026/hours/"
    for user in (p.bob, p.carol, p.dan):
        assert _get(login(user), hours)[0] == 404
    status, text = _get(login(p.alice), hours)
    assert status == 200 and p.people.bob.name in text and "30.0" in text  # 32 − 2
    assert p.people.carol.name not in text


def test_the_secretary_exports_who_is_short_as_text_in_name_order(learning, login):
    p = learning
    # A member whose name a spreadsheet would take for a formula; everyone attends two hours.
    give_role(PersonFactory(name='=HYPERLINK("http://x","y")'), p.branch_a, Role.MEMBER)
    study_session(by=p.alice, organization=p.branch_a, day=(2026, 3, 10), minutes=120)
    url = f"/orgs/{p.branch_a.code}/learning/2026/hours/export/"
    for user in (p.bob, p.carol, p.dan):
        assert login(user).get(url).status_code == 404
    response = login(p.alice).get(url)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert rows == [
        ("党员", "已完成", "应完成", "还差"),
        ('=HYPERLINK("http://x","y")', 2, 32, 30),
        ("李爱丽", 2, 56, 54),  # the secretary's requirement is the leaders' one
        ("王博", 2, 32, 30),
    ]
    assert [row[0].data_type for row in sheet.iter_rows(min_row=2)] == ["s", "s", "s"]
    assert p.people.carol.name not in {r[0] for r in rows}


def test_the_member_submits_and_the_secretary_approves_external_training(personas, login):
    p = personas
    bob = login(p.bob)
    response = bob.post("/my/learning/training/new/", {
        "organization": p.branch_a.pk, "title": "网络专题培训", "provider": "部机关党委",
        "starts_on": "2026-09-01", "ends_on": "2026-09-30", "hours": "10",
        "evidence": SimpleUploadedFile("结业证明.pdf", EVIDENCE, content_type="application/pdf")})
    assert response.status_code == 302
    training = ExternalTraining.objects.get(title="网络专题培训")
    assert selectors.person_hours(p.people.bob, 2026).external == 0
    # Bob cannot approve his own; Carol and Dan cannot even see it.
    assert bob.post(f"/learning/training/{training.pk}/approve/").status_code == 404
    for user in (p.carol, p.dan):
        assert login(user).get(f"/learning/training/{training.pk}/").status_code == 404
    alice = login(p.alice)
    assert alice.get(f"/learning/training/{training.pk}/evidence/").getvalue() == EVIDENCE
    assert alice.post(f"/learning/training/{training.pk}/approve/").status_code == 302
    assert selectors.person_hours(p.people.bob, 2026).external == Decimal("10")


def test_a_decision_taken_on_a_stale_page_is_refused(learning):
    p = learning
    stale = ExternalTraining.objects.get(pk=p.training.pk)  # a second secretary's page
    services.training_return(by=p.alice, training=ExternalTraining.objects.get(pk=p.training.pk),
                             comment="请补充结业证书")
    with pytest.raises(Conflict):
        services.training_approve(by=p.alice, training=stale)
    fresh = ExternalTraining.objects.get(pk=p.training.pk)
    assert (fresh.status, fresh.comment) == (TrainingStatus.RETURNED, "请补充结业证书")
    assert selectors.person_hours(p.people.bob, 2026).external == 0


def test_a_secretary_does_not_approve_her_own_training(personas):
    p = personas
    own = services.training_submit(
        by=p.alice, person=p.people.alice, organization=p.branch_a, title="书记培训班", provider="市委党校",
        starts_on=datetime.date(2026, 3, 2), ends_on=datetime.date(2026, 3, 6), hours=Decimal("40"),
        evidence=SimpleUploadedFile("c.pdf", EVIDENCE))
    with pytest.raises(Conflict):
        services.training_approve(by=p.alice, training=own)
    assert ExternalTraining.objects.get(pk=own.pk).status == TrainingStatus.SUBMITTED


def _grow(p, n, start_day):
    for i in range(n):
        day = (2026, 1 + (start_day + i) % 10, 1 + (start_day + i) % 27)
        activity = study_session(by=p.alice, organization=p.branch_a, day=day, minutes=60)
        services.plan_item_add(by=p.alice, plan=p.plan, topic=f"专题{start_day + i}", month=day[1],
                               sessions=[activity], talk=None, url="https://example.org/")
        services.note_write(by=p.bob, person=p.people.bob, organization=p.branch_a,
                            title=f"心得{start_day + i}", body="正文", shared=True)
        services.course_record(by=p.alice, organization=p.branch_a, title=f"培训{start_day + i}",
                               starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2026, 4, 2),
                               hours=Decimal("4"), participants=[p.people.bob])
        give_role(PersonFactory(), p.branch_a, Role.MEMBER)


@pytest.mark.parametrize("who,url", [
    ("bob", "/orgs/branch-a/learning/2026/"),
    ("alice", "/orgs/branch-a/learning/2026/"),
    ("bob", "/my/learning/2026/"),
    ("alice", "/orgs/branch-a/learning/2026/hours/"),
    ("alice", "/orgs/branch-a/learning/2026/hours/export/"),
    ("bob", "/orgs/branch-a/learning/"),
    ("bob", "/my/"),
])
def test_pages_take_the_same_queries_for_ten_times_the_data(learning, login, who, url,
                                                            django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p = learning
    client = login(getattr(p, who))
    _grow(p, 1, 0)
    assert client.get(url).status_code == 200
    # Django keeps the last 9,000 queries only: past that a capture would see none. Start afresh,
    # and count before growing the data (which runs thousands of queries).
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    counted = len(small.captured_queries)
    assert counted > 0
    _grow(p, 9, 1)  # ten times the data
    client.get(url)  # new roles: the cached reader is read afresh once
    connection.queries_log.clear()
    with django_assert_max_num_queries(counted):
        response = client.get(url)
    assert response.status_code == 200


def test_the_my_page_panel_takes_one_query(learning, django_assert_num_queries):
    request = RequestFactory().get("/my/")
    request.user = learning.bob
    from branchwork.core import permissions

    permissions.reader(request.user)  # read once per request by /my/ already
    with django_assert_num_queries(1):
        panel = hours_panel(request)
    assert panel.context["row"].required == 32
