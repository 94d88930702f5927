"""The demo's delegations abroad and received (data in demo/trips.yaml, written by us): 11 trips
to 20 countries over 2025 and 2026, approved, with members, itineraries meeting the demo's
parties, briefing party pages and follow-ups (those of 2025 closed), so that the figures and the
world map have something to show. Keyed on the first trip's title: loading again changes nothing.
Runs after the forum's part (`wagtail_hooks`), whose parties it meets."""

from __future__ import annotations

import datetime

from django.db import transaction

from branchwork.core import demo as core_demo
from branchwork.core.models import Person
from branchwork.exchanges import services, services_trips
from branchwork.exchanges.models import Event, EventKind, Party

_DATA = core_demo.read_data(__file__, "trips.yaml")


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


@transaction.atomic
def load_demo(*, stdout=None) -> None:
    specs = _DATA["trips"]
    if Event.objects.filter(title_zh=specs[0]["title_zh"]).exists():
        return
    staff = Person.objects.filter(name_en="Xu Liping").first()
    manager = Person.objects.filter(name_en="Gao Yuan").first()
    party_of = {}
    for party in Party.objects.order_by("pk"):
        party_of.setdefault(party.country, party)
    visited = set()
    for spec in specs:
        starts, ends = _date(spec["starts_on"]), _date(spec["ends_on"])
        trip = services_trips.trip_apply(
            by=None, source="demo", purpose=f"{spec['title_zh']}，就政党建设和治国理政经验开展交流。",
            applicant=staff, managers=[manager] if manager else [], today=starts - datetime.timedelta(days=45),
            title_zh=spec["title_zh"], title_en=spec["title_en"], starts_on=starts, ends_on=ends,
            place="、".join(stop[1] for stop in spec["stops"]), host="研究室")
        services_trips.trip_approve(by=None, source="demo", trip=trip, approval_number=spec["approval"],
                                    approved_on=starts - datetime.timedelta(days=20))
        for person, leads in ((manager, True), (staff, False)):
            if person is not None:
                services_trips.trip_member_add(by=None, source="demo", trip=trip, person=person, leads=leads)
        day = starts
        per_stop = max(1, ((ends - starts).days + 1) // len(spec["stops"]))
        briefing = []
        for country, city, institutions in spec["stops"]:
            leaves = min(ends, day + datetime.timedelta(days=per_stop - 1))
            party = party_of.get(country)
            services_trips.trip_stop_add(by=None, source="demo", trip=trip, country=country, city=city,
                                         arrives_on=day, leaves_on=leaves, institutions=institutions,
                                         parties=[party] if party else [])
            if party:
                briefing.append(party)
            visited.add(country)
            day = min(ends, leaves + datetime.timedelta(days=1))
        services_trips.trip_briefing_set(by=None, source="demo", trip=trip, parties=briefing)
        if staff is not None:
            item = services_trips.follow_up_add(by=None, source="demo", trip=trip, text=spec["follow_up"],
                                                owner=staff, due_on=ends + datetime.timedelta(days=60))
            if starts.year == 2025:
                services_trips.follow_up_close(by=None, source="demo", item=item, note="已完成",
                                               today=ends + datetime.timedelta(days=30))
    for spec in _DATA["received"]:
        event = services.event_create(
            by=None, kind=EventKind.DELEGATION_IN, title_zh=spec["title_zh"], title_en=spec["title_en"],
            starts_on=_date(spec["starts_on"]), ends_on=_date(spec["ends_on"]), place="北京", host="研究室",
            managers=[manager] if manager else [])
        services.delegation_add(by=None, event=event, country=spec["country"], party=party_of.get(spec["country"]))
    if stdout is not None:
        stdout.write(f"exchanges: {len(specs)} delegations sent to {len(visited)} countries, "
                     f"{len(_DATA['received'])} received")
