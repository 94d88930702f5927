"""What the load benchmark's floor costs, middleware by middleware (issue 13, item 13).

The trivial signed-in view (load_urls.signed_in), called through the WSGI handler as gunicorn
calls it (no test client), with a signed-in member's session cookie, N times in a row:

    full        the project's MIDDLEWARE, production settings
    -<name>     the same without one middleware (what that one costs, and what it makes the
                ones after it do; a view that then answers otherwise is marked)
    stock       the full stack with Django's own session read and ModelBackend.get_user (the
                ORM's queries, as before issue 13's plain SELECTs)
    csp-library django-csp's middleware, building the header on every response
    before      both (the floor as it was before issue 13)
    bare        no middleware and a view that does nothing at all (bare Django's floor)

and, with --profile, cProfile's top functions for `full`. Each case in a fresh process, on a
copy of one SQLite database made here; the order is shuffled and repeated (--rounds) so that a
machine shared with others shows in the spread, not in one case.

    .venv/bin/python bench/load/floor_profile.py --requests 2000 --rounds 3
    .venv/bin/python bench/load/floor_profile.py --requests 2000 --profile
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

_CASE = r"""
import cProfile, io, json, os, pstats, sys, time
import django
from django.conf import settings
case, n, profile = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
import load_settings
if case == "bare":
    load_settings.MIDDLEWARE = []
    load_settings.ROOT_URLCONF = "floor_bare_urls"
elif case in ("stock", "before"):
    # Django's own session read and ModelBackend.get_user, both through the ORM (before issue 13)
    load_settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
if case in ("csp-library", "before"):
    # django-csp's middleware building the header on every response (before issue 13)
    load_settings.MIDDLEWARE = ["csp.middleware.CSPMiddleware" if m.endswith(".ContentSecurityPolicyMiddleware")
                                else m for m in load_settings.MIDDLEWARE]
elif case.startswith("-"):
    load_settings.MIDDLEWARE = [m for m in load_settings.MIDDLEWARE if m.rsplit(".", 1)[1] != case[1:]]
django.setup()
if case in ("stock", "before"):
    from branchwork.core import auth
    del auth.UsernameOrEmailBackend.get_user
from django.core.handlers.wsgi import WSGIHandler
cookie = os.environ["FLOOR_COOKIE"]
app = WSGIHandler()
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/__bench__/signed-in/", "QUERY_STRING": "",
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
           "HTTP_HOST": "127.0.0.1:8000", "HTTP_COOKIE": cookie, "wsgi.url_scheme": "http",
           "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "REMOTE_ADDR": "127.0.0.1",
           "HTTP_USER_AGENT": "floor-profile", "HTTP_ACCEPT": "text/html"}
statuses = {}
def start_response(status, headers, exc_info=None):
    statuses[status] = statuses.get(status, 0) + 1
def one():
    body = app(dict(environ), start_response)
    for _ in body:
        pass
    body.close()
for _ in range(int(os.environ.get("FLOOR_WARMUP", "200"))):
    one()
statuses.clear()
prof = cProfile.Profile() if profile else None
if prof:
    prof.enable()
t = time.perf_counter()
for _ in range(n):
    one()
elapsed = time.perf_counter() - t
if prof:
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(45)
    out.write("\n--- by own time ---\n")
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(30)
    print(out.getvalue(), file=sys.stderr)
print(json.dumps({"case": case, "per_s": round(n / elapsed, 1), "us": round(elapsed / n * 1e6),
                  "statuses": statuses}))
"""

_BARE_URLS = '''
from django.http import HttpResponse
from django.urls import path

def nothing(request):
    return HttpResponse("ok")

urlpatterns = [path("__bench__/signed-in/", nothing)]
'''

_LOGIN = r"""
import django, json
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
user = get_user_model().objects.create_user("floor", password="x" * 20)
client = Client()
client.force_login(user, backend="branchwork.core.auth.UsernameOrEmailBackend")
print(json.dumps({"cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"}))
"""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the full stack once")
    parser.add_argument("--cases", help="comma-separated (default: full, each -Middleware, bare)")
    parser.add_argument("--database", type=Path, default=ROOT / "instance" / "branchwork.sqlite3",
                        help="a migrated SQLite database to start from (copied; else one is made)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="branchwork-floor-"))
    try:
        (work / "floor_bare_urls.py").write_text(_BARE_URLS)
        if args.database.exists():
            shutil.copy(args.database, work / "branchwork.sqlite3")
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL")}
        env.update({"DJANGO_SETTINGS_MODULE": "load_settings", "BRANCHWORK_INSTANCE": str(work),
                    "PYTHONPATH": os.pathsep.join([str(HERE), str(work)]),
                    "SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "0", "LOG_LEVEL": "WARNING",
                    "ALLOWED_HOSTS": "127.0.0.1", "BASE_URL": "http://127.0.0.1:8000",
                    "STATIC_ROOT": str(work / "static")})
        done = subprocess.run([sys.executable, "-c", _LOGIN], env=env, capture_output=True,
                              text=True, check=True, cwd=ROOT)
        env["FLOOR_COOKIE"] = json.loads(done.stdout.strip().splitlines()[-1])["cookie"]
        if args.profile:
            subprocess.run([sys.executable, "-c", _CASE, "full", str(args.requests), "1"], env=env,
                           check=True, cwd=ROOT)
            return
        if args.cases:
            cases = args.cases.split(",")
        else:
            sys.path.insert(0, str(HERE))
            names = subprocess.run(
                [sys.executable, "-c", "import load_settings, json; print(json.dumps("
                 "[m.rsplit('.', 1)[1] for m in load_settings.MIDDLEWARE]))"],
                env=env, capture_output=True, text=True, check=True, cwd=ROOT).stdout
            cases = ["full", *(f"-{name}" for name in json.loads(names)), "bare"]
        results: dict[str, list[dict]] = {case: [] for case in cases}
        for _ in range(args.rounds):
            order = cases[:]
            random.shuffle(order)
            for case in order:
                done = subprocess.run([sys.executable, "-c", _CASE, case, str(args.requests), "0"],
                                      env=env, capture_output=True, text=True, cwd=ROOT)
                if done.returncode:
                    print(case, "failed:", done.stderr[-2000:], file=sys.stderr)
                    continue
                results[case].append(json.loads(done.stdout.strip().splitlines()[-1]))
        full = statistics.median(r["us"] for r in results.get("full", [])) if results.get("full") else None
        print(f"{'case':<38} {'req/s':>8} {'µs/req':>8} {'vs full':>8}  statuses (load {os.getloadavg()[0]:.1f})")
        for case, runs in results.items():
            if not runs:
                continue
            us = statistics.median(r["us"] for r in runs)
            saved = f"{full - us:+.0f}" if full is not None and case != "full" else ""
            print(f"{case:<38} {statistics.median(r['per_s'] for r in runs):>8.0f} {us:>8.0f} "
                  f"{saved:>8}  {runs[-1]['statuses']}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
