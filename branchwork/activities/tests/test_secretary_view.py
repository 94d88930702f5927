"""What the secretary sees (issue 12, item 10): amendments as data in the reader's language, the
check-in window, quorum and approval said only when there is something to say, who signed off,
attendance in one action, people in pinyin order, and /my/ keeping what a member was at."""

import datetime
import re

import pytest
from django.utils import timezone

from branchwork.activities import amendments, services
from branchwork.activities.forms import pinyin_key
from branchwork.activities.models import Activity, ActivityStatus, Amendment, AttendanceStatus
from branchwork.activities.testing import at, held_activity
from branchwork.core.models import Role
from branchwork.core.testing import give_role, person_with_login

pytestmark = pytest.mark.django_db


def en(client):
    client.cookies["bw_language"] = "en"
    return client


def zh(client):
    client.cookies["bw_language"] = "zh-hans"
    return client


def url(activity, tail=""):
    return f"/orgs/{activity.organization.code}/activities/{activity.pk}/{tail}"


def schedule(p, *, starts_at, **extra):
    values = dict(by=p.alice, organization=p.branch_a, types=["general_meeting"], title="支部党员大会",
                  starts_at=starts_at, host=p.people.alice, recorder=p.people.bob, notify=False)
    values.update(extra)
    return services.activity_schedule(**values)


# --- Amendments as data ---


def locked(p, **extra):
    return held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                         starts_at=at(2026, 10, 9), host=p.people.alice, recorder=p.people.bob,
                         minutes="<p>第一段。</p><p>第二段，王博发言。</p><p>第三段。</p>", lock=True,
                         **extra)


def test_an_amendment_is_stored_as_fields_with_person_ids_not_sentences(personas):
    p = personas
    activity = locked(p)
    bob_row = activity.attendance.get(person=p.people.bob)
    services.activity_amend(
        by=p.alice, activity=activity, reason="更正",
        changes={"place": "二楼会议室", "recorder": p.people.alice},
        marks={bob_row.pk: (AttendanceStatus.EXCUSED, "因公出差")},
    )
    entries = Amendment.objects.get().entries
    assert {"field": "place", "old": "党员活动室", "new": "二楼会议室"} in entries
    assert {"field": "recorder", "old": p.people.bob.pk, "new": p.people.alice.pk} in entries
    assert {"field": "attendance", "person": p.people.bob.pk,
            "old": {"status": "present", "reason": ""},
            "new": {"status": "excused", "reason": "因公出差"}} in entries


def test_the_amendment_log_reads_in_the_readers_language(personas, login):
    p = personas
    activity = locked(p)
    bob_row = activity.attendance.get(person=p.people.bob)
    services.activity_amend(by=p.alice, activity=activity, reason="更正",
                            changes={"place": "二楼会议室"},
                            marks={bob_row.pk: (AttendanceStatus.EXCUSED, "出差")})
    client = login(p.alice)
    english = en(client).get(url(activity)).content.decode()
    section = english[english.index('id="amendments"'):]
    assert "地点" not in section and "出勤" not in section and "王博" not in section
    assert '<span class="what">Place</span>' in section and "Attendance: Bob" in section
    assert "excused (出差)" in section and "· Alice</strong>" in section
    chinese = zh(client).get(url(activity)).content.decode()
    section = chinese[chinese.index('id="amendments"'):]
    assert "地点" in section and "出勤：王博" in section and "李爱丽" in section


def test_a_minutes_change_is_shown_as_a_paragraph_diff(personas, login):
    p = personas
    activity = locked(p)
    services.activity_amend(by=p.alice, activity=activity, reason="补记发言",
                            changes={"minutes": "第一段。\n\n第二段，王博、李爱丽发言。\n\n第三段。\n\n第四段，新增。"})
    page = zh(login(p.alice)).get(url(activity)).content.decode()
    diff = page[page.index('class="para-diff"'):page.index("</div>", page.index('class="para-diff"'))]
    # The changed paragraph shows only what was inserted; the new one is added whole; the
    # unchanged ones are not struck out.
    assert "<ins>、李爱丽</ins>" in diff
    assert '<p class="added"><ins>第四段，新增。</ins></p>' in diff
    assert "<del>第一段。" not in diff and "<del>第三段。" not in diff


def test_paragraph_diff_folds_far_unchanged_paragraphs():
    old = "\n\n".join(f"段{i}" for i in range(1, 8))
    new = old.replace("段7", "段7改")
    diff = amendments.paragraph_diff(old, new)
    assert [(d.op, d.text or d.count) for d in diff[:2]] == [("skipped", 5), ("same", "段6")]
    assert diff[2].op == "changed" and diff[2].parts == [("same", "段7"), ("added", "改")]
    assert len(diff) == 3
    assert amendments.paragraph_diff("甲\n\n乙", "甲\n\n乙") == []


