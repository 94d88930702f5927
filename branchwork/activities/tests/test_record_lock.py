"""The lock on a record, where it is decided: in the service, on the row, inside the transaction.

Each write to an activity's record (attendance, minutes, resolutions, attachments, the steps of
sign-off, amendments) locks the row, reads its state afresh and refuses what the state does not
allow. The tests hand the services a copy of the activity loaded *before* someone else changed
it, as a view or the API does: a guard that trusted that copy would let the write through.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from branchwork.activities import services
from branchwork.activities.models import (
    Activity,
    ActivityStatus,
    Attachment,
    AttachmentKind,
    AttendanceRole,
    AttendanceStatus,
)
from branchwork.activities.testing import at, held_activity
from branchwork.core.conflicts import Conflict, VersionConflict

pytestmark = pytest.mark.django_db

MEETING_DAY = at(2026, 10, 9)
NOW = at(2026, 10, 20, 10, 0)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def _held(p, **extra):
    return held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                         starts_at=MEETING_DAY, host=p.people.alice, recorder=p.people.bob,
                         minutes="<p>原始记录。</p>", **extra)


def _snapshot(activity: Activity) -> dict:
    """Everything a write could touch, read from the database."""
    fresh = Activity.objects.get(pk=activity.pk)
    return {
        "status": fresh.status, "title": fresh.title, "minutes": fresh.minutes,
        "agenda": fresh.agenda, "place": fresh.place,
        "attendance": sorted(fresh.attendance.values_list("pk", "status", "reason")),
        "resolutions": list(fresh.resolutions.values_list("text", flat=True)),
        "attachments": sorted(fresh.attachments.values_list("pk", flat=True)),
    }


def _writes(p, activity: Activity, attachment: Attachment):
    """Every write to a record's draft, as a callable taking the (stale) activity."""
    row = activity.attendance.filter(person=p.people.bob).first()
    return {
        "update": lambda a: services.activity_update(by=p.alice, activity=a, place="别处"),
        "mark attendance": lambda a: services.attendance_mark(
            by=p.bob, activity=a, marks={row.pk: (AttendanceStatus.ABSENT, "")}),
        "add an observer": lambda a: services.attendance_add(
            by=p.bob, activity=a, name="列席人", role=AttendanceRole.OBSERVER),
        "remove a row": lambda a: services.attendance_remove(by=p.bob, activity=a, attendance=row),
        "save minutes": lambda a: services.minutes_save(
            by=p.bob, activity=a, minutes="改写", resolutions=[{"text": "新决议"}]),
        "add an attachment": lambda a: services.attachment_add(
            by=p.bob, activity=a, kind=AttachmentKind.MATERIAL,
            file=SimpleUploadedFile("x.txt", b"x"), caption=""),
        "remove an attachment": lambda a: services.attachment_remove(
            by=p.bob, attachment=Attachment.objects.get(pk=attachment.pk)),
        "cancel": lambda a: services.activity_cancel(by=p.alice, activity=a),
        "delete": lambda a: services.activity_delete(by=p.alice, activity=a),
        "submit": lambda a: services.minutes_submit(by=p.bob, activity=a),
        "send back": lambda a: services.minutes_return(by=p.alice, activity=a, comment="改"),
        "approve": lambda a: services.minutes_approve(by=p.alice, activity=a),
    }


WRITES = ["update", "mark attendance", "add an observer", "remove a row", "save minutes",
          "add an attachment", "remove an attachment", "cancel", "delete", "submit", "send back",
          "approve"]


@pytest.mark.parametrize("write", WRITES)
def test_no_write_reaches_a_locked_record_even_from_a_copy_loaded_before_it_locked(
        personas, write):
    p = personas
    activity = _held(p)
    attachment = services.attachment_add(
        by=p.bob, activity=activity, kind=AttachmentKind.MATERIAL,
        file=SimpleUploadedFile("a.txt", b"a"), caption="材料")
    stale = Activity.objects.get(pk=activity.pk)  # loaded by a view while the record was a draft
    writes = _writes(p, stale, attachment)
    services.minutes_submit(by=p.bob, activity=Activity.objects.get(pk=activity.pk))
    services.minutes_approve(by=p.alice, activity=Activity.objects.get(pk=activity.pk))
    before = _snapshot(activity)

    with pytest.raises(Conflict):
        writes[write](stale)

    assert _snapshot(activity) == before
    assert before["status"] == ActivityStatus.LOCKED


@pytest.mark.parametrize("write", ["update", "mark attendance", "add an observer", "save minutes",
                                   "add an attachment", "remove an attachment", "submit"])
