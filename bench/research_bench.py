"""How long the yearly research figures take (issue 15: ≤ 200 ms median over 100 organizations ×
10 years, 50,000 outputs).

A committee with 100 branches; each branch has 50 outputs a year over 10 years (50,000 in all),
every fifth submitted (half of those with an instruction), every fourth published (some as
reprints), and 5 topics a year. Rows are written in bulk (this is a data generator, not a record
of work). Timed: `research.figures.yearly(committee, year)` (the committee and everything under
it), the same for one branch, and the figures page as a superuser sees it through Django's test
client.

    python bench/research_bench.py --repeat 7 --out research.json   # normally through run.py
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

from generate import setup_django

BUDGET_S = 0.200


def generate(*, branches: int, years: int, per_year: int, last_year: int):
    from branchwork.core.models import Organization, OrganizationKind
    from branchwork.research import services
    from branchwork.research.models import (
        Instruction, Outlet, OutletTier, Output, OutputKind, Publication, Submission, Topic)

    services.ensure_default_kinds()
    committee = Organization.add_root(instance=Organization(
        code="bench-research", kind=OrganizationKind.COMMITTEE, name_zh="基准机关党委", name_en="Bench committee"))
    orgs = [committee.add_child(instance=Organization(
        code=f"bench-r{i:03d}", kind=OrganizationKind.BRANCH, name_zh=f"基准支部{i}", name_en=f"Bench {i}"))
        for i in range(branches)]
    kinds = list(OutputKind.objects.all())
    outlets = [Outlet.objects.create(name=f"基准媒体{t}", tier=t) for t in OutletTier.values]
    levels = ["central", "ministry", "other"]
    first_year = last_year - years + 1
    n = 0
    for org in orgs:
        outputs, topics = [], []
        for year in range(first_year, last_year + 1):
            for j in range(per_year):
                outputs.append(Output(organization=org, kind=kinds[j % len(kinds)], title=f"成果{year}-{j}",
                                      completed_on=datetime.date(year, 1 + j % 12, 1 + j % 28)))
            for j in range(5):
                topics.append(Topic(organization=org, title=f"课题{year}-{j}",
                                    approved_on=datetime.date(year, 1 + j, 1),
                                    completed_on=datetime.date(year + 1, 1 + j, 1) if j % 2 else None))
        Output.objects.bulk_create(outputs, batch_size=500)
        Topic.objects.bulk_create(topics, batch_size=500)
        subs, pubs = [], []
        for i, o in enumerate(outputs):
            if i % 5 == 0:
                subs.append(Submission(output=o, recipient="领导", level=levels[i % 3],
                                       submitted_on=o.completed_on + datetime.timedelta(days=2)))
            if i % 4 == 0:
                pubs.append(Publication(output=o, outlet=outlets[i % len(outlets)],
                                        published_on=o.completed_on + datetime.timedelta(days=10)))
        Submission.objects.bulk_create(subs, batch_size=500)
        Instruction.objects.bulk_create(
            [Instruction(submission=s, given_by="领导", level=s.level,
                         given_on=s.submitted_on + datetime.timedelta(days=7))
             for k, s in enumerate(subs) if k % 2 == 0], batch_size=500)
        Publication.objects.bulk_create(pubs, batch_size=500)
        n += len(outputs)
    return committee, orgs, n


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--branches", type=int, default=100)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--per-year", type=int, default=50)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from branchwork.core.testing import verify_session
    from branchwork.research import figures
    from branchwork.research.models import Output

    year = timezone.localdate().year
    started = time.perf_counter()
    committee, orgs, outputs = generate(branches=args.branches, years=args.years, per_year=args.per_year,
                                        last_year=year)
    generated = time.perf_counter() - started
    label = f"{args.branches} organizations × {args.years} years, {outputs} outputs"
    metrics = []

    def timed(fn):
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = fn()
            runs.append(time.perf_counter() - start)
        return runs, result

    runs, result = timed(lambda: figures.yearly(committee, year - 1))
    want = Output.objects.filter(organization__path__startswith=committee.path, completed_on__year=year - 1).count()
    assert result.section("outputs_by_kind").total == want, (result.section("outputs_by_kind").total, want)
    metrics.append({"name": "research_figures_committee", "label": f"research.figures.yearly, the committee ({label})",
                    "budget_s": BUDGET_S, "runs_s": runs})
    runs, _ = timed(lambda: figures.yearly(orgs[37], year - 1))
    metrics.append({"name": "research_figures_branch", "label": f"research.figures.yearly, one branch ({label})",
                    "budget_s": BUDGET_S, "runs_s": runs})

    admin = get_user_model().objects.create_superuser("bench-admin", "admin@bench.example", "bench-not-a-secret")
    client = Client()
    client.force_login(admin, backend="branchwork.core.auth.UsernameOrEmailBackend")
    verify_session(client, admin)  # as after the second factor, which a superuser gives
    url = f"/orgs/{committee.code}/research/figures/?year={year - 1}"
    runs, response = timed(lambda: client.get(url))
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    metrics.append({"name": "research_figures_page", "label": f"Research figures page, the committee ({label})",
                    "budget_s": None, "runs_s": runs})

    out = {
        "benchmark": "research",
        "data": {"year": year - 1, "organizations": len(orgs), "outputs": outputs,
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
