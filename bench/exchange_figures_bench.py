"""How long the yearly figures of international exchanges take (issue 16: ≤ 300 ms median over
10 years of events: 2,000 events, 100,000 participations).

500 parties in 100 countries; 200 events a year over 10 years (forums, dialogues, seminars,
delegations received; every tenth a delegation sent, with a two-country itinerary), each with
5 delegations sharing 100,000 participations evenly (one in ten declined). Rows are
written in bulk (a data generator, not a record of work). Timed: `exchanges.figures.yearly`
for the last full year, one event's figures, and the figures page as a superuser sees it.

    python bench/exchange_figures_bench.py --repeat 7 --out exchange_figures.json   # normally through run.py
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
import time
from pathlib import Path

from generate import setup_django

BUDGET_S = 0.300


def generate(*, years: int, per_year: int, delegations: int, participations: int, last_year: int):
    from branchwork.exchanges import countries
    from branchwork.exchanges.models import (
        Contact, Delegation, Event, EventKind, Participant, ParticipantStatus, Party, PartyFamily, Trip, TripStop)

    rng = random.Random(16)
    codes = sorted(c.alpha3 for c in countries.current_countries())[:100]
    families = [v for v, _label in PartyFamily.choices]
    Party.objects.bulk_create([Party(name_en=f"Bench party {i}", country=codes[i % len(codes)],
                                     family=families[i % len(families)]) for i in range(500)], batch_size=500)
    parties = list(Party.objects.order_by("pk"))
    guest_events = years * per_year - years * (per_year // 10)
    people = participations // (guest_events * delegations) + 1  # the largest delegation
    per_event = delegations * people
    Contact.objects.bulk_create([Contact(name_latin=f"Bench guest {i}") for i in range(per_event * 4)],
                                batch_size=1000)
    contacts = list(Contact.objects.order_by("pk").values_list("pk", flat=True))
    kinds = [EventKind.FORUM, EventKind.DIALOGUE, EventKind.SEMINAR, EventKind.DELEGATION_IN]
    first_year = last_year - years + 1
    events = []
    for year in range(first_year, last_year + 1):
        for j in range(per_year):
            day = datetime.date(year, 1 + j % 12, 1 + j % 28)
            kind = EventKind.DELEGATION_OUT if j % 10 == 9 else kinds[j % len(kinds)]
            events.append(Event(kind=kind, title_zh=f"活动{year}-{j}", starts_on=day, ends_on=day))
    Event.objects.bulk_create(events, batch_size=1000)
    events = list(Event.objects.order_by("pk"))
    trips = [Trip(event=e, purpose="交流", applied_on=e.starts_on) for e in events if e.kind == EventKind.DELEGATION_OUT]
    Trip.objects.bulk_create(trips, batch_size=1000)
    stops = []
    for trip in Trip.objects.select_related("event"):
        for _k in range(2):
            stops.append(TripStop(trip=trip, country=rng.choice(codes), city="城市",
                                  arrives_on=trip.event.starts_on, leaves_on=trip.event.ends_on))
    TripStop.objects.bulk_create(stops, batch_size=1000)
    guests = [e for e in events if e.kind != EventKind.DELEGATION_OUT]
    dels = []
    for e in guests:
        for party in rng.sample(parties, delegations):
            dels.append(Delegation(event=e, party=party, country=party.country))
    Delegation.objects.bulk_create(dels, batch_size=1000)
    total, batch = 0, []
    statuses = [ParticipantStatus.CONFIRMED] * 9 + [ParticipantStatus.DECLINED]
    rows = list(Delegation.objects.order_by("pk").values_list("pk", "event_id"))
    base, extra = divmod(participations, len(rows))
    for i, d in enumerate(rows):
        start = (i % delegations) * people + (i // delegations % 4) * per_event
        for k in range(base + (1 if i < extra else 0)):
            batch.append(Participant(event_id=d[1], delegation_id=d[0], contact_id=contacts[(start + k) % len(contacts)],
                                     status=statuses[k % 10], badge_code=f"B{total:09d}"))
            total += 1
        if len(batch) >= 5000:
            Participant.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Participant.objects.bulk_create(batch, batch_size=5000)
    return len(events), total


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--per-year", type=int, default=200)
    parser.add_argument("--delegations", type=int, default=5)
    parser.add_argument("--participations", type=int, default=100_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from branchwork.core.testing import verify_session
    from branchwork.exchanges import figures
    from branchwork.exchanges.models import Event, Participant, ParticipantStatus

    year = timezone.localdate().year
    started = time.perf_counter()
    events, participations = generate(years=args.years, per_year=args.per_year, delegations=args.delegations,
                                      participations=args.participations, last_year=year - 1)
    generated = time.perf_counter() - started
    label = f"{args.years} years, {events} events, {participations} participations"
    metrics = []

    def timed(fn):
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = fn()
            runs.append(time.perf_counter() - start)
        return runs, result

    runs, result = timed(lambda: figures.yearly(year - 1))
    want = (Participant.objects.filter(event__starts_on__year=year - 1)
            .exclude(status=ParticipantStatus.DECLINED).count())
    assert result.count("representatives") == want, (result.count("representatives"), want)
    metrics.append({"name": "exchange_figures_year", "label": f"exchanges.figures.yearly ({label})",
                    "budget_s": BUDGET_S, "runs_s": runs})
    event = Event.objects.filter(starts_on__year=year - 1).exclude(kind="delegation_out").first()
    runs, _ = timed(lambda: figures.for_event(event))
    metrics.append({"name": "exchange_figures_event", "label": f"exchanges.figures.for_event ({label})",
                    "budget_s": BUDGET_S, "runs_s": runs})

    admin = get_user_model().objects.create_superuser("bench-admin", "admin@bench.example", "bench-not-a-secret")
    client = Client()
    client.force_login(admin, backend="branchwork.core.auth.UsernameOrEmailBackend")
    verify_session(client, admin)
    url = f"/exchanges/figures/?year={year - 1}"
    runs, response = timed(lambda: client.get(url))
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    metrics.append({"name": "exchange_figures_page", "label": f"Exchanges figures page ({label})",
                    "budget_s": None, "runs_s": runs})
    out = {
        "benchmark": "exchange_figures",
        "data": {"year": year - 1, "events": events, "participations": participations,
                 "generate_s": round(generated, 2), "page": {"url": url, "queries": len(queries)}},
        "notes": [],
        "metrics": metrics,
    }
    if args.out:
        args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2))
    return out


if __name__ == "__main__":
    outcome = main()
    if "--out" not in sys.argv:
        print(json.dumps(outcome, ensure_ascii=False, indent=2))
