"""Who sees what of international exchanges, registered with the one policy (`core.permissions`):

- foreign-affairs staff (the foreign-affairs role, current today, in any active organization)
  and superusers see and change everything here: parties, contacts, events, participants;
- an event's managers (people named on the event) see that event, its delegations and its
  participants, and run it (import, badges, check-in); they see the contacts of their events'
  participants, no other contact;
- members of the institution read the knowledge base of parties (names, countries, families,
  standing) but not the relationship notes, contacts or events;
- outbound delegations (trips) are seen and run by foreign-affairs staff and the managers of
  their event; the people on a trip, and the owners of its follow-up items, read it (their
  itinerary, briefing and follow-ups) and an owner closes their own item;
- the figures (counts, the map) are for foreign-affairs staff and event managers: a year's for
  those who see any event, an event's for those who see the event;
- anyone else, anonymous visitors included, sees nothing here: 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from branchwork.core import permissions
from branchwork.core.models import Membership, Role
from branchwork.exchanges.models import (
    Contact,
    Delegation,
    Event,
    Participant,
    Party,
    Trip,
    TripFollowUp,
    TripMember,
)

_FA_ATTR = "exchanges_foreign_affairs"


def is_foreign_affairs(user) -> bool:
    """Foreign-affairs staff today (or a superuser); read once per request."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    access = permissions.reader(user)
    if access.is_superuser:
        return True
    cached = getattr(access, _FA_ATTR, None)
    if cached is None:
        cached = access.person_id is not None and (
            Membership.objects.current()
            .filter(person_id=access.person_id, role=Role.FOREIGN_AFFAIRS, organization__is_active=True)
            .exists())
        setattr(access, _FA_ATTR, cached)
    return cached


def visible_events(user) -> QuerySet[Event]:
    if is_foreign_affairs(user):
        return Event.objects.all()
    person_id = permissions.reader(user).person_id
    if person_id is None:
        return Event.objects.none()
    return Event.objects.filter(pk__in=Event.objects.filter(managers=person_id).values("pk"))


def manages_any_event(user) -> bool:
    return is_foreign_affairs(user) or visible_events(user).exists()


def visible_participants(user) -> QuerySet[Participant]:
    if is_foreign_affairs(user):
        return Participant.objects.all()
    return Participant.objects.filter(event__in=visible_events(user))


def visible_delegations(user) -> QuerySet[Delegation]:
    if is_foreign_affairs(user):
        return Delegation.objects.all()
    return Delegation.objects.filter(event__in=visible_events(user))


def visible_contacts(user) -> QuerySet[Contact]:
    if is_foreign_affairs(user):
        return Contact.objects.all()
    events = visible_events(user)
    return Contact.objects.filter(
        pk__in=Participant.objects.filter(event__in=events).values("contact_id"))


def visible_parties(user) -> QuerySet[Party]:
    if is_foreign_affairs(user) or permissions.can_read_internal_content(user):
        return Party.objects.all()
    return Party.objects.none()


def can_manage_event(user, event: Event | None) -> bool:
    if is_foreign_affairs(user):
        return True
    if event is None:
        return False
    person_id = permissions.reader(user).person_id
    return person_id is not None and event.managers.filter(pk=person_id).exists()


def can_edit_knowledge(user, obj=None) -> bool:
    """Parties and contacts are kept by foreign-affairs staff."""
    return is_foreign_affairs(user)


def can_read_notes(user, party: Party | None = None) -> bool:
    return is_foreign_affairs(user)


def visible_trips(user) -> QuerySet[Trip]:
    if is_foreign_affairs(user):
        return Trip.objects.all()
    person_id = permissions.reader(user).person_id
    if person_id is None:
        return Trip.objects.none()
    return Trip.objects.filter(
        Q(event__in=visible_events(user))
        | Q(pk__in=TripMember.objects.filter(person_id=person_id).values("trip_id"))
        | Q(pk__in=TripFollowUp.objects.filter(owner_id=person_id).values("trip_id")))


def can_manage_trip(user, trip: Trip | None) -> bool:
    return can_manage_event(user, trip and trip.event)


def visible_follow_ups(user) -> QuerySet[TripFollowUp]:
    return TripFollowUp.objects.filter(trip__in=visible_trips(user))


def can_close_follow_up(user, item: TripFollowUp | None) -> bool:
    """The trip's managers close any item; an owner closes their own."""
    if item is None:
        return False
    person_id = permissions.reader(user).person_id
    return (person_id is not None and item.owner_id == person_id) or can_manage_trip(user, item.trip)


def may_see_figures(user) -> bool:
    return manages_any_event(user)


def register() -> None:
    permissions.register(Party, visible=visible_parties, edit=can_edit_knowledge,
                         read_notes=can_read_notes,
                         read=lambda user, obj: visible_parties(user).exists() if obj is None
                         else visible_parties(user).filter(pk=obj.pk).exists())
    permissions.register(Contact, visible=visible_contacts,
                         detail=lambda qs: qs.select_related("party"), edit=can_edit_knowledge)
    permissions.register(Event, visible=visible_events, manage=can_manage_event,
                         create=lambda user, obj: is_foreign_affairs(user))
    permissions.register(Delegation, visible=visible_delegations,
                         manage=lambda user, obj: can_manage_event(user, obj and obj.event))
    permissions.register(Participant, visible=visible_participants,
                         detail=lambda qs: qs.select_related("event", "contact", "delegation"),
                         manage=lambda user, obj: can_manage_event(user, obj and obj.event))
    permissions.register(Trip, visible=visible_trips,
                         detail=lambda qs: qs.select_related("event", "applied_by", "report"),
                         manage=can_manage_trip,
                         create=lambda user, obj: is_foreign_affairs(user))
    permissions.register(TripFollowUp, visible=visible_follow_ups,
                         detail=lambda qs: qs.select_related("trip__event"),
                         close=can_close_follow_up)
