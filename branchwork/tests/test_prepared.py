"""Querysets compiled once per shape (core/prepared.py), the per-process reverse() (core/
reversing.py) and the choice labels (core.models.ChoiceLabelsMixin): the same answers as the ORM
and Django give, and never a reader's old roles on /my/."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import timezone, translation

from branchwork.activities.models import ActivityStatus, Attendance, AttendanceStatus
from branchwork.activities.testing import held_activity
from branchwork.core import prepared, services
from branchwork.core.models import Membership, Organization, Role
from branchwork.core.reversing import cached_reverse
from branchwork.lectures import services as lecture_services


def _roles_since(*, person_id, since):
    return Membership.objects.filter(person_id=person_id, start_on__gte=since).order_by("pk")


def test_it_answers_as_the_orm_for_other_values(personas):
    bob, alice = personas.people.bob, personas.people.alice
    prepared.clear()
    for person in (bob, alice, bob):
        for since in (datetime.date(2000, 1, 1), datetime.date(2030, 1, 1)):
            assert prepared.rows("t.roles", _roles_since, person_id=person.pk, since=since) == list(
                _roles_since(person_id=person.pk, since=since))


def test_it_compiles_a_shape_once(personas, monkeypatch):
    monkeypatch.setattr(prepared, "VERIFY", False)  # which builds every time, to compare
    prepared.clear()
    prepared.rows("t.roles", _roles_since, person_id=personas.people.bob.pk, since=datetime.date(2000, 1, 1))
    built = []

    def counting(**values):
        built.append(values)
        return _roles_since(**values)

    rows = prepared.rows("t.roles", counting, person_id=personas.people.alice.pk, since=datetime.date(2000, 1, 1))
    assert built == [] and {m.person_id for m in rows} == {personas.people.alice.pk}


def test_it_refuses_a_builder_that_asks_the_database(personas):
    prepared.clear()

    def asking(*, person_id):
        ids = list(Organization.objects.values_list("pk", flat=True))  # would be kept in the SQL
        return Membership.objects.filter(person_id=person_id, organization_id__in=ids)

    with pytest.raises(ImproperlyConfigured, match="asked the database"):
        prepared.rows("t.asking", asking, person_id=personas.people.bob.pk)


def test_it_refuses_a_value_the_sql_does_not_hold(personas):
    prepared.clear()
    with pytest.raises(ImproperlyConfigured, match="not found"):
        prepared.rows("t.unused", lambda *, person_id: Membership.objects.all(), person_id=1)


def test_my_page_panels_give_the_sql_a_fresh_build_would(personas, login):
    """With VERIFY (on in the suite) every prepared query of /my/ is compiled afresh as well and
    compared: this walks the panels for every persona."""
    assert prepared.VERIFY
    for user in (personas.alice, personas.bob, personas.carol, personas.dan, personas.admin):
        assert login(user).get("/my/").status_code == 200


def test_my_page_never_shows_roles_that_ended(personas, login):
    """Bob reads his branch's upcoming talk on /my/ while he is a member; the moment his roles
    end, the talk goes (his reader, and with it the prepared queries' key, changes)."""
    p = personas
    lecture_services.talk_create(by=p.alice, organization=p.branch_a, topic="只给本支部的专题课",
                                 date=timezone.localdate() + datetime.timedelta(days=5), speaker_name="林志远")
    client = login(p.bob)
    assert "只给本支部的专题课" in client.get("/my/").content.decode()
    for m in Membership.objects.filter(person=p.people.bob, end_on__isnull=True):
        services.membership_end(by=p.alice, membership=m, end_on=timezone.localdate() - datetime.timedelta(days=1))
    page = client.get("/my/").content.decode()
    assert "只给本支部的专题课" not in page
    # A role given back shows it again at once.
    services.membership_create(by=p.alice, organization=p.branch_a, person=p.people.bob,
                               role=Role.MEMBER, start_on=timezone.localdate())
    assert "只给本支部的专题课" in client.get("/my/").content.decode()


def test_my_page_waiting_records_follow_the_activity(personas, login):
    """Minutes waiting for Bob (the recorder) show on /my/ until he submits them."""
    p = personas
    activity = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                             starts_at=timezone.now() - datetime.timedelta(days=2), title="待写记录的主题党日",
                             recorder=p.people.bob)
    assert activity.status == ActivityStatus.HELD
    client = login(p.bob)
    page = client.get("/my/").content.decode()
    assert page.count("待写记录的主题党日") >= 2  # waiting for me, and among the last days
    type(activity).objects.filter(pk=activity.pk).update(status=ActivityStatus.SUBMITTED)
    assert client.get("/my/").content.decode().count("待写记录的主题党日") == 1


def test_my_page_queries_do_not_grow_with_activities(personas, login):
    """Ten times the activities in Bob's window (past weeks and coming ones): the same queries."""
    p = personas

    def grow(n):
        for i in range(n):
            held_activity(by=p.alice, organization=p.branch_a, types=["collective_study"],
                          starts_at=timezone.now() - datetime.timedelta(days=1 + i % 50, hours=i),
                          title=f"学习{i}", recorder=p.people.bob)

    grow(2)
    client = login(p.bob)
    client.get("/my/")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/my/").status_code == 200
    grow(20)
    with CaptureQueriesContext(connection) as large:
        page = client.get("/my/").content.decode()
    assert "学习19" in page
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert Attendance.objects.filter(person=p.people.bob).count() >= 22


def test_cached_reverse_answers_as_reverse(personas):
    assert cached_reverse("core:my") == reverse("core:my")
    assert cached_reverse("core:org", kwargs={"org_code": "branch-a"}) == reverse("core:org", kwargs={"org_code": "branch-a"})
    assert cached_reverse("activities:detail", args=["branch-a", 7]) == "/orgs/branch-a/activities/7/"
    set_script_prefix("/bw/")
    try:
        assert cached_reverse("core:my") == "/bw/my/"
    finally:
        set_script_prefix("/")
    assert cached_reverse("core:my") == "/my/"


def test_choice_labels_are_djangos_in_each_language(personas):
    row = Attendance(status=AttendanceStatus.EXCUSED)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert row.get_status_display() == str(AttendanceStatus.EXCUSED.label)
    assert Attendance(status="no-such-status").get_status_display() == "no-such-status"
    assert personas.branch_a.get_kind_display() == "党支部"
