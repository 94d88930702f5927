"""Every write of an outbound delegation (出访): the application, its approval, members,
itinerary, briefing, the report and the follow-ups. Kept apart from `services` (the events
received) by topic; the same rules: keyword-only, one transaction, `full_clean()`, the acting
user in the audit trail, state changes on a locked row read afresh."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.core import audit
from branchwork.core.conflicts import Conflict, lock_for_update
from branchwork.exchanges.models import (
    Event,
    EventKind,
    Party,
    Trip,
    TripFollowUp,
    TripMember,
    TripStatus,
    TripStop,
)
from branchwork.exchanges.services import WEB

# The fields of the event a trip's application sets.
EVENT_FIELDS = ("title_zh", "title_en", "starts_on", "ends_on", "place", "host")


@transaction.atomic
def trip_apply(*, by, purpose: str, applicant=None, managers=(), today: datetime.date | None = None,
               source: str = WEB, **event_fields) -> Trip:
    """An application for a delegation abroad: the event (kind "delegation sent") and its trip."""
    with audit.acting_as(by, source=source):
        event = Event(kind=EventKind.DELEGATION_OUT, **event_fields)
        event.full_clean()
        event.save()
        if managers:
            event.managers.set(managers)
        trip = Trip(event=event, purpose=purpose, applied_by=applicant,
                    applied_on=today or timezone.localdate())
        trip.full_clean()
        trip.save()
        return trip


@transaction.atomic
def trip_approve(*, by, trip: Trip, approval_number: str, approved_on: datetime.date,
                 source: str = WEB) -> Trip:
    """Record the approval (its document number). Only an application is approved, once."""
    with audit.acting_as(by, source=source):
        trip = lock_for_update(trip)
        if trip.status != TripStatus.APPLIED:
            raise Conflict(_("This trip was already approved."))
        trip.status = TripStatus.APPROVED
        trip.approval_number = approval_number.strip()
        trip.approved_on = approved_on
        trip.full_clean()
        trip.save()
        return trip


@transaction.atomic
def trip_report_file(*, by, trip: Trip, report, source: str = WEB) -> Trip:
    """The trip report, a research output, filed after the trip (approved trips only)."""
    with audit.acting_as(by, source=source):
        trip = lock_for_update(trip)
        if trip.status == TripStatus.APPLIED:
            raise Conflict(_("A trip files its report only after it was approved."))
        trip.report = report
        trip.status = TripStatus.REPORTED if report is not None else TripStatus.APPROVED
        trip.full_clean()
        trip.save()
        return trip


@transaction.atomic
def trip_member_add(*, by, trip: Trip, person, leads: bool = False, role: str = "",
                    source: str = WEB) -> TripMember:
    with audit.acting_as(by, source=source):
        member = TripMember(trip=trip, person=person, leads=leads, role=role)
        member.full_clean()
        member.save()
        return member


@transaction.atomic
def trip_member_remove(*, by, member: TripMember, source: str = WEB) -> None:
    with audit.acting_as(by, source=source):
        member.delete()


@transaction.atomic
def trip_stop_add(*, by, trip: Trip, country: str, city: str, arrives_on: datetime.date,
                  leaves_on: datetime.date, parties: list[Party] = (), institutions: str = "",
                  source: str = WEB) -> TripStop:
    with audit.acting_as(by, source=source):
        stop = TripStop(trip=trip, country=country, city=city, arrives_on=arrives_on,
                        leaves_on=leaves_on, institutions=institutions)
        stop.full_clean()
        stop.save()
        if parties:
            stop.parties.set(parties)
        return stop


@transaction.atomic
def trip_stop_remove(*, by, stop: TripStop, source: str = WEB) -> None:
    with audit.acting_as(by, source=source):
        stop.delete()


@transaction.atomic
def trip_briefing_set(*, by, trip: Trip, outputs=None, parties=None, source: str = WEB) -> Trip:
    """The briefing materials: research outputs and party pages to read before leaving."""
    with audit.acting_as(by, source=source):
        if outputs is not None:
            trip.briefing_outputs.set(outputs)
        if parties is not None:
            trip.briefing_parties.set(parties)
        return trip


@transaction.atomic
def follow_up_add(*, by, trip: Trip, text: str, owner, due_on: datetime.date,
                  source: str = WEB) -> TripFollowUp:
    with audit.acting_as(by, source=source):
        item = TripFollowUp(trip=trip, text=text, owner=owner, due_on=due_on)
        item.full_clean()
        item.save()
        return item


@transaction.atomic
def follow_up_close(*, by, item: TripFollowUp, note: str = "", today: datetime.date | None = None,
                    source: str = WEB) -> TripFollowUp:
    """Close a follow-up item as done; a closed item is not closed twice (its date stays)."""
    with audit.acting_as(by, source=source):
        item = lock_for_update(item)
        if item.done_on is not None:
            raise Conflict(_("This item was already closed."))
        item.done_on = today or timezone.localdate()
        item.done_note = note
        item.full_clean()
        item.save()
        return item
