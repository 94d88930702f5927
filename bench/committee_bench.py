"""How long the committee's table of its branches takes (issue 3: ≤ 300 ms over 100 branches).

A committee with 100 branches, each with a year (this year, up to yesterday) of 80 locked
activities with 40 expected members. Timed: the page as a logged-in superuser sees it
(`activities:committee` with ?year=, through Django's test client: middleware, view, queries
and template, no network), and the selector it is built on,
`selectors.compliance(list(selectors.branches_under(committee)), year)`.

    python bench/committee_bench.py --repeat 7 --out committee.json   # normally through run.py
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from generate import generate, setup_django

BUDGET_S = 0.300


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--branches", type=int, default=100)
    parser.add_argument("--activities", type=int, default=80)
    parser.add_argument("--attendees", type=int, default=40)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from branchwork.activities import selectors

    year = timezone.localdate().year
    data = generate(branches=args.branches, activities=args.activities,
                    attendees=args.attendees, year=year, photos=False, code="bench-cmte")
    committee = data.committee
    label = f"{args.branches} branches × {args.activities} activities × {args.attendees} attendees"
    metrics, notes = [], []

    try:
        url = reverse("activities:committee", args=[committee.code]) + f"?year={year}"
    except NoReverseMatch:
        url = None
        notes.append("activities:committee is not routed yet: the page was not measured.")
    page = {}
    if url:
        admin = get_user_model().objects.create_superuser("bench-admin", "admin@bench.example",
                                                          "bench-not-a-secret")
        client = Client()
        client.force_login(admin, backend="branchwork.core.auth.UsernameOrEmailBackend")
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(url)
            runs.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")
        body = response.content.decode()
        missing = [b.name_zh for b in data.branches if b.name_zh not in body]
        if missing:
            raise SystemExit(f"The table lacks {len(missing)} branches, e.g. {missing[0]}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        page = {"url": url, "queries": len(queries), "bytes": len(response.content)}
        metrics.append({"name": "committee_page", "label": f"Committee table page ({label})",
                        "budget_s": BUDGET_S, "runs_s": runs})

    runs = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        table = selectors.compliance(list(selectors.branches_under(committee)), year)
        runs.append(time.perf_counter() - start)
    assert len(table) == args.branches
    metrics.append({"name": "committee_selector",
                    "label": f"selectors.compliance over the branches ({label})",
                    "budget_s": None if url else BUDGET_S, "runs_s": runs})

    result = {
        "benchmark": "committee",
        "data": {"year": year, "branches": len(data.branches), "activities": data.activities,
                 "attendance_rows": data.attendance, "credits": data.credits,
                 "generate_s": round(data.seconds, 2), "page": page},
        "notes": notes,
        "metrics": metrics,
    }
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    outcome = main()
    if "--out" not in sys.argv:
        print(json.dumps(outcome, ensure_ascii=False, indent=2))