def test_a_submitted_record_waits_for_the_host_and_takes_no_edits(personas, write):
    p = personas
    activity = _held(p)
    attachment = services.attachment_add(
        by=p.bob, activity=activity, kind=AttachmentKind.MATERIAL,
        file=SimpleUploadedFile("a.txt", b"a"), caption="材料")
    stale = Activity.objects.get(pk=activity.pk)
    writes = _writes(p, stale, attachment)
    services.minutes_submit(by=p.bob, activity=Activity.objects.get(pk=activity.pk))
    before = _snapshot(activity)

    with pytest.raises(Conflict):
        writes[write](stale)

    assert _snapshot(activity) == before


def test_approving_after_someone_sent_the_minutes_back_is_refused(personas):
    p = personas
    activity = _held(p)
    services.minutes_submit(by=p.bob, activity=activity)
    approving = Activity.objects.get(pk=activity.pk)  # the host's page, still "submitted"
    services.minutes_return(by=p.alice, activity=Activity.objects.get(pk=activity.pk),
                            comment="请补充发言")

    with pytest.raises(Conflict, match="审批|approved"):
        services.minutes_approve(by=p.alice, activity=approving)

    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.HELD
    assert approving.status == ActivityStatus.HELD  # the copy was read afresh


def test_an_amendment_is_only_for_a_locked_record(personas):
    p = personas
    activity = _held(p)
    stale = Activity.objects.get(pk=activity.pk)
    with pytest.raises(Conflict):
        services.activity_amend(by=p.alice, activity=stale, reason="补记", changes={"place": "x"})
    assert Activity.objects.get(pk=activity.pk).amendments.count() == 0


def test_a_member_cannot_check_in_once_the_minutes_are_submitted(personas):
    p = personas
    activity = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                             starts_at=at(2026, 10, 20, 9, 0), host=p.people.alice,
                             recorder=p.people.bob, absent={p.people.bob: ("absent", "")})
    stale = Activity.objects.get(pk=activity.pk)
    services.minutes_submit(by=p.alice, activity=Activity.objects.get(pk=activity.pk))

    with pytest.raises(services.CheckInRefused):
        services.attendance_check_in(user=p.bob, activity=stale)

    assert activity.attendance.get(person=p.people.bob).status == AttendanceStatus.ABSENT


# --- Versions: a save based on an old text is refused, with the other person's text ---


def test_a_save_based_on_an_older_version_is_refused_with_the_other_persons_text(personas):
    p = personas
    activity = _held(p)
    version = activity.minutes_version
    services.minutes_save(by=p.alice, activity=Activity.objects.get(pk=activity.pk),
                          minutes="李爱丽补充的记录。", version=version)

    with pytest.raises(VersionConflict) as refused:
        services.minutes_save(by=p.bob, activity=Activity.objects.get(pk=activity.pk),
                              minutes="王博的记录。", version=version)

    assert refused.value.current["minutes"] == "<p>李爱丽补充的记录。</p>"
    assert refused.value.version == version + 1
    assert Activity.objects.get(pk=activity.pk).minutes == "<p>李爱丽补充的记录。</p>"
    # Built on the version it was shown, the second save goes through.
    services.minutes_save(by=p.bob, activity=Activity.objects.get(pk=activity.pk),
                          minutes="王博的记录。", version=refused.value.version)
    assert Activity.objects.get(pk=activity.pk).minutes == "<p>王博的记录。</p>"


def test_changing_the_agenda_moves_the_version_and_changing_the_place_does_not(personas):
    p = personas
    activity = _held(p)
    version = activity.minutes_version
    services.activity_update(by=p.alice, activity=activity, place="三楼", version=version)
    assert Activity.objects.get(pk=activity.pk).minutes_version == version
    services.activity_update(by=p.alice, activity=activity, agenda="新议程", version=version)
    assert Activity.objects.get(pk=activity.pk).minutes_version == version + 1
    with pytest.raises(VersionConflict):
        services.activity_update(by=p.alice, activity=activity, agenda="旧议程", version=version)


def test_two_amendments_from_the_same_version_do_not_overwrite_each_other(personas):
    p = personas
    activity = _held(p, lock=True)
    version = activity.minutes_version
    services.activity_amend(by=p.alice, activity=Activity.objects.get(pk=activity.pk),
                            reason="补记发言", changes={"minutes": "补记后的记录。"}, version=version)
    with pytest.raises(VersionConflict):
        services.activity_amend(by=p.alice, activity=Activity.objects.get(pk=activity.pk),
                                reason="另一处更正", changes={"minutes": "另一版本。"},
                                version=version)
    assert Activity.objects.get(pk=activity.pk).amendments.count() == 1


def test_makeup_study_is_recorded_on_a_locked_record_but_not_a_cancelled_one(personas):
    p = personas
    activity = _held(p, absent={p.people.bob: (AttendanceStatus.EXCUSED, "出差")}, lock=True)
    row = activity.attendance.get(person=p.people.bob)
    services.makeup_record(by=p.alice, attendance=row, on=datetime.date(2026, 10, 15))
    assert activity.attendance.get(person=p.people.bob).makeup_on == datetime.date(2026, 10, 15)
