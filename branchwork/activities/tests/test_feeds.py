"""Private iCal feeds: what a person's and an organization's feed show, read back with icalendar."""

import datetime

import icalendar
import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from branchwork.activities import feeds, services
from branchwork.activities.models import CalendarFeed
from branchwork.activities.testing import at, held_activity
from branchwork.core.testing import build_personas


pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return build_personas()


def ahead(days: int, hh: int = 14, mm: int = 30) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return at(day.year, day.month, day.day, hh, mm)


def schedule(p, org, title, starts_at, **extra):
    extra.setdefault("types", ["theme_day"])
    return services.activity_schedule(by=p.admin, organization=org, title=title,
                                      starts_at=starts_at, notify=False, **extra)


def fetch(client, feed: CalendarFeed) -> icalendar.Calendar:
    response = client.get(feed.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def calendar(p):
    """Activities around branch A (Bob is a member) and branch B (Carol)."""
    a = schedule(p, p.branch_a, "学习全会精神", ahead(5), place="三楼会议室", host=p.people.alice,
                 agenda="传达学习\n交流讨论", ends_at=ahead(5, 16, 0))
    joint = schedule(p, p.branch_b, "联学共建", ahead(9), types=["joint_activity", "theme_day"],
                     co_organizers=[p.branch_a])
    b_only = schedule(p, p.branch_b, "综合处集体学习", ahead(7), types=["collective_study"])
    cancelled = schedule(p, p.branch_a, "取消的活动", ahead(6))
    services.activity_cancel(by=p.admin, activity=cancelled)
    proposed = schedule(p, p.branch_a, "拟定的党课", ahead(20), types=["party_lecture"],
                        date_confirmed=False)
    held = held_activity(by=p.admin, organization=p.branch_a, types=["collective_study"],
                         title="上月集体学习", starts_at=ahead(-30), minutes="<p>内部讨论记录，不外传</p>")
    old = held_activity(by=p.admin, organization=p.branch_a, types=["collective_study"],
                        title="两年前的学习", starts_at=ahead(-800))
    return dict(a=a, joint=joint, b_only=b_only, cancelled=cancelled, proposed=proposed,
                held=held, old=old)


def test_a_persons_feed_shows_the_activities_they_are_invited_to(p, client, calendar):
    feed = feeds.feed_for_person(p.people.bob)
    client.logout()  # calendar apps do not log in
    cal = fetch(client, feed)
    found = events(cal)
    assert set(found) == {"主题党日：学习全会精神", "联学共建", "上月集体学习"}
    assert str(cal["x-wr-calname"]).endswith("王博")

    event = found["主题党日：学习全会精神"]
    activity = calendar["a"]
    assert event.decoded("dtstart") == ahead(5)
    assert event.decoded("dtend") == ahead(5, 16, 0)
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert str(event["uid"]) == f"activity-{activity.pk}@127.0.0.1"
    assert str(event["location"]) == "三楼会议室"
    assert str(event["url"]) == f"http://127.0.0.1:8000/orgs/branch-a/activities/{activity.pk}/"
    assert int(event["sequence"]) == activity.latest_revision_id
    text = str(event["description"])
    assert "主持人 Host：李爱丽 / Alice" in text
    assert "1. 传达学习" in text and "2. 交流讨论" in text
    # An activity without an end lasts two hours; minutes never go into a feed.
    joint = found["联学共建"]
    assert joint.decoded("dtend") - joint.decoded("dtstart") == datetime.timedelta(hours=2)
    assert "不外传" not in cal.to_ical().decode()


def test_an_organizations_feed_shows_what_it_hosts_and_co_organizes(p, client, calendar):
    cal = fetch(client, feeds.feed_for_org(p.branch_a))
    found = events(cal)
    assert set(found) == {"主题党日：学习全会精神", "联学共建", "上月集体学习", "拟定的党课"}
    assert str(found["拟定的党课"]["status"]) == "TENTATIVE"
    assert str(found["联学共建"]["status"]) == "CONFIRMED"
    assert "日期待确认" in str(found["拟定的党课"]["description"])

    found_b = events(fetch(client, feeds.feed_for_org(p.branch_b)))
    assert set(found_b) == {"联学共建", "综合处集体学习"}


def test_carol_sees_only_branch_b_and_the_joint_activity(p, client, calendar):
    found = events(fetch(client, feeds.feed_for_person(p.people.carol)))
    assert set(found) == {"联学共建", "综合处集体学习"}


def test_unknown_or_rotated_tokens_are_404(p, client, calendar):
    assert client.get("/calendar/no-such-token.ics").status_code == 404
    feed = feeds.feed_for_person(p.people.bob)
    old_url = feed.get_absolute_url()
    assert feeds.feed_for_person(p.people.bob).token == feed.token  # one feed per person
    feeds.rotate(feed)
    assert client.get(old_url).status_code == 404
    assert client.get(feed.get_absolute_url()).status_code == 200


def test_a_deactivated_account_or_closed_organization_has_no_feed(p, client, calendar):
    person_feed = feeds.feed_for_person(p.people.bob)
    org_feed = feeds.feed_for_org(p.branch_b)
    p.bob.is_active = False
    p.bob.save()
    p.branch_b.is_active = False
    p.branch_b.save()
    assert client.get(person_feed.get_absolute_url()).status_code == 404
    assert client.get(org_feed.get_absolute_url()).status_code == 404


def test_the_view_answers_404_for_an_unknown_token_when_called_directly(rf, p):
    with pytest.raises(Http404):
        feeds.calendar_feed(rf.get("/calendar/x.ics"), token="x")


def test_an_unchanged_feed_answers_304(p, client, calendar):
    url = feeds.feed_for_org(p.branch_a).get_absolute_url()
    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    services.activity_update(by=p.admin, activity=calendar["a"], place="五楼会议室", notify=False)
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert "五楼会议室" in changed.content.decode()


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_events(p, client):
    person, org = feeds.feed_for_person(p.people.bob), feeds.feed_for_org(p.branch_a)
    for i in range(2):
        schedule(p, p.branch_a, f"活动{i}", ahead(3 + i), host=p.people.alice, lecturer=p.people.bob)
    urls = (person.get_absolute_url(), org.get_absolute_url())
    few = [_count_queries(client, url) for url in urls]
    for i in range(2, 20):
        schedule(p, p.branch_a, f"活动{i}", ahead(3 + i), host=p.people.alice, lecturer=p.people.bob,
                 types=["theme_day", "collective_study"])
    many = [_count_queries(client, url) for url in urls]
    assert few == many
    assert len(events(fetch(client, person))) == 20
