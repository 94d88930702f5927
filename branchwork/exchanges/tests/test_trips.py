"""Outbound delegations: the application approved once with its document number, the report
filed after approval, follow-ups closed once; who sees and runs a trip's page."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from branchwork.core.conflicts import Conflict
from branchwork.core.models import AuditEntry
from branchwork.exchanges import services_trips
from branchwork.exchanges.models import EventKind, Trip, TripStatus
from branchwork.exchanges.testing import exchanges_world
from branchwork.exchanges.testing_trips import CAROL_ITEM, FOLLOW_UP, PURPOSE, trip_world
from branchwork.research import testing as research_testing


@pytest.fixture
def world(personas):
    w = exchanges_world(personas)
    w.personas = personas
    w.trips = trip_world(personas, w)
    w.trip = w.trips.trip
    return w


def _application(w, **extra):
    return services_trips.trip_apply(
        by=w.fay, purpose="交流", title_zh="出访申请", starts_on=datetime.date(2026, 12, 1),
        ends_on=datetime.date(2026, 12, 5), today=datetime.date(2026, 11, 1), **extra)


def test_an_application_is_an_event_of_the_kind_delegation_sent_and_is_audited(world):
    trip = _application(world)
    assert trip.event.kind == EventKind.DELEGATION_OUT and trip.status == TripStatus.APPLIED
    assert trip.applied_on == datetime.date(2026, 11, 1)
    assert AuditEntry.objects.filter(content_type__model="trip", object_id=str(trip.pk)).exists()


def test_an_approval_needs_its_document_number(world):
    trip = _application(world)
    with pytest.raises(ValidationError):
        services_trips.trip_approve(by=world.fay, trip=trip, approval_number="  ",
                                    approved_on=datetime.date(2026, 11, 5))


def test_a_trip_is_approved_once(world):
    trip = _application(world)
    services_trips.trip_approve(by=world.fay, trip=trip, approval_number="外审〔2026〕90号",
                                approved_on=datetime.date(2026, 11, 5))
    with pytest.raises(Conflict):
        services_trips.trip_approve(by=world.fay, trip=Trip.objects.get(pk=trip.pk), approval_number="另一号",
                                    approved_on=datetime.date(2026, 11, 6))
    assert Trip.objects.get(pk=trip.pk).approval_number == "外审〔2026〕90号"


def test_a_report_waits_for_the_approval(world):
    research = research_testing.research_world(world.personas)
    trip = _application(world)
    with pytest.raises(Conflict):
        services_trips.trip_report_file(by=world.fay, trip=trip, report=research.report)
    filed = services_trips.trip_report_file(by=world.fay, trip=world.trip, report=research.report)
    assert filed.status == TripStatus.REPORTED and filed.report == research.report


def test_a_follow_up_is_closed_once_and_keeps_its_first_date(world):
    item = world.trips.item
    services_trips.follow_up_close(by=world.fay, item=item, note="已办", today=datetime.date(2026, 10, 1))
    with pytest.raises(Conflict):
        services_trips.follow_up_close(by=world.fay, item=item, today=datetime.date(2026, 10, 9))
    item.refresh_from_db()
    assert item.done_on == datetime.date(2026, 10, 1) and item.done_note == "已办"


def _url(w):
    return f"/exchanges/trips/{w.trip.pk}/"


@pytest.mark.parametrize("persona", ["fay", "alice", "dan", "carol"])
def test_staff_managers_members_and_owners_read_the_trip(world, login, persona):
    user = world.fay if persona == "fay" else getattr(world.personas, persona)
    response = login(user).get(_url(world))
    assert response.status_code == 200
    text = response.content.decode()
    assert PURPOSE in text and FOLLOW_UP in text and "外审〔2026〕88号" in text and "朱拉隆功大学" in text
    assert world.party.name_zh in text


def test_others_get_404_and_the_anonymous_log_in(world, login, client):
    client = login(world.personas.bob)
    for url in (_url(world), "/exchanges/trips/", f"/exchanges/follow-ups/{world.trips.item.pk}/close/"):
        assert client.get(url).status_code == 404, url
    client.logout()
    response = client.get(_url(world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_member_of_the_trip_cannot_change_it(world, login):
    client = login(world.personas.dan)
    response = client.post(_url(world), {"action": "follow_up", "text": "x", "owner": world.personas.people.dan.pk,
                                         "due_on": "2026-12-01"})
    assert response.status_code == 404
    assert world.trip.follow_ups.count() == 2


def test_the_manager_adds_a_stop_naming_parties_by_short_name(world, login):
    client = login(world.personas.alice)
    response = client.post(_url(world), {"action": "stop", "country": "THA", "city": "清迈",
                                         "arrives_on": "2026-09-16", "leaves_on": "2026-09-16",
                                         "parties": "PRP", "institutions": ""})
    assert response.status_code == 302
    stop = world.trip.stops.get(city="清迈")
    assert list(stop.parties.all()) == [world.party]
    response = client.post(_url(world), {"action": "stop", "country": "THA", "city": "普吉",
                                         "arrives_on": "2026-09-16", "leaves_on": "2026-09-16",
                                         "parties": "VTP"})  # a Vietnamese party, not Thai
    assert response.status_code == 400 and "VTP" in response.content.decode()


def test_an_owner_closes_her_item_but_not_another(world, login):
    client = login(world.personas.carol)
    client.post(f"/exchanges/follow-ups/{world.trips.carol_item.pk}/close/", {"note": "办结"})
    world.trips.carol_item.refresh_from_db()
    assert world.trips.carol_item.done_on is not None
    client.post(f"/exchanges/follow-ups/{world.trips.item.pk}/close/", {"note": "x"})
    world.trips.item.refresh_from_db()
    assert world.trips.item.done_on is None
    assert CAROL_ITEM in client.get(_url(world)).content.decode()


def test_the_briefing_shows_only_the_outputs_the_reader_may_read(world, login):
    research = research_testing.research_world(world.personas)
    services_trips.trip_briefing_set(by=world.fay, trip=world.trip, outputs=[research.report, research.restricted],
                                     parties=[world.party])
    # Carol (branch B; she owns an item) reads neither of branch A's outputs; Bob reads both.
    response = login(world.personas.carol).get(_url(world))
    text = response.content.decode()
    assert research_testing.RESTRICTED_TITLE not in text and research.report.title not in text
    assert response.context["briefing_hidden"] == 2  # counted, not named
    text = login(world.fay).get(_url(world)).content.decode()
    assert world.party.name_zh in text


def test_the_trip_page_costs_the_same_with_ten_times_the_itinerary(world, login, django_assert_max_num_queries):
    client = login(world.personas.alice)
    client.get(_url(world))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        assert client.get(_url(world)).status_code == 200
    for i in range(20):
        services_trips.trip_stop_add(by=world.fay, trip=world.trip, country="VNM", city=f"城市{i}",
                                     arrives_on=datetime.date(2026, 9, 14), leaves_on=datetime.date(2026, 9, 16),
                                     parties=[world.trips.vnm])
        services_trips.follow_up_add(by=world.fay, trip=world.trip, text=f"事项{i}",
                                     owner=world.personas.people.dan, due_on=datetime.date(2026, 12, 1))
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(_url(world)).status_code == 200
