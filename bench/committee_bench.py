"""How long the committee's table of its branches takes (issues 3 and 17: ≤ 300 ms, at 100 and
at 1,000 branches, on SQLite and on PostgreSQL).

A committee with 100 branches (`--branches`), each with a year (this year, up to yesterday) of
80 locked activities with 40 expected members. Timed: the page as a logged-in superuser sees it
(`activities:committee` with ?year=, through Django's test client: middleware, view, queries
and template, no network), its first page and its last; the Excel export of every branch; and
the selector the page is built on, `selectors.compliance(list(selectors.branches_under(committee)), year)`
over every branch. The page's query count is recorded, at its first and its last page.

Beside the first page, request for request so that both see the same machine, its floor: a view
mounted beside the project's URLs for the bench (`floor_page`) that does the page's work plainly,
the same permission check, the same page of branches, one grouped count in hand-written SQL and
the cells' held/required, status and overdue periods in a loop, joined into a table without
the engine, a template or translated labels. The first page ÷ floor ratio (wall and CPU) is
reported as a check; `make bench` runs the bench at 10, 100 and 1,000 branches. Also timed
(informative): the first page filtered by a status (`&status=overdue`), which evaluates every
branch to find those that show it.

    python bench/committee_bench.py --repeat 7 --out committee.json   # normally through run.py
    python bench/committee_bench.py --branches 1000 --activities 20 --attendees 10 \\
        --database postgres://postgres@127.0.0.1:5432/bw_committee_bench

`--database` names a PostgreSQL database that must not exist yet: the bench makes it, migrates
it, measures there, and drops it afterwards (the SQLite instance still holds the static files).
`--reuse` measures the committee already in the database instead of generating one (to compare
two versions of the code on the same data; with `--database` the database is then kept, as with
`--keep`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from generate import generate, setup_django

BUDGET_S = 0.300
CODE = "bench-cmte"
FLOOR = "/__bench__/committee-floor/"

# Mounted as ROOT_URLCONF for the bench: the floor's view first, then every URL of the project.
urlpatterns: list = []


def _mount() -> None:
    from django.contrib.auth.decorators import login_required
    from django.urls import clear_url_caches, path

    from branchwork import urls

    urlpatterns[:] = [path(FLOOR.strip("/") + "/<slug:org_code>/", login_required(floor_page)),
                      *urls.urlpatterns]
    clear_url_caches()


_MONTH_SQL = {"sqlite": 'CAST(substr(c."on", 6, 2) AS INTEGER)',
              "postgresql": 'CAST(EXTRACT(MONTH FROM c."on") AS INTEGER)'}
_PERIODS = {"month": [(m,) for m in range(1, 13)],
            "quarter": [(m, m + 1, m + 2) for m in (1, 4, 7, 10)],
            "year": [tuple(range(1, 13))]}


def floor_page(request, org_code):
    """The floor: the committee page's work written plainly. The same permission check, the
    page's branches (a page of the same size, in the same order, and their number), one grouped
    count written by hand in SQL (held with quorum, planned and held without quorum per
    organization, type and month, cancelled records left out), then per cell the held of required for the year, the current
    period's status (met, due, upcoming) and the periods overdue, in a loop; the table is a joined
    string of the same cells (names escaped). No engine, no template, no translated labels, no
    page around the table: what any committee table costs at least."""
    from django.db import connection
    from django.http import HttpResponse
    from django.utils import timezone
    from django.utils.html import escape

    from branchwork.activities import selectors
    from branchwork.activities.models import ActivityStatus
    from branchwork.activities.views import COMMITTEE_PAGE_SIZE
    from branchwork.core import permissions

    org = permissions.get_org_or_404(request.user, org_code)
    year = int(request.GET["year"])
    number = int(request.GET.get("page", "1"))
    today = timezone.localdate()
    branches_qs = selectors.branches_under(org)
    total = branches_qs.count()
    branches = list(branches_qs.values_list("pk", "code", "name_zh")[
        (number - 1) * COMMITTEE_PAGE_SIZE:number * COMMITTEE_PAGE_SIZE])
    held: dict = {}
    if branches:
        ids = [b[0] for b in branches]
        sql = (f"SELECT c.organization_id, c.code, {_MONTH_SQL[connection.vendor]}, "
               "SUM(CASE WHEN c.counted THEN 1 ELSE 0 END), "
               "SUM(CASE WHEN c.held THEN 0 ELSE 1 END), "
               "SUM(CASE WHEN c.held AND NOT c.counted THEN 1 ELSE 0 END) "
               "FROM activities_credit c JOIN activities_activity a ON a.id = c.activity_id "
               f"WHERE c.organization_id IN ({', '.join(['%s'] * len(ids))}) AND c.year = %s "
               "AND a.status <> %s GROUP BY 1, 2, 3")
        with connection.cursor() as cursor:
            cursor.execute(sql, [*ids, year, ActivityStatus.CANCELLED])
            for org_id, code, month, n_held, _planned, _without_quorum in cursor.fetchall():
                held[(org_id, code, month)] = n_held
    columns = [(t.code, t.cadence.per, t.cadence.count) for t in selectors.committee_types()]
    month_now = today.month if today.year == year else (13 if year < today.year else 0)
    out = [f"<p>{total} branches</p><table><tr><th>branch</th>"]
    out += [f"<th>{escape(code)}</th>" for code, _, _ in columns]
    out.append("</tr>")
    for pk, code, name in branches:
        out.append(f'<tr><th><a href="/orgs/{code}/compliance/?year={year}">{escape(name)}</a></th>')
        for type_code, per, required in columns:
            got, overdue, status = 0, 0, "upcoming"
            for months in _PERIODS[per]:
                n = sum(held.get((pk, type_code, m), 0) for m in months)
                got += min(n, required)
                if months[-1] < month_now and n < required:
                    overdue += 1
                elif months[0] <= month_now <= months[-1]:
                    status = "met" if n >= required else "due"
            if overdue:
                status = "overdue"
            out.append(f'<td class="cell st-{status}"><span class="n">{got}/'
                       f'{required * len(_PERIODS[per])}</span> <span class="s">{status}</span>'
                       + (f"<br><span class=\"x\">{overdue} overdue</span>" if overdue else "")
                       + "</td>")
        out.append("</tr>")
    out.append("</table>")
    return HttpResponse("".join(out))


@contextmanager
def throwaway_postgres(url: str | None, *, keep: bool):
    """DATABASE_URL set to `url` for the run, the database made first (unless kept from an
    earlier run) and dropped afterwards (unless `keep`)."""
    if not url:
        yield
        return
    import psycopg
    from urllib.parse import urlsplit

    name = urlsplit(url).path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"--database: a plain database name, please, not {name!r}")
    server = url[: url.rindex("/")] + "/postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _existing(year: int):
    from branchwork.activities import selectors
    from branchwork.activities.models import Activity, Attendance, Credit
    from branchwork.core.models import Organization

    committee = Organization.objects.get(code=CODE)
    branches = list(selectors.branches_under(committee))
    return SimpleNamespace(
        committee=committee, branches=branches, year=year,
        activities=Activity.objects.filter(organization__in=branches).count(),
        attendance=Attendance.objects.filter(activity__organization__in=branches).count(),
        credits=Credit.objects.filter(organization__in=branches).count(), seconds=0.0)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--branches", type=int, default=100)
    parser.add_argument("--activities", type=int, default=80)
    parser.add_argument("--attendees", type=int, default=40)
    parser.add_argument("--database", help="a PostgreSQL URL whose database the bench makes and drops")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the committee already generated (and keep the database)")
    parser.add_argument("--keep", action="store_true", help="keep the --database afterwards")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with throwaway_postgres(args.database, keep=args.reuse or args.keep):
        return measure(args)


def _timed(repeat: int, call) -> tuple[list[float], list[float], object]:
    walls, cpus, value = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        value = call()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, value


def _timed_pair(repeat: int, call, floor) -> tuple[list[float], list[float], list[float],
                                                  list[float], object, object]:
    """`call` and its `floor` alternately, so that both see the same machine."""
    walls, cpus, floor_walls, floor_cpus, value, floor_value = [], [], [], [], None, None
    for _ in range(repeat):
        for fn, w, c in ((call, walls, cpus), (floor, floor_walls, floor_cpus)):
            start, cpu = time.perf_counter(), time.process_time()
            result = fn()
            w.append(time.perf_counter() - start)
            c.append(time.process_time() - cpu)
            if fn is call:
                value = result
            else:
                floor_value = result
    return walls, cpus, floor_walls, floor_cpus, value, floor_value


def count_queries(call) -> int:
    """The queries `call` makes (counted as they run, whatever DEBUG says)."""
    from django.db import connection

    seen = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        call()
    return len(seen)


def measure(args) -> dict:
    setup_django()
    import io
    import statistics

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from branchwork.activities import selectors

    settings.ROOT_URLCONF = __name__
    _mount()
    if args.database:
        call_command("migrate", verbosity=0)
    year = timezone.localdate().year
    if args.reuse:
        data = _existing(year)
    else:
        data = generate(branches=args.branches, activities=args.activities,
                        attendees=args.attendees, year=year, photos=False, code=CODE)
    committee = data.committee
    label = (f"{len(data.branches)} branches × {args.activities} activities × "
             f"{args.attendees} attendees, {connection.vendor}")
    if args.reuse:  # the sizes are the data's, not the arguments'
        label = (f"{len(data.branches)} branches, {data.activities} activities, "
                 f"{data.attendance} attendance rows (reused), {connection.vendor}")
    metrics, notes, cpu = [], [], {}

    try:
        url = reverse("activities:committee", args=[committee.code]) + f"?year={year}"
        export = reverse("activities:committee_export", args=[committee.code]) + f"?year={year}"
    except NoReverseMatch:
        url = export = None
        notes.append("activities:committee is not routed yet: the page was not measured.")
    page = {}
    if url:
        from openpyxl import load_workbook

        from branchwork.activities.views import COMMITTEE_PAGE_SIZE

        admin = get_user_model().objects.filter(username="bench-admin").first() or \
            get_user_model().objects.create_superuser("bench-admin", "admin@bench.example",
                                                      "bench-not-a-secret")
        client = Client()
        client.force_login(admin, backend="branchwork.core.auth.UsernameOrEmailBackend")
        from branchwork.core.testing import needs_second_factor, verify_session

        if needs_second_factor(admin):  # the back office asks for a second factor
            verify_session(client, admin)
        last = -(-len(data.branches) // COMMITTEE_PAGE_SIZE)

        def get(address):
            response = client.get(address)
            if response.status_code != 200:
                raise SystemExit(f"GET {address} answered {response.status_code}")
            return response

        first = data.branches[:COMMITTEE_PAGE_SIZE]
        floor_url = f"{FLOOR}{committee.code}/?year={year}"
        (runs, cpu["committee_page"], floor_runs, cpu["committee_floor"], response,
         floor_response) = _timed_pair(args.repeat, lambda: get(url), lambda: get(floor_url))
        body = response.content.decode()
        floor_body = floor_response.content.decode()
        if any(f"{b.name_zh}<" not in floor_body for b in first):
            raise SystemExit("The floor's page lacks branches of the first page")
        missing = [b.name_zh for b in first if f"{b.name_zh}<" not in body]
        if missing:
            raise SystemExit(f"The first page lacks {len(missing)} branches, e.g. {missing[0]}")
        queries = count_queries(lambda: get(url))
        floor_queries = count_queries(lambda: get(floor_url))
        last_url = f"{url}&page={last}"
        last_runs, cpu["committee_page_last"], last_response = _timed(args.repeat,
                                                                      lambda: get(last_url))
        last_queries = count_queries(lambda: get(last_url))
        # Filtered by a status: which branches show it takes every branch's counts.
        filtered_url = f"{url}&status=overdue"
        filtered_runs, cpu["committee_page_filtered"], filtered = _timed(args.repeat,
                                                                         lambda: get(filtered_url))
        filtered_queries = count_queries(lambda: get(filtered_url))
        xlsx_runs, cpu["committee_export"], exported = _timed(args.repeat, lambda: get(export))
        book = load_workbook(io.BytesIO(exported.content), read_only=True)
        names = {row[0] for row in book.active.iter_rows(min_row=2, values_only=True)}
        lacking = [b.display_name for b in data.branches if b.display_name not in names]
        if lacking:
            raise SystemExit(f"The export lacks {len(lacking)} branches, e.g. {lacking[0]}")
        page = {"url": url, "page_size": COMMITTEE_PAGE_SIZE, "pages": last,
                "queries": queries, "queries_last_page": last_queries,
                "floor_url": floor_url, "floor_queries": floor_queries,
                "filtered_url": filtered_url, "queries_filtered": filtered_queries,
                "bytes_filtered": len(filtered.content),
                "filtered_rows": filtered.content.decode().count('<th scope="row">'),
                "floor_bytes": len(floor_response.content),
                "bytes": len(response.content), "bytes_last_page": len(last_response.content),
                "export_bytes": len(exported.content), "export_rows": len(names)}
        metrics += [
            {"name": "committee_page", "label": f"Committee table page, first page ({label})",
             "budget_s": BUDGET_S, "runs_s": runs},
            {"name": "committee_floor",
             "label": f"Committee table floor: the same page's counts and cells in plain code ({label})",
             "budget_s": None, "runs_s": floor_runs},
            {"name": "committee_page_last", "label": f"Committee table page, last page ({label})",
             "budget_s": BUDGET_S, "runs_s": last_runs},
            {"name": "committee_page_filtered",
             "label": f"Committee table page filtered by a status (overdue), first page ({label})",
             "budget_s": None, "runs_s": filtered_runs},
            {"name": "committee_export", "label": f"Committee table Excel export, every branch ({label})",
             "budget_s": None, "runs_s": xlsx_runs},
        ]

    runs, cpu["committee_selector"], table = _timed(
        args.repeat, lambda: selectors.compliance(list(selectors.branches_under(committee)), year))
    assert len(table) == len(data.branches)
    metrics.append({"name": "committee_selector",
                    "label": f"selectors.compliance over every branch ({label})",
                    "budget_s": None if url else BUDGET_S, "runs_s": runs})

    checks = []
    if url:
        def median(values):  # after the warm-up run, as run.py summarizes
            return statistics.median(values[1:] if len(values) > 1 else values)

        checks = [
            {"label": f"Committee table first page ÷ its floor (medians), {label}",
             "value": round(median(metrics[0]["runs_s"]) / median(metrics[1]["runs_s"]), 2),
             "limit": None, "verdict": None},
            {"label": f"Committee table first page ÷ its floor, CPU time (medians), {label}",
             "value": round(median(cpu["committee_page"]) / median(cpu["committee_floor"]), 2),
             "limit": None, "verdict": None},
        ]

    result = {
        "benchmark": "committee",
        "data": {"year": year, "database": connection.vendor, "branches": len(data.branches),
                 "activities": data.activities, "attendance_rows": data.attendance,
                 "credits": data.credits, "generate_s": round(data.seconds, 2), "page": page,
                 "cpu_s": {k: [round(x, 4) for x in v] for k, v in cpu.items()},
                 "load_average": [round(x, 2) for x in os.getloadavg()]},
        "notes": notes,
        "metrics": metrics,
        "checks": checks,
    }
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    outcome = main()
    if "--out" not in sys.argv:
        print(json.dumps(outcome, ensure_ascii=False, indent=2))
