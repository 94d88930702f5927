"""The audit trail misses nothing of a record: its attendance marks (written in bulk), the
attachments added and removed, its co-organizers (many-to-many), its resolutions and types, and
the file an import brought them from."""

import hashlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from branchwork.activities import importer, services
from branchwork.activities.models import (
    Activity,
    Attachment,
    AttachmentKind,
    Attendance,
    AttendanceStatus,
    Resolution,
)
from branchwork.activities.testing import at
from branchwork.activities.tests.test_import import GOOD_ROWS, csv_bytes
from branchwork.core.models import AuditAction, AuditEntry, Role
from branchwork.core.testing import PersonFactory, give_role

pytestmark = pytest.mark.django_db


def entries(model, **filters):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                     **filters).order_by("pk")


def _schedule(p, types=("theme_day",), **extra):
    return services.activity_schedule(
        by=p.alice, organization=p.branch_a, types=list(types), title="十月主题党日",
        starts_at=at(2026, 10, 9), host=p.people.alice, recorder=p.people.bob, notify=False,
        **extra)


def test_each_attendance_mark_is_logged_with_who_changed_it_from_what_to_what(personas):
    p = personas
    activity = _schedule(p)
    bob_row = activity.attendance.get(person=p.people.bob)

    services.attendance_mark(by=p.alice, activity=activity, marks={
        bob_row.pk: (AttendanceStatus.EXCUSED, "出差")})

    [entry] = entries(Attendance, object_id=str(bob_row.pk), action=AuditAction.UPDATE)
    assert entry.actor == p.alice and entry.organization_id == p.branch_a.pk
    assert entry.changes["status"] == ["unmarked", "excused"]
    assert entry.changes["reason"] == ["", "出差"]
    assert "王博" in entry.object_repr


def test_marks_are_logged_in_a_constant_number_of_queries(personas, django_assert_max_num_queries):
    p = personas
    for i in range(12):
        give_role(PersonFactory(name=f"党员{i}"), p.branch_a, Role.MEMBER)
    activity = _schedule(p)
    marks = {row.pk: (AttendanceStatus.PRESENT, "") for row in activity.attendance.all()}
    assert len(marks) == 14
    # 32 whether 14 rows are marked or 38 (measured): one audit insert for all the rows (the search
    # index write reads its champion lists once: search/champions.py).
    with django_assert_max_num_queries(32):
        services.attendance_mark(by=p.bob, activity=activity, marks=marks)
    assert entries(Attendance, action=AuditAction.UPDATE).count() == 14


def test_attachments_added_and_removed_are_logged(personas):
    p = personas
    activity = _schedule(p)
    attachment = services.attachment_add(
        by=p.bob, activity=activity, kind=AttachmentKind.MATERIAL,
        file=SimpleUploadedFile("学习材料.txt", b"text"), caption="学习材料")
    pk = attachment.pk
    services.attachment_remove(by=p.alice, attachment=attachment)

    created, deleted = entries(Attachment, object_id=str(pk))
    assert (created.action, created.actor, created.changes["caption"]) == (
        AuditAction.CREATE, p.bob, [None, "学习材料"])
    assert (deleted.action, deleted.actor) == (AuditAction.DELETE, p.alice)
    assert deleted.changes["filename"] == ["学习材料.txt", None]


def test_co_organizers_added_and_removed_are_logged_by_name(personas):
    p = personas
    activity = _schedule(p, types=["joint_activity"], co_organizers=[p.branch_b])
    services.activity_update(by=p.alice, activity=activity, co_organizers=[])

    changes = [e.changes["co_organizers"] for e in entries(Activity, object_id=str(activity.pk))
               if "co_organizers" in e.changes]
    assert changes == [{"added": [{"id": p.branch_b.pk, "repr": "综合处党支部"}]},
                       {"removed": [{"id": p.branch_b.pk, "repr": "综合处党支部"}]}]


def test_resolutions_are_logged_when_they_change_and_not_when_saved_unchanged(personas):
    p = personas
    activity = _schedule(p)
    services.minutes_save(by=p.bob, activity=activity, minutes="记录",
                          resolutions=[{"text": "同意开展志愿服务", "votes_for": 2}])
    assert entries(Resolution, action=AuditAction.CREATE).count() == 1
    services.minutes_save(by=p.bob, activity=activity, minutes="记录（补充）",
                          resolutions=[{"text": "同意开展志愿服务", "votes_for": 2}])
    assert entries(Resolution).count() == 1


def test_an_import_names_its_file_and_its_records_carry_the_importer(personas):
    p = personas
    for name, name_en in (("张三", "Zhang San"), ("李四", "Li Si")):
        give_role(PersonFactory(name=name, name_en=name_en), p.branch_a, Role.MEMBER)
    data = csv_bytes(GOOD_ROWS)

    result = importer.run_import(by=p.alice, organization=p.branch_a, name="台账.csv", data=data)

    [event] = AuditEntry.objects.filter(action=AuditAction.IMPORT)
    assert event.actor == p.alice and event.organization_id == p.branch_a.pk
    assert event.changes["file"]["name"] == "台账.csv"
    assert event.changes["file"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert sorted(a["id"] for a in event.changes["file"]["activities"]) == sorted(
        a.pk for a in result.activities)
    actors = set(AuditEntry.objects.exclude(pk=event.pk).filter(
        content_type=ContentType.objects.get_for_model(Activity)).values_list("actor", flat=True))
    assert actors == {p.alice.pk}