def test_the_api_gives_the_amendment_as_data_and_in_the_requests_language(personas):
    p = personas
    activity = locked(p)
    services.activity_amend(by=p.alice, activity=activity, reason="改",
                            changes={"host": p.people.bob})
    amendment = Amendment.objects.get()
    from django.utils import translation

    with translation.override("en"):
        assert amendment.changes == {"host": ["Alice", "Bob"]}
    with translation.override("zh-hans"):
        assert amendment.changes == {"主持人": ["李爱丽", "王博"]}


def test_old_sentence_amendments_are_read_back_and_the_rest_kept_as_a_legacy_note(personas):
    """Migration 0003's conversion, run over rows as they were stored before it."""
    import importlib

    migration = importlib.import_module(
        "branchwork.activities.migrations.0003_amendment_structured_entries")
    p = personas
    activity = locked(p)

    class Row:
        def __init__(self, changes):
            self.changes, self.activity_id = changes, activity.pk
            self.entries, self.legacy_note = None, None

        def save(self, update_fields):
            pass

    row = Row({"地点": ["活动室", "党员活动室"], "出勤：王博": ["出席", "请假（因公出差）"],
               "Host": ["李爱丽", "王博"], "某个旧字段": ["甲", "乙"]})

    class Manager:
        @staticmethod
        def all():
            class Q:
                @staticmethod
                def iterator():
                    return [row]
            return Q

    class Apps:
        @staticmethod
        def get_model(app, name):
            from django.apps import apps

            if name == "Amendment":
                return type("A", (), {"objects": Manager})
            return apps.get_model(app, name)

    migration.forwards(Apps, None)
    assert row.entries == [
        {"field": "place", "old": "活动室", "new": "党员活动室"},
        {"field": "attendance", "person": p.people.bob.pk, "old": {"status": "present", "reason": ""},
         "new": {"status": "excused", "reason": "因公出差"}},
        {"field": "host", "old": p.people.alice.pk, "new": p.people.bob.pk},
    ]
    assert row.legacy_note == "某个旧字段：甲 → 乙"


# --- A record before there is anything to judge ---


def test_a_meeting_just_scheduled_shows_no_quorum_verdict_and_no_approval_talk(personas, login):
    p = personas
    activity = schedule(p, starts_at=timezone.now() + datetime.timedelta(days=3))
    page = en(login(p.alice)).get(url(activity)).content.decode()
    assert "no quorum" not in page and "quorum met" not in page
    assert "Quorum is judged once attendance is recorded." in page
    assert "The record is as approved" not in page and 'id="amendments"' not in page


def test_quorum_is_judged_once_everyone_is_marked(personas, login):
    p = personas
    activity = held_activity(by=p.alice, organization=p.branch_a, types=["general_meeting"],
                             starts_at=at(2026, 11, 10), host=p.people.alice, recorder=p.people.bob,
                             absent={p.people.bob: (AttendanceStatus.ABSENT, "")})
    page = en(login(p.alice)).get(url(activity)).content.decode()
    assert "quorum met" in page or "no quorum" in page
    assert "Quorum is judged once" not in page


def test_excused_and_absent_are_listed_apart(personas, login):
    p = personas
    carla = person_with_login("carla", "何佳", name_en="Carla")
    give_role(carla, p.branch_a, Role.MEMBER)
    activity = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                             starts_at=at(2026, 11, 10), host=p.people.alice, recorder=p.people.alice,
                             absent={p.people.bob: (AttendanceStatus.EXCUSED, "出差"),
                                     carla: (AttendanceStatus.ABSENT, "")})
    page = en(login(p.alice)).get(url(activity)).content.decode()
    assert re.search(r"Excused \(1\): </strong>Bob \(出差\)", page)
    assert re.search(r"Absent \(1\): </strong>Carla", page)
    assert "excused 1, absent 1" in page


def test_sign_off_names_who_submitted_and_who_approved_in_their_role(personas, login):
    p = personas
    activity = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                             starts_at=at(2026, 11, 10), host=p.people.alice, recorder=p.people.bob)
    services.minutes_submit(by=p.alice, activity=activity)  # the host submitted, not the recorder
    page = en(login(p.bob)).get(url(activity)).content.decode()
    assert "Minutes submitted by Alice (host)" in page
    services.minutes_approve(by=p.alice, activity=Activity.objects.get(pk=activity.pk))
    page = en(login(p.bob)).get(url(activity)).content.decode()
    assert "Approved and locked by Alice (host)" in page
    assert "submitted by Bob" not in page


# --- Check-in ---


