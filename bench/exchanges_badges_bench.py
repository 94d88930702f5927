"""How long badges and check-in take (issue 16: badges for 500 participants ≤ 10 s; a check-in
scan answered ≤ 50 ms median).

A forum with 500 participants in 50 delegations, their names in their own scripts (Thai,
Cyrillic, Arabic, Devanagari, Khmer, Chinese, long Latin names; `exchanges.testing.NAMES`, each
numbered). Timed: `badges.badges_pdf` for all 500 (A4 sheets, QR codes included), and the scan
endpoint of the check-in page (`exchanges:checkin_scan`, POST of a badge code through Django's
test client as a logged-in superuser: middleware, lock, insert, counts per delegation, JSON),
one scan per participant, first scans and repeats.

    python bench/exchanges_badges_bench.py --repeat 7 --out exchanges_badges.json   # normally through run.py
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

from generate import setup_django

BADGES_BUDGET_S = 10.0
SCAN_BUDGET_S = 0.050


def generate(participants: int):
    from branchwork.exchanges import services
    from branchwork.exchanges.models import Contact, Delegation, EventKind, Participant, ParticipantStatus
    from branchwork.exchanges.testing import NAMES

    event = services.event_create(by=None, kind=EventKind.FORUM, title_zh="基准世界政党论坛",
                                  title_en="Bench World Parties Forum", starts_on=datetime.date(2026, 11, 20),
                                  ends_on=datetime.date(2026, 11, 22), place="北京")
    countries = ["THA", "RUS", "EGY", "IND", "KHM", "SGP", "BRA", "VNM", "LAO", "ZAF"]
    delegations = Delegation.objects.bulk_create(
        [Delegation(event=event, country=countries[i % len(countries)]) for i in range(50)])
    contacts = Contact.objects.bulk_create([
        Contact(name_native=f"{NAMES[i % len(NAMES)][0]} {i}", name_latin=f"{NAMES[i % len(NAMES)][1]} {i}",
                name_zh=f"{NAMES[i % len(NAMES)][2]}{i}") for i in range(participants)])
    Participant.objects.bulk_create([
        Participant(event=event, contact=c, delegation=delegations[i % len(delegations)],
                    status=ParticipantStatus.CONFIRMED, badge_code=f"B{i:09d}") for i, c in enumerate(contacts)])
    return event


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--scans", type=int, default=60)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from branchwork.core.testing import verify_session
    from branchwork.exchanges import badges, selectors

    started = time.perf_counter()
    event = generate(args.participants)
    generated = time.perf_counter() - started
    participants = list(selectors.event_participants(event).select_related("contact__party"))
    metrics = []

    runs = []
    for _ in range(max(2, min(args.repeat, 4))):  # each run is seconds: four are enough for a median
        start = time.perf_counter()
        pdf = badges.badges_pdf(event, participants)
        runs.append(time.perf_counter() - start)
    metrics.append({"name": "exchanges_badges_500", "budget_s": BADGES_BUDGET_S, "runs_s": runs,
                    "label": f"Badges PDF, A4 sheets, {len(participants)} participants in every script"})

    admin = get_user_model().objects.create_superuser("bench-admin", "admin@bench.example", "bench-not-a-secret")
    client = Client()
    client.force_login(admin, backend="branchwork.core.auth.UsernameOrEmailBackend")
    verify_session(client, admin)
    url = f"/exchanges/events/{event.pk}/checkin/scan/"
    client.get(url)  # the session's first request writes it
    first, repeat = [], []
    codes = [p.badge_code for p in participants[: args.scans]]
    for code in codes:
        start = time.perf_counter()
        response = client.post(url, {"code": code})
        first.append(time.perf_counter() - start)
        if response.status_code != 200 or response.json()["result"] != "checked_in":
            raise SystemExit(f"scan of {code}: {response.status_code} {response.content[:200]!r}")
    for code in codes[: args.scans // 2]:
        start = time.perf_counter()
        response = client.post(url, {"code": code})
        repeat.append(time.perf_counter() - start)
        assert response.json()["result"] == "already"
    with CaptureQueriesContext(connection) as queries:
        client.post(url, {"code": participants[-1].badge_code})
    metrics.append({"name": "exchanges_scan_first", "budget_s": SCAN_BUDGET_S, "runs_s": first,
                    "label": f"Check-in scan (first scan of a badge), {len(participants)} participants"})
    metrics.append({"name": "exchanges_scan_repeat", "budget_s": SCAN_BUDGET_S, "runs_s": repeat,
                    "label": "Check-in scan (a repeat, said and not counted)"})

    out = {
        "benchmark": "exchanges_badges",
        "data": {"participants": len(participants), "delegations": 50, "generate_s": round(generated, 2),
                 "badges_pdf_bytes": len(pdf), "scan": {"url": url, "queries": len(queries)}},
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
