"""Editing what is recorded: a plan's items (edited and removed by the organization's managers,
under a row lock, a change based on an old version refused), training courses recorded with
their hours, and returned external training corrected and submitted again by its member."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from branchwork.core.conflicts import Conflict, VersionConflict
from branchwork.core.models import AuditAction, AuditEntry
from branchwork.learning import selectors, services
from branchwork.learning.models import (
    ExternalTraining,
    StudyNote,
    StudyPlanItem,
    TrainingCourse,
    TrainingStatus,
)
from branchwork.learning.tests.conftest import EVIDENCE

pytestmark = pytest.mark.django_db


def _item_url(p, tail):
    return f"/orgs/{p.branch_a.code}/learning/items/{p.item.pk}/{tail}"


def _audit(item, action):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(StudyPlanItem),
                                     object_id=str(item.pk), action=action)


# --- Plan items ---


def test_the_secretary_edits_an_item_and_the_change_is_audited(learning, login):
    p = learning
    client = login(p.alice)
    page = client.get(f"/orgs/{p.branch_a.code}/learning/2026/").content.decode()
    assert _item_url(p, "edit/") in page and _item_url(p, "delete/") in page
    assert client.get(_item_url(p, "edit/")).status_code == 200

    response = client.post(_item_url(p, "edit/"), {
        "topic": "学习新党章", "month": "4", "note": "重点读总纲", "url": "", "version": "0"})

    assert response.status_code == 302
    item = StudyPlanItem.objects.get(pk=p.item.pk)
    assert (item.topic, item.month, item.note, item.version) == ("学习新党章", 4, "重点读总纲", 1)
    assert item.file  # the stored document stays unless replaced or removed
    entry = _audit(item, AuditAction.UPDATE).latest("at")
    assert entry.actor == p.alice and entry.changes["topic"] == ["学习党章", "学习新党章"]


def test_a_document_is_removed_or_replaced(learning, login):
    p = learning
    client = login(p.alice)
    client.post(_item_url(p, "edit/"), {"topic": "学习党章", "version": "0", "remove_file": "on"})
    item = StudyPlanItem.objects.get(pk=p.item.pk)
    assert not item.file and item.file_name == ""
    client.post(_item_url(p, "edit/"), {"topic": "学习党章", "version": "1",
                                        "file": SimpleUploadedFile("新提纲.txt", b"two")})
    item = StudyPlanItem.objects.get(pk=p.item.pk)
    assert item.file_name == "新提纲.txt" and item.file.read() == b"two"


def test_an_edit_based_on_an_old_version_is_refused_and_shows_the_stored_item(learning, login):
    p = learning
    client = login(p.alice)
    client.post(_item_url(p, "edit/"), {"topic": "第一次修改", "version": "0"})
    response = client.post(_item_url(p, "edit/"), {"topic": "旧窗口的修改", "version": "0"})
    assert response.status_code == 409
    assert "第一次修改" in response.content.decode()
    assert StudyPlanItem.objects.get(pk=p.item.pk).topic == "第一次修改"


def test_an_item_read_before_another_save_is_read_afresh_under_the_lock(learning):
    p = learning
    stale = StudyPlanItem.objects.get(pk=p.item.pk)  # a second window
    services.plan_item_update(by=p.alice, item=StudyPlanItem.objects.get(pk=p.item.pk),
                              topic="先保存的", version=0)
    with pytest.raises(VersionConflict):
        services.plan_item_update(by=p.alice, item=stale, topic="后保存的", version=0)
    with pytest.raises(VersionConflict):
        services.plan_item_delete(by=p.alice, item=StudyPlanItem.objects.get(pk=p.item.pk), version=0)
    assert StudyPlanItem.objects.get(pk=p.item.pk).topic == "先保存的"


def test_the_secretary_removes_an_item_and_its_notes_keep_their_text(learning, login):
    p = learning
    client = login(p.alice)
    confirm = client.get(_item_url(p, "delete/"))
    assert confirm.status_code == 200 and "学习党章" in confirm.content.decode()
    response = client.post(_item_url(p, "delete/"), {"version": "0"})
    assert response.status_code == 302
    assert not StudyPlanItem.objects.filter(pk=p.item.pk).exists()
    note = StudyNote.objects.get(pk=p.note.pk)
    assert note.item_id is None and note.body == p.note.body
    assert _audit(p.item, AuditAction.DELETE).get().actor == p.alice


def test_a_removal_confirmed_on_an_old_version_is_refused(learning, login):
    p = learning
    client = login(p.alice)
    client.post(_item_url(p, "edit/"), {"topic": "改过了", "version": "0"})
    client.post(_item_url(p, "delete/"), {"version": "0"})
    assert StudyPlanItem.objects.filter(pk=p.item.pk).exists()


@pytest.mark.parametrize("who", ["bob", "carol", "dan"])
def test_only_the_managers_edit_or_remove_items(learning, login, who):
    p = learning
    client = login(getattr(p, who))
    for tail in ("edit/", "delete/"):
        assert client.get(_item_url(p, tail)).status_code == 404
    assert client.post(_item_url(p, "edit/"), {"topic": "篡改", "version": "0"}).status_code == 404
    assert client.post(_item_url(p, "delete/"), {"version": "0"}).status_code == 404
    assert StudyPlanItem.objects.get(pk=p.item.pk).topic == "学习党章"
    if who == "bob":
        page = client.get(f"/orgs/{p.branch_a.code}/learning/2026/").content.decode()
        assert _item_url(p, "edit/") not in page


# --- Training courses ---


def test_the_secretary_records_a_course_and_its_hours_count_for_its_participants(learning, login):
    p = learning
    client = login(p.alice)
    assert f"/orgs/{p.branch_a.code}/learning/courses/new/" in client.get(
        f"/orgs/{p.branch_a.code}/learning/").content.decode()
    form = client.get(f"/orgs/{p.branch_a.code}/learning/courses/new/").content.decode()
    assert p.people.bob.name in form and p.people.carol.name not in form  # branch A's members only

    response = client.post(f"/orgs/{p.branch_a.code}/learning/courses/new/", {
        "title": "网络安全专题培训", "provider": "部机关党委", "starts_on": "2026-04-01",
        "ends_on": "2026-04-02", "hours": "6.5", "participants": [p.people.bob.pk]})

    assert response.status_code == 302
    course = TrainingCourse.objects.get(title="网络安全专题培训")
    assert course.organization == p.branch_a and course.hours == Decimal("6.5")
    assert selectors.person_hours(p.people.bob, 2026).courses == Decimal("6.5")
    assert selectors.person_hours(p.people.alice, 2026).courses == 0
    assert "网络安全专题培训" in client.get(f"/orgs/{p.branch_a.code}/learning/").content.decode()


def test_a_course_is_refused_when_it_ends_before_it_starts_or_names_an_outsider(learning, login):
    p = learning
    client = login(p.alice)
    url = f"/orgs/{p.branch_a.code}/learning/courses/new/"
    base = {"title": "培训", "starts_on": "2026-04-02", "ends_on": "2026-04-01", "hours": "4",
            "participants": [p.people.bob.pk]}
    assert client.post(url, base).status_code == 200
    assert client.post(url, {**base, "ends_on": "2026-04-03", "participants": [p.people.carol.pk]}).status_code == 200
    assert not TrainingCourse.objects.exists()


@pytest.mark.parametrize("who", ["bob", "carol", "dan"])
def test_only_the_managers_record_courses(learning, login, who):
    p = learning
    url = f"/orgs/{p.branch_a.code}/learning/courses/new/"
    client = login(getattr(p, who))
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "培训", "starts_on": "2026-04-01", "ends_on": "2026-04-01",
                             "hours": "40", "participants": [p.people.bob.pk]}).status_code == 404
    assert not TrainingCourse.objects.exists()


# --- Returned external training, submitted again ---


def _returned(p):
    return services.training_return(by=p.alice, training=p.training, comment="请补充结业证书")


def test_the_member_corrects_returned_training_and_submits_it_again(learning, login):
    p = learning
    _returned(p)
    bob = login(p.bob)
    page = bob.get(f"/learning/training/{p.training.pk}/").content.decode()
    assert f"/learning/training/{p.training.pk}/resubmit/" in page
    form = bob.get(f"/learning/training/{p.training.pk}/resubmit/")
    assert form.status_code == 200 and "请补充结业证书" in form.content.decode()

    response = bob.post(f"/learning/training/{p.training.pk}/resubmit/", {
        "title": "党校专题班（补）", "provider": "区委党校", "starts_on": "2026-05-06", "ends_on": "2026-05-08",
        "hours": "10", "evidence": SimpleUploadedFile("结业证书.pdf", EVIDENCE + b" signed")})

    assert response.status_code == 302
    fresh = ExternalTraining.objects.get(pk=p.training.pk)
    assert (fresh.status, fresh.title, fresh.hours) == (TrainingStatus.SUBMITTED, "党校专题班（补）", Decimal("10"))
    assert fresh.evidence_name == "结业证书.pdf" and fresh.evidence.read() == EVIDENCE + b" signed"
    # Awaiting approval again: the secretary sees why it was returned before, and decides it.
    assert "此前退回意见" in login(p.alice).get(f"/learning/training/{p.training.pk}/").content.decode()
    assert login(p.alice).post(f"/learning/training/{p.training.pk}/approve/").status_code == 302
    assert selectors.person_hours(p.people.bob, 2026).external == Decimal("10")


def test_without_a_new_file_the_evidence_stays(learning, login):
    p = learning
    _returned(p)
    login(p.bob).post(f"/learning/training/{p.training.pk}/resubmit/", {
        "title": "党校专题班", "provider": "区委党校", "starts_on": "2026-05-06", "ends_on": "2026-05-08",
        "hours": "12"})
    fresh = ExternalTraining.objects.get(pk=p.training.pk)
    assert fresh.status == TrainingStatus.SUBMITTED and fresh.evidence.read() == EVIDENCE


@pytest.mark.parametrize("who", ["alice", "carol", "dan"])
def test_only_its_member_submits_training_again(learning, login, who):
    p = learning
    _returned(p)
    client = login(getattr(p, who))
    url = f"/learning/training/{p.training.pk}/resubmit/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "x", "provider": "x", "starts_on": "2026-05-06",
                             "ends_on": "2026-05-08", "hours": "99"}).status_code == 404
    if who == "alice":
        assert f"/learning/training/{p.training.pk}/resubmit/" not in client.get(
            f"/learning/training/{p.training.pk}/").content.decode()
        with pytest.raises(PermissionDenied):
            services.training_resubmit(by=p.alice, training=p.training, hours=Decimal("99"))
    assert ExternalTraining.objects.get(pk=p.training.pk).status == TrainingStatus.RETURNED


def test_a_resubmission_from_a_stale_page_is_refused_with_a_clear_message(learning, login):
    p = learning
    _returned(p)
    bob = login(p.bob)
    data = {"title": "党校专题班", "provider": "区委党校", "starts_on": "2026-05-06", "ends_on": "2026-05-08",
            "hours": "12"}
    assert bob.post(f"/learning/training/{p.training.pk}/resubmit/", data).status_code == 302
    login(p.alice).post(f"/learning/training/{p.training.pk}/approve/")
    # The form left open in another window, sent after the approval.
    response = login(p.bob).post(f"/learning/training/{p.training.pk}/resubmit/", {**data, "hours": "30"})
    assert response.status_code == 409
    assert "Only returned training" in response.content.decode() or "只有已退回的培训" in response.content.decode()
    fresh = ExternalTraining.objects.get(pk=p.training.pk)
    assert (fresh.status, fresh.hours) == (TrainingStatus.APPROVED, Decimal("12"))


def test_a_resubmission_read_before_the_approval_is_read_afresh_under_the_lock(learning):
    p = learning
    _returned(p)
    stale = ExternalTraining.objects.get(pk=p.training.pk)  # returned, as the member's page saw it
    services.training_resubmit(by=p.bob, training=ExternalTraining.objects.get(pk=p.training.pk))
    services.training_approve(by=p.alice, training=ExternalTraining.objects.get(pk=p.training.pk))
    with pytest.raises(Conflict):
        services.training_resubmit(by=p.bob, training=stale, hours=Decimal("40"))
    fresh = ExternalTraining.objects.get(pk=p.training.pk)
    assert (fresh.status, fresh.hours) == (TrainingStatus.APPROVED, Decimal("12"))
    assert selectors.person_hours(p.people.bob, 2026).external == Decimal("12")


def test_training_awaiting_approval_is_not_submitted_again(learning, login):
    p = learning
    with pytest.raises(Conflict):
        services.training_resubmit(by=p.bob, training=p.training, hours=Decimal("40"))
    response = login(p.bob).get(f"/learning/training/{p.training.pk}/resubmit/")
    assert response.status_code == 302  # back to the training's page, with the reason
    assert ExternalTraining.objects.get(pk=p.training.pk).hours == Decimal("12")


def test_a_resubmission_cannot_move_the_training_into_the_future(learning):
    p = learning
    _returned(p)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.training_resubmit(by=p.bob, training=p.training, ends_on=datetime.date(2026, 12, 30),
                                   today=datetime.date(2026, 10, 1))
    assert ExternalTraining.objects.get(pk=p.training.pk).status == TrainingStatus.RETURNED