def test_before_the_window_the_phone_page_says_when_it_opens_and_offers_no_button(personas, login):
    p = personas
    starts = timezone.now() + datetime.timedelta(days=2)
    activity = schedule(p, starts_at=starts)
    page = en(login(p.bob)).get(f"/checkin/{activity.checkin_token}/").content.decode()
    opens = timezone.localtime(starts - datetime.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    assert f"Check-in opens at {opens}" in page
    assert "Confirm my attendance" not in page
    detail = en(login(p.bob)).get(url(activity)).content.decode()
    assert f"/checkin/{activity.checkin_token}/" not in detail and "Check-in opens at" in detail


def test_inside_the_window_the_button_is_there(personas, login):
    p = personas
    activity = schedule(p, starts_at=timezone.now() + datetime.timedelta(minutes=30))
    page = en(login(p.bob)).get(f"/checkin/{activity.checkin_token}/").content.decode()
    assert "Confirm my attendance" in page and "opens at" not in page


def test_my_page_links_to_check_in_only_inside_the_window(personas, login):
    p = personas
    later = schedule(p, starts_at=timezone.now() + datetime.timedelta(days=5), title="下周的会")
    soon = schedule(p, starts_at=timezone.now() + datetime.timedelta(minutes=30), title="马上开的会")
    page = en(login(p.bob)).get("/my/").content.decode()
    assert f"/checkin/{soon.checkin_token}/" in page
    assert f"/checkin/{later.checkin_token}/" not in page
    assert "check-in opens " + timezone.localtime(
        later.starts_at - datetime.timedelta(hours=2)).strftime("%m-%d %H:%M") in page


def test_the_projector_count_is_a_json_endpoint_for_those_who_record(personas, login):
    p = personas
    activity = schedule(p, starts_at=timezone.now() - datetime.timedelta(minutes=5))
    services.attendance_check_in(user=p.bob, activity=activity)
    status = url(activity, "checkin/status.json")
    data = en(login(p.bob)).get(status).json()
    assert (data["present"], data["expected"], data["names"]) == (1, 2, ["Bob"])
    assert data["label"] == "1 of 2 checked in"
    assert login(p.carol).get(status).status_code == 404  # another branch
    alice_only = schedule(p, starts_at=timezone.now(), recorder=p.people.alice, host=p.people.alice)
    assert login(p.bob).get(url(alice_only, "checkin/status.json")).status_code == 404  # not the recorder


def test_the_projector_code_scales_with_a_view_box(personas, login):
    p = personas
    activity = schedule(p, starts_at=timezone.now())
    page = login(p.bob).get(url(activity, "checkin/")).content.decode()
    svg = page[page.index("<svg"):page.index(">", page.index("<svg"))]
    assert "viewBox=" in svg and "width=" not in svg and "height=" not in svg


# --- Attendance ---


def test_all_present_marks_only_those_not_yet_marked(personas, login):
    p = personas
    activity = schedule(p, starts_at=timezone.now() - datetime.timedelta(minutes=10), types=["theme_day"])
    bob_row = activity.attendance.get(person=p.people.bob)
    services.attendance_mark(by=p.bob, activity=activity, marks={bob_row.pk: (AttendanceStatus.EXCUSED, "病假")})
    response = login(p.bob).post(url(activity, "attendance/"), {"all_present": "1"})
    assert response.status_code == 302
    statuses = dict(activity.attendance.values_list("person__name", "status"))
    assert statuses == {"李爱丽": "present", "王博": "excused"}


def test_people_are_listed_by_pinyin_and_the_organization_first(personas, login):
    p = personas
    for username, name in [("zhang", "张三"), ("an", "安娜"), ("ceng", "曾某")]:
        give_role(person_with_login(username, name), p.branch_a, Role.MEMBER)
    client = login(p.alice)
    form = zh(client).get("/orgs/branch-a/activities/new/").context["form"]
    names = [label for value, label in form.fields["host"].choices if value != ""]
    # By pinyin: an, ceng, li, wang, zhang (by code point 安 < 张 < 曾 < 李 < 王 would be wrong).
    assert names == ["安娜", "曾某", "李爱丽", "王博", "张三"]
    # Dan (the committee's staff) and Carol (branch B) are not offered until asked for.
    assert "赵丹" not in names and "陈可乐" not in names
    wide = zh(client).get("/orgs/branch-a/activities/new/?people=all").context["form"]
    assert "赵丹" in [label for _v, label in wide.fields["host"].choices]
    assert sorted(["zhang san", "an na"], key=pinyin_key) == ["an na", "zhang san"]


# --- /my/ ---


def test_my_page_keeps_recent_activities_with_my_attendance(personas, login):
    p = personas
    week_ago = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                             starts_at=timezone.now() - datetime.timedelta(days=7), title="上周主题党日",
                             absent={p.people.bob: (AttendanceStatus.EXCUSED, "出差")})
    old = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                        starts_at=timezone.now() - datetime.timedelta(days=90), title="三个月前的学习")
    page = zh(login(p.bob)).get("/my/").content.decode()
    recent = page[page.index('class="my-recent"'):]
    assert "上周主题党日" in recent and "请假" in recent and "出差" in recent
    assert "三个月前的学习" not in page
    assert "请假 1" in page and "出席 1" in page  # the past year: one each
    history = zh(login(p.bob)).get("/my/attendance/").content.decode()
    assert "三个月前的学习" in history and "上周主题党日" in history
    assert week_ago.status == old.status == ActivityStatus.HELD
