"""A delegation abroad for tests: Fay (foreign-affairs staff) applied for it; Alice manages it
(she manages the forum of `exchanges_world` too); Dan travels with it; Carol owns one of its
follow-up items. Bob has nothing to do with it. Its purpose and its follow-up items carry
sentinels that only those may read."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from branchwork.exchanges import services, services_trips

PURPOSE = "出访目的 TRIP-PURPOSE-4471"
FOLLOW_UP = "后续事项 TRIP-FOLLOWUP-4471"
CAROL_ITEM = "卡罗尔的事项 TRIP-CAROL-4471"


def trip_world(personas, world) -> SimpleNamespace:
    """`world` is `exchanges_world(personas)` (its Fay and its Thai party)."""
    people = personas.people
    trip = services_trips.trip_apply(
        by=world.fay, purpose=PURPOSE, applicant=None, managers=[people.alice],
        today=datetime.date(2026, 8, 1), title_zh="研究室代表团访问泰国、越南",
        title_en="Research office delegation to Thailand and Viet Nam",
        starts_on=datetime.date(2026, 9, 10), ends_on=datetime.date(2026, 9, 16), place="曼谷、河内")
    services_trips.trip_approve(by=world.fay, trip=trip, approval_number="外审〔2026〕88号",
                                approved_on=datetime.date(2026, 8, 20))
    services_trips.trip_member_add(by=world.fay, trip=trip, person=people.alice, leads=True, role="团长")
    services_trips.trip_member_add(by=world.fay, trip=trip, person=people.dan)
    vnm = services.party_create(by=world.fay, name_zh="越南测试党", name_en="Viet Test Party",
                                name_short="VTP", country="VNM")
    stops = [
        services_trips.trip_stop_add(by=world.fay, trip=trip, country="THA", city="曼谷",
                                     arrives_on=datetime.date(2026, 9, 10), leaves_on=datetime.date(2026, 9, 13),
                                     parties=[world.party], institutions="朱拉隆功大学"),
        services_trips.trip_stop_add(by=world.fay, trip=trip, country="VNM", city="河内",
                                     arrives_on=datetime.date(2026, 9, 14), leaves_on=datetime.date(2026, 9, 16),
                                     parties=[vnm]),
    ]
    item = services_trips.follow_up_add(by=world.fay, trip=trip, text=FOLLOW_UP, owner=people.dan,
                                        due_on=datetime.date(2026, 12, 1))
    carol_item = services_trips.follow_up_add(by=world.fay, trip=trip, text=CAROL_ITEM, owner=people.carol,
                                              due_on=datetime.date(2026, 12, 15))
    return SimpleNamespace(trip=trip, stops=stops, item=item, carol_item=carol_item, vnm=vnm)
