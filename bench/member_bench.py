"""A member's own page, /my/, beside a trivial signed-in view behind the same middleware (issue
17: /my/ ≤ 10 ms median for a member on the demo).

The demo (`branchwork load_demo`), then its member Wang Haoran (wanghaoran, a plain member of the
research office's branch) signed in through Django's test client. Timed per request: `/my/`
(middleware, the reader, every panel's queries, templates; no network) and, interleaved with it
so that both see the same machine, a view that only answers "ok" to a signed-in user, mounted
beside the project's URLs for the bench: the floor is the middleware, the session and the user
every signed-in page pays. The first request of each is a warm-up. Both pages' query counts are
recorded.

    python bench/member_bench.py --repeat 7 --out member.json   # normally through run.py
    python bench/member_bench.py --loaded                       # on an instance with the demo
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

from generate import setup_django

BUDGET_S = 0.010
MEMBER = "wanghaoran"
TRIVIAL = "/__bench__/signed-in/"

# Mounted as ROOT_URLCONF for the bench: the trivial view first, then every URL of the project.
urlpatterns: list = []


def _mount() -> None:
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    from branchwork import urls

    @login_required
    def signed_in(request):
        return HttpResponse("ok")

    urlpatterns[:] = [path(TRIVIAL.strip("/") + "/", signed_in), *urls.urlpatterns]
    clear_url_caches()


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--requests", type=int, default=30, help="requests per run (of each page)")
    parser.add_argument("--loaded", action="store_true",
                        help="the instance holds the demo already (do not load it)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    if not args.loaded:
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
    generate_s = time.perf_counter() - started
    settings.ROOT_URLCONF = __name__
    _mount()

    client = Client()
    client.force_login(get_user_model().objects.get(username=MEMBER))
    pages = {"my": "/my/", "trivial": TRIVIAL}
    queries, sizes = {}, {}
    for name, url in pages.items():
        client.get(url)  # the first request reads the reader; the next ones find it cached
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries[name], sizes[name] = len(captured), len(response.content)
    # Each run: `--requests` of each page, interleaved; a run's time is its median request.
    runs: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(args.repeat):
        times: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(args.requests):
            for name, url in pages.items():
                start = time.perf_counter()
                client.get(url)
                times[name].append(time.perf_counter() - start)
        for name in pages:
            runs[name].append(statistics.median(times[name]))
    my = statistics.median(runs["my"][1:])
    trivial = statistics.median(runs["trivial"][1:])
    result = {
        "benchmark": "member",
        "data": {"generate_s": round(generate_s, 2), "member": MEMBER,
                 "requests_per_run": args.requests, "queries": queries, "bytes": sizes},
        "metrics": [
            {"name": "my_page", "label": "/my/ for a member on the demo (median request of a run)",
             "budget_s": BUDGET_S, "runs_s": runs["my"]},
            {"name": "trivial_signed_in", "label": "Trivial signed-in view, same middleware "
             "(median request of a run)", "budget_s": None, "runs_s": runs["trivial"]},
        ],
        "checks": [
            {"label": "/my/ ÷ trivial signed-in view (medians)", "value": round(my / trivial, 2),
             "limit": None, "verdict": None},
            {"label": "/my/ queries (trivial view)", "value": f"{queries['my']} ({queries['trivial']})",
             "limit": None, "verdict": None},
        ],
    }
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    outcome = main()
    if "--out" not in sys.argv:
        print(json.dumps(outcome, ensure_ascii=False, indent=2))
