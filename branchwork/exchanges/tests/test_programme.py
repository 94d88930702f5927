"""The timetable (sessions kept by the event's managers, listed for those who see the event) and
check-in by scan: per day or per session, a second scan said and not counted, live counts per
delegation."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from branchwork.exchanges import services, services_programme
from branchwork.exchanges.models import Participant, ParticipantStatus
from branchwork.exchanges.programme_models import Presence, Session
from branchwork.exchanges.testing import exchanges_world


@pytest.fixture
def world(personas):
    w = exchanges_world(personas)
    w.personas = personas
    return w


def test_a_manager_adds_a_session_and_the_programme_lists_it(world, login):
    client = login(world.personas.alice)
    response = client.post(f"/exchanges/events/{world.event.pk}/sessions/new/", {
        "day": "2026-11-22", "starts_at": "14:00", "ends_at": "16:00", "title_zh": "分论坛：<b>数字治理</b>",
        "title_en": "Panel: digital governance", "room": "三号厅", "interpretation": "英语、俄语"})
    assert response.status_code == 302
    session = Session.objects.get(event=world.event, day=datetime.date(2026, 11, 22))
    assert session.languages == ["英语", "俄语"]
    text = client.get(f"/exchanges/events/{world.event.pk}/programme/").content.decode()
    assert "分论坛：&lt;b&gt;数字治理&lt;/b&gt;" in text and "三号厅" in text and "14:00–16:00" in text
    assert text.index("全体会议") < text.index("数字治理")  # by day and time


def test_a_session_outside_the_event_or_ending_before_it_starts_is_refused(world, login):
    client = login(world.personas.alice)
    url = f"/exchanges/events/{world.event.pk}/sessions/new/"
    base = {"title_zh": "闭幕式", "starts_at": "10:00", "ends_at": "11:00"}
    assert client.post(url, {**base, "day": "2026-11-25"}).status_code == 200
    assert client.post(url, {**base, "day": "2026-11-21", "ends_at": "09:00"}).status_code == 200
    assert Session.objects.filter(event=world.event).count() == 1


@pytest.mark.parametrize("persona", ["bob", "carol", "dan"])
def test_outsiders_get_404_for_the_programme_and_its_edits(world, login, persona):
    client = login(getattr(world.personas, persona))
    for url in (f"/exchanges/events/{world.event.pk}/programme/",
                f"/exchanges/events/{world.event.pk}/sessions/new/",
                f"/exchanges/events/{world.event.pk}/sessions/{world.session.pk}/",
                f"/exchanges/events/{world.event.pk}/checkin/scan/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/exchanges/events/{world.event.pk}/sessions/{world.session.pk}/delete/").status_code == 404
    assert Session.objects.filter(pk=world.session.pk).exists()


def test_a_session_with_guests_checked_in_stays(world, login):
    services.check_in(by=world.fay, event=world.event, code=world.participant.badge_code, session=world.session)
    login(world.personas.alice).post(f"/exchanges/events/{world.event.pk}/sessions/{world.session.pk}/delete/")
    assert Session.objects.filter(pk=world.session.pk).exists()


def scan(client, world, code, session=None):
    data = {"code": code}
    if session:
        data["session"] = session.pk
    return client.post(f"/exchanges/events/{world.event.pk}/checkin/scan/", data)


def test_the_scan_endpoint_checks_in_once_and_says_the_repeat(world, login):
    client = login(world.personas.alice)
    first = scan(client, world, world.participant.badge_code.lower()).json()
    assert first["result"] == "checked_in" and first["name"] == "颂猜·再迪"
    assert first["message"].startswith("颂猜·再迪") and first["message"].endswith("已签到。")
    again = scan(client, world, world.participant.badge_code).json()
    assert again["result"] == "already" and "不重复计数" in again["message"]
    thai = next(d for d in again["delegations"] if "人民关怀党" in d["name"])
    assert (thai["present"], thai["total"]) == (1, 1)
    assert (again["present"], again["total"]) == (1, len(world.participants))
    assert Presence.objects.filter(participant=world.participant).count() == 1
    assert Participant.objects.get(pk=world.participant.pk).status == ParticipantStatus.ATTENDED


def test_a_session_counts_apart_from_the_day(world, login):
    client = login(world.personas.alice)
    scan(client, world, world.participant.badge_code)
    at_session = scan(client, world, world.participant.badge_code, world.session).json()
    assert at_session["result"] == "checked_in"  # present today and, separately, at the plenary
    assert scan(client, world, world.participant.badge_code, world.session).json()["result"] == "already"
    other = world.participants[1]
    assert scan(client, world, other.badge_code, world.session).json()["present"] == 2
    counts = client.get(f"/exchanges/events/{world.event.pk}/checkin/scan/").json()  # the day
    assert counts["present"] == 1
    assert Presence.objects.filter(session=world.session).count() == 2


def test_a_new_day_counts_again(world, login):
    client = login(world.personas.alice)
    scan(client, world, world.participant.badge_code)
    today = timezone.localdate()
    next_morning = timezone.localtime().replace(hour=9, minute=0) + datetime.timedelta(days=1)
    _participant, first = services.check_in(by=world.fay, event=world.event, code=world.participant.badge_code,
                                            now=next_morning)
    assert first
    assert sorted(Presence.objects.filter(participant=world.participant).values_list("day", flat=True)) == [
        today, today + datetime.timedelta(days=1)]


def test_an_unknown_code_and_a_declined_guest_are_said(world, login):
    client = login(world.personas.alice)
    unknown = scan(client, world, "NOPE123")
    assert unknown.status_code == 404 and "NOPE123" in unknown.json()["message"]
    declined = world.participants[2]
    services.participant_set_status(by=world.fay, participant=declined, status=ParticipantStatus.DECLINED)
    refused = scan(client, world, declined.badge_code)
    assert refused.status_code == 409 and refused.json()["result"] == "refused"
    assert not Presence.objects.filter(participant=declined).exists()


def test_a_session_of_another_event_is_refused(world, login):
    other = services.event_create(by=world.fay, kind="seminar", title_zh="另一个研讨会",
                                  starts_on=datetime.date(2026, 11, 21), ends_on=datetime.date(2026, 11, 21))
    foreign = services_programme.session_save(by=world.fay, event=other, day=datetime.date(2026, 11, 21),
                                              starts_at=datetime.time(9), ends_at=datetime.time(10), title_zh="开幕")
    response = scan(login(world.personas.alice), world, world.participant.badge_code, foreign)
    assert response.status_code == 400
    assert not Presence.objects.exists()


def test_the_check_in_page_offers_the_camera_and_the_sessions(world, login):
    text = login(world.personas.alice).get(f"/exchanges/events/{world.event.pk}/checkin/").content.decode()
    assert 'id="checkin-camera"' in text and "exchanges/checkin.js" in text
    assert "全体会议" in text
    assert f'data-scan-url="/exchanges/events/{world.event.pk}/checkin/scan/"' in text


def test_scans_and_pages_cost_the_same_with_ten_times_the_guests(world, login):
    client = login(world.fay)
    urls = [f"/exchanges/events/{world.event.pk}/programme/", f"/exchanges/events/{world.event.pk}/checkin/scan/",
            f"/exchanges/events/{world.event.pk}/invitations/"]

    def cost():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            scan(client, world, world.participant.badge_code)
        return [*counts, len(queries)]

    cost()
    before = cost()
    for i in range(63):
        contact = services.contact_create(by=None, name_latin=f"Guest {i}", name_native=f"Гость {i}",
                                          email=f"g{i}@example.net")
        services.participant_add(by=None, event=world.event, contact=contact, delegation=world.participant.delegation)
    for i in range(9):
        services_programme.session_save(by=world.fay, event=world.event, day=datetime.date(2026, 11, 22),
                                        starts_at=datetime.time(8 + i), ends_at=datetime.time(9 + i), title_zh=f"场次{i}")
    services_programme.invitations_request(by=world.fay, event=world.event)
    assert cost() == before
