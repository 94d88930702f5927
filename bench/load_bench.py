"""Load: members on mixed pages against a trivial signed-in view, on SQLite and PostgreSQL
(issue 13, item 13). Goal: mixed member pages at ≥ 0.2 of the floor's throughput.

The instance holds the demo (`load_demo`). gunicorn serves it as `make serve` did and does (2 workers,
--preload, production settings), with the bench's URLconf: the project's URLs behind one trivial
view that needs a signed-in user and does nothing (`bench/load/load_urls.py`). Locust, headless, on
loopback: LOAD_USERS (50) members sign in once, then request without pause; LOAD_SECONDS (60) are
measured from the moment the last of them has signed in (Argon2 sign-ins are not measured: 50 of
them take most of a 30 s window on 2 cores, and until 2026-12-04 they were inside it):

    mixed   /my/, an activity of their branch, an internal article, a search, in turn
    floor   the trivial signed-in view alone (same middleware, same session lookups)

For each database and worker model (by default sync: 2 processes, what `make serve` runs, chosen
by this benchmark on a quiet machine, docs/OPERATIONS.md "Worker model"; and gthread: 2 processes
× 4 threads, for comparison; LOAD_WORKERS names others: sync4, gthread2x2, gthread4x2) it
reports requests per second, p50 and p95 over every request of the run, errors, and the ratio
mixed ÷ floor of the throughputs. PostgreSQL is measured too when LOAD_DATABASE_URL names a
server (`make bench` runs everything else on SQLite): a throwaway database is made there and
dropped.

    BENCH_ONLY=load make bench
    LOAD_SECONDS=20 LOAD_USERS=20 BENCH_ONLY=load make bench     # a short run
    LOAD_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_ONLY=load make bench

The load generator shares the machine's cores with the server: on 2 cores the figures are a
lower bound, and the ratio (both sides measured the same way) is what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOAD = HERE / "load"
MEMBER = "wanghaoran"  # a member of the research office's branch in the demo
WORKER_MODELS = {"sync": ["--workers", "2"],
                 "gthread": ["--workers", "2", "--worker-class", "gthread", "--threads", "4"],
                 # Measured when asked for (LOAD_WORKERS=sync,sync4,gthread,gthread4x2): the alternatives.
                 "sync4": ["--workers", "4"],
                 "gthread2x2": ["--workers", "2", "--worker-class", "gthread", "--threads", "2"],
                 "gthread4x2": ["--workers", "4", "--worker-class", "gthread", "--threads", "2"]}
DEFAULT_MODELS = "sync,gthread"
GOAL_RATIO = 0.2
SIGN_IN_ALLOWANCE_S = 600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_python(code: str, env: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", "import django, json; django.setup()\n" + code],
                          env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _prepare(env: dict) -> list[str]:
    """Load the demo, return the mixed pages' paths."""
    subprocess.run([sys.executable, "-m", "branchwork", "migrate", "--no-input", "-v0"], env=env,
                   check=True)
    subprocess.run([sys.executable, "-m", "branchwork", "load_demo"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    found = _run_python(f"""
from django.contrib.auth import get_user_model
from branchwork.activities.models import Activity
from branchwork.core import permissions
from branchwork.publishing.models import ArticlePage
user = get_user_model().objects.get(username="{MEMBER}")
activity = (permissions.visible(user, Activity)
            .filter(status="locked").order_by("-starts_at").first())
article = ArticlePage.objects.live().filter(visibility="internal").order_by("-first_published_at").first()
print(json.dumps({{"activity": activity.get_absolute_url(), "article": article.url}}))
""", env)
    return ["/my/", found["activity"], found["article"], "/search/?q=%E5%AD%A6%E4%B9%A0"]


def _serve(env: dict, model: str, log: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    args = [str(Path(sys.executable).parent / "gunicorn"), "branchwork.wsgi", "--bind",
            f"127.0.0.1:{port}", *WORKER_MODELS[model], "--preload", "--log-level", "warning"]
    server = subprocess.Popen(args, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}: see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5):
                return server, port
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in 300 s")


def _locust(port: int, paths: list[str], *, users: int, seconds: int, env: dict, out: Path) -> dict:
    locust = Path(sys.executable).parent / "locust"
    run_env = {**env, "LOAD_PATHS": json.dumps(paths), "LOAD_USER": MEMBER,
               "LOAD_PASSWORD": env.get("DEMO_PASSWORD", "branchwork-demo"), "LOAD_OUT": str(out),
               "LOAD_USERS": str(users), "LOAD_SECONDS": str(seconds)}
    # The locustfile measures LOAD_SECONDS from the moment the last member has signed in, then
    # stops the run; --run-time only bounds a run whose sign-ins never finish.
    subprocess.run([str(locust), "-f", str(LOAD / "locustfile.py"), "--headless", "--only-summary",
                    "--users", str(users), "--spawn-rate", str(users),
                    "--run-time", f"{seconds + SIGN_IN_ALLOWANCE_S}s",
                    "--host", f"http://127.0.0.1:{port}", "--stop-timeout", "10",
                    "--exit-code-on-error", "0"],
                   env=run_env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data = json.loads(out.read_text())
    times = sorted(data["times_ms"])
    n = len(times)
    if not data.get("closed"):
        data["errors"].append(f"the window never opened or closed (sign-ins unfinished after "
                              f"{seconds + SIGN_IN_ALLOWANCE_S} s)")
    return {
        "requests": n, "errors": len(data["errors"]), "error_samples": data["errors"][:5],
        "rps": round(n / seconds, 1),
        "p50_ms": round(statistics.median(times), 1) if n else None,
        "p95_ms": round(times[min(n - 1, int(0.95 * n))], 1) if n else None,
    }


def _measure(label: str, env: dict, work: Path, *, users: int, seconds: int) -> list[dict]:
    env = {**env, "DJANGO_SETTINGS_MODULE": "load_settings",
           "PYTHONPATH": os.pathsep.join([str(LOAD), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    paths = _prepare(env)
    rows = []
    for model in os.environ.get("LOAD_WORKERS", DEFAULT_MODELS).split(","):
        server, port = _serve(env, model, work / f"gunicorn-{label}-{model}.log")
        try:
            mixed = _locust(port, paths, users=users, seconds=seconds, env=env,
                            out=work / f"{label}-{model}-mixed.json")
            floor = _locust(port, ["/" + "__bench__/signed-in/"], users=users, seconds=seconds,
                            env=env, out=work / f"{label}-{model}-floor.json")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        ratio = round(mixed["rps"] / floor["rps"], 3) if floor["rps"] else None
        rows.append({"database": label, "workers": model, "mixed": mixed, "floor": floor,
                     "ratio": ratio})
        print(f"{label} {model}: mixed {mixed['rps']} req/s (p50 {mixed['p50_ms']} ms, p95 "
              f"{mixed['p95_ms']} ms, {mixed['errors']} errors); floor {floor['rps']} req/s "
              f"(p50 {floor['p50_ms']} ms); ratio {ratio}", flush=True)
    return rows


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="ignored: one run per case")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    users = int(os.environ.get("LOAD_USERS", "50"))
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    work = Path(tempfile.mkdtemp(prefix="branchwork-load-"))
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL")}
    started = time.perf_counter()
    rows = _measure("sqlite", base, work, users=users, seconds=seconds)
    pg = os.environ.get("LOAD_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if pg.startswith("postgres"):
        server = pg.rpartition("/")[0]
        name = f"bw_load_{os.getpid()}"
        subprocess.run(["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
        try:
            instance = work / "pg-instance"
            instance.mkdir()
            rows += _measure("postgresql", {**base, "DATABASE_URL": f"{server}/{name}",
                                            "BRANCHWORK_INSTANCE": str(instance)},
                             work, users=users, seconds=seconds)
        finally:
            subprocess.run(["psql", f"{server}/postgres", "-qc",
                            f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)
    shutil.rmtree(work, ignore_errors=True)
    metrics, checks = [], []
    for row in rows:
        key = f"{row['database']} {row['workers']}"
        for side in ("mixed", "floor"):
            r = row[side]
            # One run: its p50 stands as the single "run"; p95 is in the notes.
            metrics.append({"name": f"load_{row['database']}_{row['workers']}_{side}",
                            "label": f"{key}: {side} pages, {users} members, p50 of every request",
                            "budget_s": None, "runs_s": [r["p50_ms"] / 1000 if r["p50_ms"] else 0.0]})
        checks.append({"label": f"{key}: mixed ÷ floor throughput ({row['mixed']['rps']} ÷ "
                                f"{row['floor']['rps']} req/s)",
                       "value": row["ratio"], "limit": None,
                       "verdict": "PASS" if (row["ratio"] or 0) >= GOAL_RATIO else "FAIL"})
        checks.append({"label": f"{key}: errors (mixed, floor)",
                       "value": f"{row['mixed']['errors']}, {row['floor']['errors']}", "limit": None,
                       "verdict": "PASS" if not (row["mixed"]["errors"] or row["floor"]["errors"]) else "FAIL"})
    result = {"benchmark": "load", "data": {"generate_s": round(time.perf_counter() - started, 1),
                                            "users": users, "seconds": seconds, "member": MEMBER},
              "metrics": metrics, "checks": checks,
              "notes": [json.dumps(row, ensure_ascii=False) for row in rows]}
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    main()
