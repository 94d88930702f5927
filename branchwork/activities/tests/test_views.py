"""Pages of organizational life: the whole life cycle through the UI, the policy, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from branchwork.activities import services
from branchwork.activities.models import Activity, ActivityStatus, Amendment, AttendanceStatus
from branchwork.activities.testing import at, held_activity
from branchwork.core.models import OrganizationKind
from branchwork.core.testing import make_org

pytestmark = pytest.mark.django_db


def url(activity, tail=""):
    return f"/orgs/{activity.organization.code}/activities/{activity.pk}/{tail}"


def schedule(p, **extra):
    values = dict(by=p.alice, organization=p.branch_a, types=["theme_day"], title="十一月主题党日",
                  starts_at=timezone.now() - datetime.timedelta(minutes=30), host=p.people.alice,
                  recorder=p.people.bob, notify=False)
    values.update(extra)
    return services.activity_schedule(**values)


def test_alice_schedules_a_joint_theme_day_through_the_form(personas, login):
    p = personas
    client = login(p.alice)
    start = timezone.localtime() + datetime.timedelta(days=3)
    response = client.post("/orgs/branch-a/activities/new/", {
        "types": ["theme_day", "collective_study"], "title": "联学共建主题党日",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "place": "三楼会议室",
        "host": p.people.alice.pk, "recorder": p.people.bob.pk,
        "co_organizers": [p.branch_b.pk, p.outside.pk], "agenda": "学习文件\n交流发言",
    })
    activity = Activity.objects.get(title="联学共建主题党日")
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert sorted(activity.type_codes) == ["collective_study", "theme_day"]
    assert set(activity.co_organizers.values_list("code", flat=True)) == {"branch-b", "brother"}
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "联学共建主题党日" in page and "三楼会议室" in page and "综合处党支部" in page


def test_form_errors_are_shown_and_nothing_is_saved(personas, login):
    client = login(personas.alice)
    response = client.post("/orgs/branch-a/activities/new/", {"title": "", "starts_at": "not a date"})
    assert response.status_code == 200
    assert not Activity.objects.exists()
    assert "errorlist" in response.content.decode()


def test_members_read_but_cannot_schedule_and_other_branches_get_404(personas, login):
    activity = schedule(personas)
    assert login(personas.bob).get("/orgs/branch-a/activities/new/").status_code == 404
    assert login(personas.bob).get(url(activity)).status_code == 200
    carol = login(personas.carol)
    for tail in ("", "attendance/", "minutes/", "checkin/", "amend/"):
        assert carol.get(url(activity, tail)).status_code == 404
    assert carol.get("/orgs/branch-a/activities/").status_code == 404
    assert carol.get("/orgs/branch-a/compliance/").status_code == 404
    # The wrong organization in the address is a 404 too, not a redirect that confirms it exists.
    assert login(personas.alice).get(f"/orgs/branch-b/activities/{activity.pk}/").status_code == 404


def test_recorder_marks_writes_submits_and_host_approves(personas, login):
    p = personas
    # The place is needed before approval (activities.checks).
    activity = schedule(p, host=p.people.alice, recorder=p.people.bob, place="党员活动室")
    bob = login(p.bob)
    rows = {a.person.name: a for a in activity.attendance.select_related("person")}
    response = bob.post(url(activity, "attendance/"), {
        f"status-{rows['李爱丽'].pk}": "present",
        f"status-{rows['王博'].pk}": "excused", f"reason-{rows['王博'].pk}": "出差",
    })
    assert response.status_code == 302
    response = bob.post(url(activity, "minutes/"), {
        "agenda": "学习党章", "minutes": "李爱丽领学党章第一章。\n\n大家交流了体会。",
        # One vote: Wang Bo is excused, so Li Aili is the one voting member present.
        "resolutions": "同意下月开展志愿服务 | 1 | 0 | 0", "version": 0,
    })
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.HELD
    assert activity.minutes == "<p>李爱丽领学党章第一章。</p><p>大家交流了体会。</p>"
    assert activity.resolutions.get().votes_for == 1
    # Bob is not the host: he cannot approve.
    bob.post(url(activity, "submit/"))
    assert bob.post(url(activity, "approve/")).status_code == 404
    alice = login(p.alice)
    # Approving asks for confirmation: without the box ticked, nothing locks.
    alice.post(url(activity, "approve/"))
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED
    alice.post(url(activity, "approve/"), {"confirm": "1"})
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.LOCKED and activity.locked_by == p.alice
    page = alice.get(url(activity)).content.decode()
    assert "出差" in page and "同意下月开展志愿服务" in page
    # Locked: the draft pages refuse, the record changes only by amendment.
    assert bob.get(url(activity, "minutes/")).status_code == 302
    assert activity.revisions.count() >= 4


def test_submit_refuses_an_incomplete_record(personas, login):
    p = personas
    activity = schedule(p, recorder=p.people.bob, host=None)
    bob = login(p.bob)
    bob.post(url(activity, "minutes/"), {"minutes": "记录", "version": 0})
    response = bob.post(url(activity, "submit/"), follow=True)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.HELD
    assert "主持人" in response.content.decode() or "host" in response.content.decode()


def test_host_sends_minutes_back_with_a_comment(personas, login):
    p = personas
    activity = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                             starts_at=timezone.now() - datetime.timedelta(days=1),
                             host=p.people.alice, recorder=p.people.bob)
    services.minutes_submit(by=p.bob, activity=activity)
    login(p.alice).post(url(activity, "return/"), {"comment": "请补充讨论发言"})
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.HELD and activity.return_comment == "请补充讨论发言"
    assert "请补充讨论发言" in login(p.bob).get(url(activity)).content.decode()


def test_amending_a_locked_record_logs_who_why_and_what(personas, login):
    p = personas
    activity = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                             starts_at=at(2026, 10, 9), host=p.people.alice, recorder=p.people.bob,
                             lock=True)
    bob_row = activity.attendance.get(person=p.people.bob)
    client = login(p.alice)
    response = client.post(url(activity, "amend/"), {
        "reason": "王博当天因公出差，记录有误", "title": activity.title, "place": "党员活动室",
        "agenda": activity.agenda, "minutes": "会议记录。", "resolutions": "",
        "version": activity.minutes_version,
        f"status-{bob_row.pk}": "excused", f"reason-{bob_row.pk}": "因公出差",
    })
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.by == p.alice and amendment.reason == "王博当天因公出差，记录有误"
    assert any("王博" in key for key in amendment.changes)
    page = client.get(url(activity)).content.decode()
    assert "王博当天因公出差，记录有误" in page and "党员活动室" in page
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.LOCKED
    # Members other than managers and the host cannot amend.
    assert login(p.bob).get(url(activity, "amend/")).status_code == 404


@pytest.mark.parametrize("stored", [
    "<p>第一段<br>第二行</p><p>第二段</p>",  # written before every line became a paragraph
    "<h2>议题</h2><ul><li>一</li><li>二</li></ul><table><tr><td>甲</td><td>乙</td></tr></table>",
])
def test_amending_other_fields_records_no_change_of_unchanged_minutes(personas, login, stored):
    p = personas
    activity = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                             starts_at=at(2026, 10, 9), host=p.people.alice, recorder=p.people.bob,
                             minutes=stored, lock=True)
    Activity.objects.filter(pk=activity.pk).update(minutes=stored)
    client = login(p.alice)
    form = client.get(url(activity, "amend/")).context["form"]
    response = client.post(url(activity, "amend/"), {
        "reason": "更正地点", "title": activity.title, "place": "三楼会议室",
        "agenda": activity.agenda, "minutes": form.initial["minutes"], "resolutions": "",
        "version": form.initial["version"],
        **{f"status-{row.pk}": row.status for row in activity.attendance.all()},
    })
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert not [key for key in amendment.changes if "纪要" in key or "inutes" in key]
    activity.refresh_from_db()
    assert activity.minutes == stored and activity.place == "三楼会议室"


def test_qr_check_in_records_attendance_and_nothing_else(personas, login):
    p = personas
    activity = schedule(p)
    screen = login(p.bob).get(url(activity, "checkin/"))  # Bob is the recorder
    assert screen.status_code == 200
    body = screen.content.decode()
    assert "<svg" in body and f"/checkin/{activity.checkin_token}/" in body
    alice = login(p.alice)
    assert alice.get(f"/checkin/{activity.checkin_token}/").status_code == 200
    alice.post(f"/checkin/{activity.checkin_token}/")
    row = activity.attendance.get(person=p.people.alice)
    assert row.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE) and row.marked_via == "qr"
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.HELD
    # Carol is neither on the list nor able to see the activity: 404, not even its title.
    assert login(p.carol).get(f"/checkin/{activity.checkin_token}/").status_code == 404
    assert login(None).get(f"/checkin/{activity.checkin_token}/").status_code == 302  # to login


def test_check_in_is_refused_before_it_opens(personas, login):
    p = personas
    activity = schedule(p, starts_at=timezone.now() + datetime.timedelta(days=2))
    response = login(p.alice).post(f"/checkin/{activity.checkin_token}/")
    assert response.status_code == 200 and "role=\"alert\"" in response.content.decode()
    assert activity.attendance.get(person=p.people.alice).status == AttendanceStatus.UNMARKED


def test_year_plan_page_generates_and_lists(personas, login):
    client = login(personas.alice)
    year = timezone.localdate().year + 1
    response = client.post("/orgs/branch-a/plan/", {"year": year})
    assert response.status_code == 302
    page = client.get(f"/orgs/branch-a/plan/?year={year}").content.decode()
    assert "主题党日" in page and page.count("date to confirm") + page.count("日期待定") >= 12
    assert login(personas.bob).post("/orgs/branch-a/plan/", {"year": year}).status_code == 404


def test_compliance_dashboard_and_committee_table(personas, login):
    p = personas
    held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"], starts_at=at(2026, 1, 9))
    client = login(p.dan)  # committee staff read everything under the committee
    page = client.get("/orgs/branch-a/compliance/?year=2026").content.decode()
    assert "主题党日" in page and "st-met" in page and "st-overdue" in page
    table = client.get("/orgs/cmte/compliance/branches/?year=2026").content.decode()
    assert "研究室党支部" in table and "综合处党支部" in table
    # Months missed earlier in the year stay visible whatever the current month says.
    assert "st-overdue" in table and "periods overdue" in table or "个周期已逾期" in table
    export = client.get("/orgs/cmte/compliance/branches/export.xlsx?year=2026")
    assert export.status_code == 200
    assert login(p.carol).get("/orgs/cmte/compliance/branches/").status_code == 404


def test_activity_list_filters_and_exports(personas, login):
    p = personas
    held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"], starts_at=at(2026, 3, 9),
                  title="三月主题党日")
    held_activity(by=p.alice, organization=p.branch_a, types=["party_lecture"], starts_at=at(2026, 4, 9),
                  title="四月党课")
    client = login(p.bob)
    page = client.get("/orgs/branch-a/activities/?year=2026&type=party_lecture").content.decode()
    assert "四月党课" in page and "三月主题党日" not in page
    import io

    import openpyxl
    body = client.get("/orgs/branch-a/activities/export.xlsx?year=2026").content
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True) for c in row]
    assert "三月主题党日" in cells and "四月党课" in cells


def _grow(p, n):
    have = Activity.objects.count()
    for i in range(have, n):
        held_activity(by=p.alice, organization=p.branch_a, types=["theme_day", "collective_study"],
                      starts_at=at(2026, 1 + i % 10, 1 + i % 27), title=f"活动{i}",
                      co_organizers=[p.branch_b] if i % 3 == 0 else ())


@pytest.mark.parametrize("path", [
    "/orgs/branch-a/activities/?year=2026",
    "/orgs/branch-a/compliance/?year=2026",
    "/orgs/cmte/compliance/branches/?year=2026",
    "/orgs/branch-a/plan/?year=2026",
])
def test_query_counts_do_not_grow_with_activities(personas, login, path):
    client = login(personas.admin)
    _grow(personas, 3)
    client.get(path)
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    _grow(personas, 30)
    with CaptureQueriesContext(connection) as large:
        assert client.get(path).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_committee_table_query_count_does_not_grow_with_branches(personas, login):
    client = login(personas.admin)
    path = "/orgs/cmte/compliance/branches/?year=2026"
    client.get(path)
    with CaptureQueriesContext(connection) as small:
        client.get(path)
    for i in range(20):
        make_org(f"extra-{i}", OrganizationKind.BRANCH, f"新增支部{i}", personas.committee)
    client.get(path)  # the reader's roles are read afresh once after the tree changed
    with CaptureQueriesContext(connection) as large:
        body = client.get(path).content.decode()
    assert "新增支部19" in body
    assert len(large) == len(small)


def test_committee_table_filters_by_status_and_pages_what_it_keeps(personas, login):
    from branchwork.activities.views import COMMITTEE_PAGE_SIZE

    p = personas
    # Branch A held its yearly organizational life meeting; nobody held every monthly meeting.
    held_activity(by=p.alice, organization=p.branch_a, types=["org_life_meeting"],
                  starts_at=at(2026, 6, 9))
    client = login(p.admin)
    base = "/orgs/cmte/compliance/branches/?year=2026"
    met = client.get(base + "&status=met")
    assert [r["org"].code for r in met.context["rows"]] == ["branch-a"]
    body = met.content.decode()
    assert '<option value="met" selected>' in body
    assert "研究室党支部" in body and "综合处党支部" not in body
    assert "Show every branch" in body or "显示全部支部" in body
    client.get(base + "&status=overdue")
    with CaptureQueriesContext(connection) as few:
        overdue = client.get(base + "&status=overdue")
    assert [r["org"].code for r in overdue.context["rows"]] == ["branch-a", "branch-b"]
    # A status the page does not know shows every branch.
    unknown = client.get(base + "&status=<b>")
    assert unknown.context["status"] == "" and len(unknown.context["rows"]) == 2
    for i in range(COMMITTEE_PAGE_SIZE):
        make_org(f"many-{i:03d}", OrganizationKind.BRANCH, f"第{i:03d}支部", personas.committee)
    client.get(base + "&status=overdue")  # the reader's roles are read afresh once after the tree changed
    with CaptureQueriesContext(connection) as many:
        first = client.get(base + "&status=overdue")
    assert len(many) == len(few)  # every branch's counts, in the same queries
    assert first.context["page"].paginator.count == COMMITTEE_PAGE_SIZE + 2
    assert len(first.context["rows"]) == COMMITTEE_PAGE_SIZE
    assert "?year=2026&amp;status=overdue&amp;page=2" in first.content.decode()  # the pager keeps it
    # ... and the site's search box above stays empty (its value is the page's `query`).
    assert 'id="site-search-q" type="search" name="q" value=""' in first.content.decode()
    second = client.get(base + "&status=overdue&page=2")
    assert [r["org"].code for r in second.context["rows"]] == ["many-048", "many-049"]
    assert client.get(base + "&status=met").context["page"].paginator.count == 1
    none = client.get("/orgs/cmte/compliance/branches/?year=2027&status=met").content.decode()
    assert "No branch has a column in this status." in none or "没有支部有处于该状态的栏目" in none


def test_photos_with_captions_are_internal(personas, login):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    p = personas
    activity = schedule(p)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    bob = login(p.bob)  # the recorder
    response = bob.post(url(activity, "attachments/"), {
        "kind": "photo", "caption": "党员重温入党誓词",
        "file": SimpleUploadedFile("oath.jpg", buffer.getvalue(), content_type="image/jpeg"),
    })
    assert response.status_code == 302
    photo = activity.attachments.get()
    assert photo.caption == "党员重温入党誓词"
    page = login(p.alice).get(url(activity)).content.decode()
    assert "党员重温入党誓词" in page
    image = login(p.alice).get(url(activity, f"attachments/{photo.pk}/"))
    assert image.status_code == 200 and b"".join(image.streaming_content)[:2] == b"\xff\xd8"
    assert login(p.carol).get(url(activity, f"attachments/{photo.pk}/")).status_code == 404
    # A text file is not a photo.
    response = bob.post(url(activity, "attachments/"), {
        "kind": "photo", "file": SimpleUploadedFile("notes.txt", b"x", content_type="text/plain")})
    assert activity.attachments.count() == 1


def test_my_page_shows_what_waits_and_a_private_calendar_that_can_be_renewed(personas, login):
    from branchwork.activities.models import CalendarFeed

    p = personas
    activity = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                             starts_at=timezone.now() - datetime.timedelta(hours=3),
                             host=p.people.alice, recorder=p.people.bob)
    bob = login(p.bob)
    page = bob.get("/my/").content.decode()
    assert activity.title in page  # Bob records it: minutes to write and submit
    feed = CalendarFeed.objects.get(person=p.people.bob)
    assert feed.token in page
    assert bob.get(f"/calendar/{feed.token}.ics").status_code == 200
    bob.post("/my/calendar/new-address/")
    assert bob.get(f"/calendar/{feed.token}.ics").status_code == 404
    assert CalendarFeed.objects.get(person=p.people.bob).token != feed.token


def test_committee_table_pages_a_large_committee_and_the_export_has_every_branch(personas, login):
    import io

    from openpyxl import load_workbook

    from branchwork.activities.views import COMMITTEE_PAGE_SIZE

    client = login(personas.admin)
    path = "/orgs/cmte/compliance/branches/?year=2026"
    existing = len(client.get(path).context["rows"])
    extra = COMMITTEE_PAGE_SIZE + 5 - existing
    for i in range(extra):
        make_org(f"many-{i:03d}", OrganizationKind.BRANCH, f"第{i:03d}支部", personas.committee)
    with CaptureQueriesContext(connection) as first_page:
        first = client.get(path)
    assert len(first.context["rows"]) == COMMITTEE_PAGE_SIZE
    assert first.context["page"].paginator.count == COMMITTEE_PAGE_SIZE + 5
    second = client.get(path + "&page=2")
    assert len(second.context["rows"]) == 5
    shown = [r["org"].pk for r in first.context["rows"]] + [r["org"].pk for r in second.context["rows"]]
    assert len(set(shown)) == COMMITTEE_PAGE_SIZE + 5  # every branch once, on one page or the other
    # Twice the branches: the same queries for a page.
    for i in range(COMMITTEE_PAGE_SIZE):
        make_org(f"more-{i:03d}", OrganizationKind.BRANCH, f"新{i:03d}支部", personas.committee)
    with CaptureQueriesContext(connection) as bigger:
        client.get(path)
    assert len(bigger) == len(first_page)
    book = load_workbook(io.BytesIO(client.get("/orgs/cmte/compliance/branches/export.xlsx?year=2026").content))
    names = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 2 * COMMITTEE_PAGE_SIZE + 5
    assert f"第{extra - 1:03d}支部" in names and "新049支部" in names


def _grow_record(p, activity, numbers):
    """More guests (expected and observing), amendments naming people, photos and materials."""
    from branchwork.activities.models import Attachment, Attendance, AttendanceRole

    for i in numbers:
        Attendance.objects.create(activity=activity, name=f"来宾{i}", organization=p.branch_a,
                                  role=AttendanceRole.EXPECTED if i % 2 else AttendanceRole.OBSERVER,
                                  status=AttendanceStatus.EXCUSED if i % 3 else AttendanceStatus.PRESENT,
                                  reason="出差" if i % 3 else "")
        Amendment.objects.create(activity=activity, by=p.alice, by_name="李爱丽", reason=f"更正{i}",
                                 entries=[{"field": "host", "old": p.people.alice.pk, "new": p.people.bob.pk},
                                          {"field": "place", "old": "旧址", "new": f"新址{i}"}])
        Attachment.objects.create(activity=activity, kind="photo" if i % 2 else "material",
                                  file=f"activities/x{i}.jpg", filename=f"x{i}.jpg", caption=f"图{i}")


def test_record_page_query_count_does_not_grow_with_the_record(personas, login):
    """A plain member's view of a locked record of their branch asks as many queries with ten
    times the attendance, amendments, photos and materials."""
    p = personas
    activity = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                             starts_at=at(2025, 3, 14), host=p.people.alice, recorder=p.people.alice,
                             agenda="学习文件", lock=True)
    client = login(p.bob)
    _grow_record(p, activity, range(2))
    client.get(url(activity))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(activity)).status_code == 200
    _grow_record(p, activity, range(2, 20))
    with CaptureQueriesContext(connection) as large:
        body = client.get(url(activity)).content.decode()
    assert "更正19" in body and "来宾19" in body and "图19" in body and "图18" in body
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
