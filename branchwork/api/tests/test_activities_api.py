"""Activities, attendance, sign-off and compliance through the API, under the same policy."""

import datetime

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from branchwork.activities import services
from branchwork.activities.models import Activity, ActivitySource, ActivityStatus, Amendment
from branchwork.activities.testing import held_activity

API = "/api/v1"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def activity_url(activity, action: str = "") -> str:
    return f"{API}/activities/{activity.pk}/" + (f"{action}/" if action else "")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def earlier_this_month() -> datetime.datetime:
    """A moment in the past that is still in this month, in the deployment's time zone."""
    now = timezone.localtime()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return max(now - datetime.timedelta(hours=1), month_start)


def schedule(personas, *, organization=None, starts_at=None, **extra) -> Activity:
    """A theme day of branch A, in ten days, that Alice hosts and Bob records."""
    options = {
        "types": ["theme_day"],
        "title": "主题党日",
        "host": personas.people.alice,
        "recorder": personas.people.bob,
        **extra,
    }
    return services.activity_schedule(
        by=personas.alice,
        organization=organization or personas.branch_a,
        starts_at=starts_at or timezone.now() + datetime.timedelta(days=10),
        notify=False,
        **options,
    )


def mark_everyone_present(client, activity):
    rows = client.get(activity_url(activity, "attendance")).json()
    marks = [{"id": row["id"], "status": "present"} for row in rows]
    response = client.post(activity_url(activity, "attendance"), {"marks": marks}, format="json")
    assert response.status_code == 200, response.json()


# --- Who may read what ---


def test_it_hides_branch_a_activities_from_carol(personas, api):
    activity = schedule(personas)
    carol = api(personas.carol)

    assert ids(carol.get(f"{API}/activities/")) == []
    assert ids(carol.get(f"{API}/activities/", {"org": "branch-a"})) == []
    assert carol.get(activity_url(activity)).status_code == 404
    assert carol.get(activity_url(activity, "attendance")).status_code == 404
    for action in ("attendance", "minutes", "submit", "approve", "return", "amend"):
        assert carol.post(activity_url(activity, action), {}, format="json").status_code == 404
    assert carol.patch(activity_url(activity), {"title": "x"}, format="json").status_code == 404


def test_it_shows_a_joint_activity_to_the_co_organizing_branch(personas, api):
    activity = schedule(
        personas, types=["joint_activity", "theme_day"], co_organizers=[personas.branch_b]
    )
    carol = api(personas.carol)

    assert ids(carol.get(f"{API}/activities/")) == [activity.pk]
    assert ids(carol.get(f"{API}/activities/", {"org": "branch-b"})) == [activity.pk]
    detail = carol.get(activity_url(activity)).json()
    assert detail["organization"] == "branch-a"
    assert detail["co_organizers"] == ["branch-b"]
    assert detail["checkin_url"] is None
    assert detail["permissions"] == {"manage": False, "record": False, "approve": False}


def test_it_shows_bob_the_record_of_his_branch(personas, api):
    activity = schedule(personas, place="三楼会议室", agenda="学习文件\n讨论")

    response = api(personas.bob).get(activity_url(activity), **EN)

    assert response.status_code == 200
    detail = response.json()
    assert detail["types"] == [
        {
            "code": "theme_day",
            "name": "Theme Party day",
            "name_zh": "主题党日",
            "name_en": "Theme Party day",
        }
    ]
    assert detail["organization"] == "branch-a"
    assert detail["title"] == "主题党日"
    assert detail["starts_at"] == timezone.localtime(activity.starts_at).isoformat()
    assert detail["starts_at"].endswith("+08:00")
    assert detail["place"] == "三楼会议室"
    assert detail["host"] == {"id": personas.people.alice.pk, "name": "李爱丽"}
    assert detail["recorder"] == {"id": personas.people.bob.pk, "name": "王博"}
    assert detail["lecturer"] is None
    assert detail["agenda"] == ["学习文件", "讨论"]
    assert detail["status"] == "planned"
    assert detail["attendance_summary"] == {
        "expected": 2, "present": 0, "late": 0, "excused": 0, "absent": 0, "unmarked": 2,
        "observers": 0,
    }
    assert detail["quorum"] == []
    assert detail["amendments"] == []
    # Bob records it, so he is given the check-in address.
    assert detail["checkin_url"] == f"{settings.BASE_URL}/checkin/{activity.checkin_token}/"
    assert detail["permissions"] == {"manage": False, "record": True, "approve": False}


