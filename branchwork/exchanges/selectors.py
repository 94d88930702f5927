"""Reads the exchanges pages share, each in a constant number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from branchwork.core import permissions
from branchwork.exchanges import permissions as rules
from branchwork.exchanges.models import Contact, Delegation, Event, Participant, Party


def parties(user, query: str = "") -> QuerySet[Party]:
    qs = permissions.visible(user, Party)
    query = query.strip()
    if query:
        qs = qs.filter(Q(name_zh__icontains=query) | Q(name_native__icontains=query)
                       | Q(name_en__icontains=query) | Q(name_short__iexact=query)
                       | Q(country__iexact=query))
    return qs


@dataclass(frozen=True)
class TimelineEntry:
    day: datetime.date | None
    kind: str
    text: str
    url: str


def party_timeline(user, party: Party) -> list[TimelineEntry]:
    """Everything the office has had with the party that this user may see, newest first."""
    entries = []
    for status in party.statuses.all():
        entries.append(TimelineEntry(status.since, "status", status.get_standing_display(), ""))
    delegations = (permissions.visible(user, Delegation).filter(party=party)
                   .select_related("event").annotate(people=Count("participants")))
    for delegation in delegations:
        event = delegation.event
        entries.append(TimelineEntry(event.starts_on, event.kind, event.title, event.get_absolute_url()))
    return sorted(entries, key=lambda e: (e.day is None, e.day), reverse=True)


def event_participants(event: Event) -> QuerySet[Participant]:
    return (event.participants.select_related("contact", "delegation__party")
            .order_by("delegation__country", "contact__name_latin", "pk"))


def checkin_counts(event: Event, *, day: datetime.date | None = None, session=None) -> list[dict]:
    """Per delegation: how many participants, how many present (one aggregate): at `session`,
    else on `day`, else ever checked in."""
    if session is not None:
        seen = Q(presences__session=session)
    elif day is not None:
        seen = Q(presences__day=day, presences__session__isnull=True)
    else:
        seen = Q(checked_in_at__isnull=False)
    rows = (event.participants.values("delegation_id", "delegation__country", "delegation__party__name_zh",
                                      "delegation__party__name_en")
            .annotate(total=Count("pk", distinct=True), present=Count("pk", filter=seen, distinct=True))
            .order_by("delegation__country", "delegation_id"))
    return list(rows)


def contacts(user) -> QuerySet[Contact]:
    return permissions.visible(user, Contact).select_related("party")


def may_use(user) -> bool:
    return rules.is_foreign_affairs(user) or rules.manages_any_event(user) or \
        permissions.visible(user, Party).exists()
