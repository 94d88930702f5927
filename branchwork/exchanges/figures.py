"""The figures of international exchanges, counted from the records: for a year (events that
start in it) or for one event.

Parties, countries and representatives come from the delegations and participants of the events
(representatives: participants who did not decline), grouped by region (`countries.region_of`)
and party family; events by kind (delegations received and sent among them); the countries
visited and the parties met on the office's own trips; the sessions of the events' timetables;
the activities of organizational life held within the events (each once, however many events it
belongs to). A fixed number of grouped queries, whatever the number of events or participants.
Other apps add counts with `register_count(fn)`: `fn(events)` gets the queryset of the events
counted and returns a `Row` or None.

The page, the XLSX, `branchwork exchange_figures` and `/api/v1/exchanges/figures/` all show
`Figures.as_dict()`'s numbers.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _, pgettext

from branchwork.core.exports import Sheet, workbook_bytes
from branchwork.exchanges import countries
from branchwork.exchanges.models import (
    Delegation,
    Event,
    EventKind,
    Participant,
    ParticipantStatus,
    PartyFamily,
    TripStop,
)
from branchwork.exchanges.programme_models import Session
from branchwork.research.figures import Row, Section  # the research figures' shapes, shared


@dataclass
class Figures:
    year: int | None
    event: Event | None
    summary: list[Row]
    sections: list[Section]
    engaged: list[str]  # ISO alpha-3 codes of the countries engaged (delegations and visits)

    @property
    def heading(self) -> str:
        if self.event is not None:
            return self.event.title
        return _("Exchanges in %(year)s") % {"year": self.year}

    def count(self, code: str) -> int:
        return next(r.count for r in self.summary if r.code == code)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "event": self.event.pk if self.event is not None else None,
            "heading": self.heading,
            "summary": [asdict(r) for r in self.summary],
            "sections": [asdict(s) for s in self.sections],
            "countries_engaged": self.engaged,
        }


_extra_counts: list[Callable[[QuerySet[Event]], Row | None]] = []


def register_count(fn: Callable[[QuerySet[Event]], Row | None]) -> None:
    """Add a headline count another part computes over the events counted."""
    if fn not in _extra_counts:
        _extra_counts.append(fn)


def unregister_count(fn) -> None:
    if fn in _extra_counts:
        _extra_counts.remove(fn)


def year_events(year: int) -> QuerySet[Event]:
    # A date range the index serves (`__year` is a function per row on SQLite).
    return Event.objects.filter(starts_on__gte=datetime.date(year, 1, 1),
                                starts_on__lte=datetime.date(year, 12, 31))


def yearly(year: int) -> Figures:
    return _figures(year_events(year), year=year, event=None)


def for_event(event: Event) -> Figures:
    return _figures(Event.objects.filter(pk=event.pk), year=None, event=event)


def _figures(events: QuerySet[Event], *, year: int | None, event: Event | None) -> Figures:
    ids = events.values("pk")
    kinds = {r["kind"]: r["n"] for r in events.values("kind").annotate(n=Count("pk")).order_by()}
    delegations = list(Delegation.objects.filter(event__in=ids)
                       .values("country", "party_id", "party__family").annotate(n=Count("pk")).order_by())
    people = {r["delegation__country"]: r["n"] for r in Participant.objects.filter(event__in=ids)
              .exclude(status=ParticipantStatus.DECLINED)
              .values("delegation__country").annotate(n=Count("pk")).order_by()}
    visited = {r["country"]: r["n"] for r in TripStop.objects.filter(trip__event__in=ids)
               .values("country").annotate(n=Count("trip", distinct=True)).order_by()}
    parties_met = (TripStop.parties.through.objects.filter(tripstop__trip__event__in=ids)
                   .values("party_id").distinct().count())
    activities = (Event.activities.through.objects.filter(event__in=ids)
                  .values("activity_id").distinct().count())
    sessions = Session.objects.filter(event__in=ids).count()

    party_ids = {d["party_id"] for d in delegations if d["party_id"]}
    delegation_countries = {d["country"] for d in delegations if d["country"]}
    families: dict[str, set[int]] = defaultdict(set)
    for d in delegations:
        if d["party_id"]:
            families[d["party__family"] or PartyFamily.OTHER].add(d["party_id"])

    summary = [
        Row("events", _("Events"), sum(kinds.values())),
        Row("sessions", _("Sessions"), sessions),
        Row("parties", _("Parties"), len(party_ids)),
        Row("countries", _("Countries"), len(delegation_countries)),
        Row("representatives", _("Representatives"), sum(people.values())),
        Row("delegations", _("Delegations at the events"), sum(d["n"] for d in delegations)),
        Row("delegations_received", _("Delegations received"), kinds.get(EventKind.DELEGATION_IN, 0)),
        Row("delegations_sent", _("Delegations sent"), kinds.get(EventKind.DELEGATION_OUT, 0)),
        Row("countries_visited", _("Countries visited"), len(visited)),
        Row("parties_met", _("Parties met abroad"), parties_met),
        Row("activities", _("Activities of organizational life"), activities),
    ]
    for fn in _extra_counts:
        extra = fn(events)
        if extra is not None:
            summary.append(extra)

    sections = [
        Section("events_by_kind", _("Events by kind"),
                [Row(v, str(label), kinds.get(v, 0)) for v, label in EventKind.choices]),
        Section("countries_by_region", _("Countries by region"),
                _by_region({c: 1 for c in delegation_countries}),
                note=_("Countries of the delegations at the events.")),
        Section("representatives_by_region", _("Representatives by region"), _by_region(people),
                note=_("Participants who did not decline, by their delegation's country.")),
        Section("parties_by_family", _("Parties by family"),
                [Row(v, str(label), len(families.get(v, ()))) for v, label in PartyFamily.choices]),
        Section("countries_visited", _("Countries visited"),
                sorted((Row(c, countries.name(c), n) for c, n in visited.items()),
                       key=lambda r: (-r.count, r.code)),
                note=_("Delegations sent, by the countries of their itinerary.")),
    ]
    engaged = sorted((delegation_countries | set(visited)) - {""})
    return Figures(year=year, event=event, summary=summary, sections=sections, engaged=engaged)


def _by_region(counts: dict[str | None, int]) -> list[Row]:
    totals: dict[str, int] = defaultdict(int)
    for code, n in counts.items():
        totals[countries.region_of(code or "").code] += n
    regions = countries.regions()
    rows = [Row(code, region.name, totals.get(code, 0)) for code, region in regions.items()]
    known = set(regions)
    rows.extend(Row(code, code, n) for code, n in totals.items() if code not in known)
    return rows


# --- Presentations: XLSX, a text table ---


def xlsx(figures: Figures) -> bytes:
    rows = [[pgettext("exchanges", "Summary"), r.name, r.count] for r in figures.summary]
    for s in figures.sections:
        rows.extend([s.title, r.name, r.count] for r in s.rows)
        rows.append([s.title, _("Total"), s.total])
    engaged = [[_("Countries engaged"), countries.name(c), c] for c in figures.engaged]
    return workbook_bytes([
        Sheet(_("Figures"), [_("Section"), _("Item"), _("Count")], rows),
        Sheet(_("Countries engaged"), [_("Section"), _("Country"), _("Code")], engaged),
    ], title=figures.heading)


def table(figures: Figures) -> str:
    lines = [figures.heading, ""]
    width = max([len(r.name) for r in figures.summary] + [4])
    lines.extend(f"  {r.name:<{width}}  {r.count:>6}" for r in figures.summary)
    for s in figures.sections:
        lines.append("")
        lines.append(f"{s.title}: {s.total}")
        width = max([len(r.name) for r in s.rows] + [4])
        lines.extend(f"  {r.name:<{width}}  {r.count:>6}" for r in s.rows)
    return "\n".join(lines)