def test_it_gives_the_check_in_address_only_to_those_who_may_record(personas, api):
    activity = schedule(personas, recorder=None)

    assert api(personas.bob).get(activity_url(activity)).json()["checkin_url"] is None
    assert api(personas.dan).get(activity_url(activity)).json()["checkin_url"] is None
    assert api(personas.alice).get(activity_url(activity)).json()["checkin_url"].endswith(
        f"/checkin/{activity.checkin_token}/"
    )


def test_it_lists_newest_first_and_filters_by_year_type_and_status(personas, api):
    old = schedule(personas, starts_at=timezone.now() - datetime.timedelta(days=400))
    new = schedule(personas, types=["collective_study"])
    cancelled = schedule(personas, starts_at=timezone.now() + datetime.timedelta(days=20))
    services.activity_cancel(by=personas.alice, activity=cancelled)
    alice = api(personas.alice)
    this_year = timezone.localtime(new.starts_at).year

    assert ids(alice.get(f"{API}/activities/")) == [cancelled.pk, new.pk, old.pk]
    assert old.pk not in ids(alice.get(f"{API}/activities/", {"year": this_year}))
    assert ids(alice.get(f"{API}/activities/", {"type": "collective_study"})) == [new.pk]
    assert ids(alice.get(f"{API}/activities/", {"status": "cancelled"})) == [cancelled.pk]
    assert ids(alice.get(f"{API}/activities/", {"org": "branch-a", "type": "theme_day"})) == [
        cancelled.pk,
        old.pk,
    ]
    assert alice.get(f"{API}/activities/", {"type": "no_such_type"}).status_code == 400
    assert alice.get(f"{API}/activities/", {"year": "last"}).status_code == 400


# --- Scheduling and changing ---


def schedule_body(personas, **extra) -> dict:
    return {
        "organization": "branch-a",
        "types": ["theme_day", "collective_study"],
        "title": "五月主题党日",
        "starts_at": "2030-05-14T14:30",
        "ends_at": "2030-05-14T16:30",
        "place": "三楼会议室",
        "host": personas.people.alice.pk,
        "recorder": personas.people.bob.pk,
        "agenda": ["学习党章", "交流体会"],
        **extra,
    }


def test_it_lets_alice_schedule_an_activity_for_her_branch(personas, api):
    response = api(personas.alice).post(
        f"{API}/activities/", schedule_body(personas, co_organizers=["branch-b"]), format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    activity = Activity.objects.get(pk=body["id"])
    assert activity.source == ActivitySource.API
    assert activity.created_by == personas.alice
    assert [t["code"] for t in body["types"]] == ["theme_day", "collective_study"]
    assert body["co_organizers"] == ["branch-b"]
    assert body["starts_at"] == "2030-05-14T14:30:00+08:00"
    assert body["ends_at"] == "2030-05-14T16:30:00+08:00"
    assert body["agenda"] == ["学习党章", "交流体会"]
    assert body["recorder"]["name"] == "王博"
    # Branch A's two members and Branch B's one, through their own branch.
    assert body["attendance_summary"]["expected"] == 3
    assert body["checkin_url"].endswith(f"/checkin/{activity.checkin_token}/")


def test_it_forbids_bob_to_schedule_and_hides_other_branches_from_alice(personas, api):
    before = Activity.objects.count()

    for user in (personas.bob, personas.dan):
        response = api(user).post(f"{API}/activities/", schedule_body(personas), format="json")
        assert response.status_code == 403
    for code in ("branch-b", "no-such-branch"):
        response = api(personas.alice).post(
            f"{API}/activities/", schedule_body(personas, organization=code), format="json"
        )
        assert response.status_code == 404
    # Nor may she name as host someone she cannot see.
    response = api(personas.alice).post(
        f"{API}/activities/", schedule_body(personas, host=personas.people.carol.pk), format="json"
    )
    assert response.status_code == 404
    assert Activity.objects.count() == before


def test_it_answers_a_bad_schedule_with_field_messages(personas, api):
    alice = api(personas.alice)

    response = alice.post(
        f"{API}/activities/",
        schedule_body(personas, ends_at="2030-05-14T13:00"),
        format="json",
        **EN,
    )
    assert response.status_code == 400
    assert response.json() == {"ends_at": ["The end is before the start."]}

    response = alice.post(
        f"{API}/activities/", schedule_body(personas, types=["picnic"], title=""), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"types", "title"}


def test_it_lets_alice_change_an_activity_but_not_bob(personas, api):
    activity = schedule(personas)

    response = api(personas.bob).patch(activity_url(activity), {"title": "改了"}, format="json")
    assert response.status_code == 403

    response = api(personas.alice).patch(
        activity_url(activity),
        {
            "title": "六月主题党日",
            "types": ["theme_day", "party_lecture"],
            "lecturer": personas.people.alice.pk,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "六月主题党日"
    assert [t["code"] for t in response.json()["types"]] == ["theme_day", "party_lecture"]
    assert response.json()["lecturer"]["id"] == personas.people.alice.pk
    activity.refresh_from_db()
    assert activity.title == "六月主题党日"


# --- Attendance and sign-off ---


def test_the_recorder_marks_attendance(personas, api):
    activity = schedule(personas, starts_at=timezone.now() - datetime.timedelta(hours=1))
    bob = api(personas.bob)
    rows = bob.get(activity_url(activity, "attendance")).json()
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"李爱丽", "王博"}
    assert by_name["王博"]["person"] == {"id": personas.people.bob.pk, "name": "王博"}
    assert by_name["王博"]["organization"] == "branch-a"
    assert (by_name["王博"]["role"], by_name["王博"]["status"]) == ("expected", "unmarked")

    response = bob.post(
        activity_url(activity, "attendance"),
        {
            "marks": [
                {"id": by_name["李爱丽"]["id"], "status": "present"},
                {"id": by_name["王博"]["id"], "status": "excused", "reason": "出差"},
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    after = {row["name"]: row for row in response.json()}
    assert (after["李爱丽"]["status"], after["李爱丽"]["marked_via"]) == ("present", "manual")
    assert (after["王博"]["status"], after["王博"]["reason"]) == ("excused", "出差")
    assert after["王博"]["voting"] is True
    assert after["王博"]["makeup"] is None
    summary = bob.get(activity_url(activity)).json()["attendance_summary"]
    assert (summary["present"], summary["excused"], summary["unmarked"]) == (1, 1, 0)


def test_only_those_who_record_mark_attendance(personas, api):
    activity = schedule(personas, recorder=None)
    row = activity.attendance.get(person=personas.people.alice)
    marks = {"marks": [{"id": row.pk, "status": "present"}]}
    alice = api(personas.alice)

    for user, code in ((personas.bob, 403), (personas.dan, 403), (personas.carol, 404)):
        response = api(user).post(activity_url(activity, "attendance"), marks, format="json")
        assert response.status_code == code

    response = alice.post(
        activity_url(activity, "attendance"),
        {"marks": [{"id": 999999, "status": "present"}]},
        format="json",
        **EN,
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["No such attendee in this activity."]}
    response = alice.post(
        activity_url(activity, "attendance"),
        {"marks": [{"id": row.pk, "status": "asleep"}]},
        format="json",
    )
    assert response.status_code == 400


def test_submit_and_approve_lock_the_record_which_then_changes_only_by_amendment(personas, api):
    # The place is needed before approval (activities.checks).
    activity = schedule(personas, starts_at=timezone.now() - datetime.timedelta(hours=1),
                        place="党员活动室")
    alice, bob = api(personas.alice), api(personas.bob)
    mark_everyone_present(bob, activity)

    response = bob.post(activity_url(activity, "minutes"), {"minutes": "学习了党章。", "version": 0},
                        format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["minutes"] == "<p>学习了党章。</p>"
    assert response.json()["status"] == "held"

    response = bob.post(activity_url(activity, "submit"), format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"

    # Alice hosts it: the approval is hers, not the recorder's.
    assert bob.post(activity_url(activity, "approve"), format="json").status_code == 403
    response = alice.post(activity_url(activity, "approve"), format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "locked"
    assert response.json()["locked_at"]

    response = alice.patch(activity_url(activity), {"title": "改了"}, format="json", **EN)
    assert response.status_code == 409
    assert response.json() == {"detail": "This record is approved and locked: it is no longer a "
                               "draft (a locked record changes only through an amendment)."}

    amend = {"reason": "地点记错了", "changes": {"place": "二楼会议室"}}
    assert bob.post(activity_url(activity, "amend"), amend, format="json").status_code == 403
    response = alice.post(activity_url(activity, "amend"), amend, format="json", **EN)
    assert response.status_code == 200, response.json()

    detail = alice.get(activity_url(activity)).json()
    assert detail["place"] == "二楼会议室"
    assert detail["status"] == "locked"
    [amendment] = detail["amendments"]
    assert amendment["reason"] == "地点记错了"
    assert amendment["by_name"] == "Alice"
    # Stored as data, read in the request's language (this one is in Chinese, the default).
    assert amendment["entries"] == [{"field": "place", "old": "党员活动室", "new": "二楼会议室"}]
    assert amendment["changes"] == {"地点": ["党员活动室", "二楼会议室"]}
    english = alice.get(activity_url(activity), **EN).json()["amendments"][0]
    assert english["changes"] == {"place": ["党员活动室", "二楼会议室"]}
    assert amendment["at"].endswith("+08:00")
    assert Amendment.objects.get().by == personas.alice


def test_an_amendment_needs_a_change_and_a_locked_record(personas, api):
    activity = held_activity(
        by=personas.alice, organization=personas.branch_a, types=["theme_day"],
        starts_at=earlier_this_month(), host=personas.people.alice, recorder=personas.people.bob,
    )
    alice = api(personas.alice)

    amend = {"reason": "x", "changes": {"place": "y"}}
    response = alice.post(activity_url(activity, "amend"), amend, format="json", **EN)
    assert response.status_code == 409
    assert response.json() == {"detail": "Only a locked record is amended; this one is held, "
                               "minutes in draft: edit the draft directly."}
    services.minutes_submit(by=personas.alice, activity=activity)
    services.minutes_approve(by=personas.alice, activity=activity)

    response = alice.post(activity_url(activity, "amend"), {"reason": "x"}, format="json", **EN)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Nothing was changed."]}
    without_reason = {"changes": amend["changes"]}
    response = alice.post(activity_url(activity, "amend"), without_reason, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"reason"}


def test_the_host_sends_minutes_back_with_a_comment(personas, api):
    activity = held_activity(
        by=personas.alice, organization=personas.branch_a, types=["theme_day"],
        starts_at=earlier_this_month(), host=personas.people.bob, recorder=personas.people.alice,
    )
    services.minutes_submit(by=personas.alice, activity=activity)
    bob = api(personas.bob)

    # Bob hosts this one: he, and not Alice, may approve or send back.
    alice = api(personas.alice)
    response = alice.post(activity_url(activity, "return"), {"comment": "x"}, format="json")
    assert response.status_code == 403
    assert bob.post(activity_url(activity, "return"), {}, format="json").status_code == 400
    response = bob.post(activity_url(activity, "return"), {"comment": "补充讨论内容"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["return_comment"]) == ("held", "补充讨论内容")

    activity.refresh_from_db()
    services.minutes_submit(by=personas.alice, activity=activity)
    response = bob.post(activity_url(activity, "approve"), format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "locked"
    # The host amends what he approved.
    amend = {"reason": "补记", "changes": {"title": "五月主题党日"}}
    response = bob.post(activity_url(activity, "amend"), amend, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "五月主题党日"


def test_submitting_an_incomplete_record_answers_the_services_message(personas, api):
    activity = schedule(personas, starts_at=timezone.now() - datetime.timedelta(hours=1))

    response = api(personas.bob).post(activity_url(activity, "submit"), format="json", **EN)

    assert response.status_code == 409
    assert response.json() == {"detail": "Only minutes in draft can be submitted; these are planned."}
    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.PLANNED


# --- Compliance ---


def types_by_code(body) -> dict:
    return {t["code"]: t for t in body["types"]}


def test_compliance_counts_a_theme_day_held_this_month(personas, api):
    held_activity(
        by=personas.alice, organization=personas.branch_a, types=["theme_day"],
        starts_at=earlier_this_month(), host=personas.people.alice, recorder=personas.people.bob,
    )
    today = timezone.localdate()

    query = {"org": "branch-a", "year": today.year}
    response = api(personas.bob).get(f"{API}/compliance/", query, **EN)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["scope"], body["organization"]) == ("organization", "branch-a")
    assert body["year"] == today.year
    theme_day = types_by_code(body)["theme_day"]
    assert (theme_day["name_zh"], theme_day["name_en"]) == ("主题党日", "Theme Party day")
    assert theme_day["cadence"] == {"count": 1, "per": "month"}
    assert len(theme_day["periods"]) == 12
    this_month = theme_day["periods"][today.month - 1]
    assert this_month == {
        "key": f"{today:%Y-%m}",
        "start": f"{today:%Y-%m}-01",
        "end": this_month["end"],
        "required": 1,
        "held": 1,
        "planned": 0,
        "without_quorum": 0,
        "status": "met",
    }
    assert (theme_day["required"], theme_day["held"], theme_day["held_total"]) == (12, 1, 1)
    assert theme_day["overdue"] == today.month - 1
    study = types_by_code(body)["collective_study"]["periods"][today.month - 1]
    assert study["held"] == 0
    assert study["status"] in ("due", "at_risk")
    assert "group_meeting" not in types_by_code(body)  # counted for groups, not branches
    assert body["totals"]["held"] == 1
    assert body["totals"]["required"] == sum(t["required"] for t in body["types"])


def test_compliance_defaults_to_this_year_and_needs_a_visible_organization(personas, api):
    bob, carol = api(personas.bob), api(personas.carol)

    response = bob.get(f"{API}/compliance/", {"org": "branch-a"})
    assert response.json()["year"] == timezone.localdate().year
    assert bob.get(f"{API}/compliance/").status_code == 400
    assert carol.get(f"{API}/compliance/", {"org": "branch-a"}).status_code == 404
    assert carol.get(f"{API}/compliance/", {"org": "no-such-org"}).status_code == 404
    response = carol.get(f"{API}/compliance/", {"org": "branch-a", "scope": "branches"})
    assert response.status_code == 404


def test_the_committee_table_lists_every_branch_under_it(personas, api):
    held_activity(
        by=personas.alice, organization=personas.branch_a, types=["theme_day"],
        starts_at=earlier_this_month(), host=personas.people.alice, recorder=personas.people.bob,
    )

    response = api(personas.dan).get(f"{API}/compliance/", {"org": "cmte", "scope": "branches"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["scope"], body["organization"]) == ("branches", "cmte")
    assert "theme_day" in [t["code"] for t in body["types"]]
    assert [b["code"] for b in body["branches"]] == ["branch-a", "branch-b"]
    branch_a, branch_b = ({t["code"]: t for t in b["types"]} for b in body["branches"])
    assert branch_a["theme_day"]["current"]["status"] == "met"
    assert (branch_a["theme_day"]["held"], branch_a["theme_day"]["required"]) == (1, 12)
    assert branch_b["theme_day"]["current"]["held"] == 0
    assert branch_b["theme_day"]["held"] == 0
    overdue_months = timezone.localdate().month - 1
    assert body["branches"][1]["overdue"] >= overdue_months  # theme days, at least
    # Alice reads branch A, not the committee above it.
    response = api(personas.alice).get(f"{API}/compliance/", {"org": "cmte", "scope": "branches"})
    assert response.status_code == 404


# --- Cost and description ---


def test_the_list_costs_as_many_queries_for_20_activities_as_for_2(personas, api):
    client = api(personas.dan)

    def add(count):
        for n in range(count):
            schedule(
                personas,
                types=["theme_day", "collective_study"],
                co_organizers=[personas.branch_b],
                lecturer=personas.people.carol,
                starts_at=timezone.now() + datetime.timedelta(days=n + 1),
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{API}/activities/")
        assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    add(2)
    client.get(f"{API}/activities/")  # the reader's roles are cached from the first request on
    with_2, rows_2 = queries()
    add(18)
    with_20, rows_20 = queries()

    assert (rows_2, rows_20) == (2, 20)
    assert with_20 == with_2


def test_the_schema_describes_the_activity_endpoints(personas, api):
    schema = api(personas.bob).get(f"{API}/schema/", {"format": "json"}).json()
    paths = schema["paths"]

    assert set(paths[f"{API}/activities/"]) == {"get", "post"}
    assert set(paths[f"{API}/activities/{{id}}/"]) == {"get", "patch"}
    assert set(paths[f"{API}/activities/{{id}}/attendance/"]) == {"get", "post"}
    for action in ("minutes", "submit", "approve", "return", "amend"):
        assert set(paths[f"{API}/activities/{{id}}/{action}/"]) == {"post"}
    assert set(paths[f"{API}/compliance/"]) == {"get"}
    list_parameters = {p["name"] for p in paths[f"{API}/activities/"]["get"]["parameters"]}
    assert {"org", "year", "type", "status", "limit", "offset"} <= list_parameters
    compliance_parameters = {p["name"] for p in paths[f"{API}/compliance/"]["get"]["parameters"]}
    assert compliance_parameters == {"org", "year", "scope"}
    # Enums carry stable names, the older ones (RoleEnum of memberships) untouched.
    assert {
        "RoleEnum", "ActivityStatusEnum", "AttendanceStatusEnum", "AttendanceRoleEnum",
        "ComplianceStatusEnum", "ActivityTypeEnum",
    } <= set(schema["components"]["schemas"])


def test_the_browsable_api_offers_carol_nothing_from_branch_a(personas, login):
    schedule(personas, place="研究室三楼会议室")

    response = login(personas.carol).get(f"{API}/activities/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    html = response.content.decode()
    for secret in ("王博", "李爱丽", "研究室党支部", "branch-a", "研究室三楼会议室"):
        assert secret not in html


def test_every_activity_endpoint_renders_in_the_browsable_api_and_with_a_format_suffix(
    personas, login
):
    activity = schedule(personas, starts_at=timezone.now() - datetime.timedelta(hours=1))
    client = login(personas.alice)

    for url in (
        f"{API}/activities/",
        activity_url(activity),
        activity_url(activity, "attendance"),
        f"{API}/compliance/?org=branch-a",
        f"{API}/compliance/?org=branch-a&scope=branches",
    ):
        assert client.get(url, HTTP_ACCEPT="text/html").status_code == 200, url
    assert client.get(f"{API}/activities/{activity.pk}/attendance.json").status_code == 200
    assert client.get(f"{API}/activities/{activity.pk}.json").status_code == 200
