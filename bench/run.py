"""Run the benchmarks, each in a fresh SQLite database, and write the results to bench/results/.

    make bench                          # every benchmark
    BENCH_ONLY=search make bench        # some (comma-separated: ledger, committee,
                                        # publishing, search, first_request, member, load, research,
                                        # exchange_figures)
    BENCH_REPEAT=11 make bench          # runs per measurement (default 7; the first is warm-up)
    BENCH_RESTARTS=5 make bench         # server starts for the first-request benchmark
    BENCH_STRICT=1 make bench           # exit 1 when a median is over its budget
    BENCH_KEEP=1 make bench             # keep the scratch folder (databases, media) to look at
    BENCH_TRUTH_DOCS=100000 make bench  # documents of the search's --truth pass (default 10000;
                                        # 0: no truth pass)
    SEARCH_TRUTH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench
                                        # the truth pass once more, on a throwaway PostgreSQL
                                        # database of that server (bw_search_truth), made and
                                        # dropped by the pass

The search benchmark is followed by its `--truth` pass (search_bench.py --truth, issue 17: the
share of true matches reachable, newest first against the truth, top-20 overlap with uncapped
bm25, member and visitor latency beside a floor doing the same work), on a database of its own,
reported as the benchmark "search --truth".

The database is migrated once (call_command("migrate")) and static files are collected once,
into a scratch folder; each benchmark then gets a copy of that database and runs in its own
process with the production settings (DEBUG off, SQLite in WAL mode, the deployment's hashers
and template caching). Writes bench/results/<date>-<issues>.json and bench/results/latest.md.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BENCHMARKS = {"ledger": "ledger_bench.py", "committee": "committee_bench.py",
              "publishing": "publishing_bench.py", "search": "search_bench.py",
              "first_request": "first_request_bench.py", "member": "member_bench.py",
              "load": "load_bench.py",
              "research": "research_bench.py",
              "exchanges_badges": "exchanges_badges_bench.py",
              "exchange_figures": "exchange_figures_bench.py"}
# Further passes of a benchmark, each on a copy of its own: (name, extra arguments).
TRUTH_DOCS_DEFAULT = 10_000


def extra_passes(name: str) -> list[tuple[str, list[str]]]:
    if name == "committee":
        # Issue 17: a committee of 10 branches and one of 1,000 (20 activities × 10 members
        # each) beside the 100 of issue 3, on SQLite; with COMMITTEE_DATABASE_URL (a server's
        # URL) all three once more, each on a throwaway PostgreSQL database.
        small = ["--branches", "10"]
        big = ["--branches", "1000", "--activities", "20", "--attendees", "10"]
        passes = [("committee_10", small), ("committee_1000", big)]
        server = os.environ.get("COMMITTEE_DATABASE_URL", "")
        if server:
            database = ["--database", f"{server.rsplit('/', 1)[0]}/bw_committee_bench"]
            passes += [("committee_10_pg", [*small, *database]),
                       ("committee_100_pg", database),
                       ("committee_1000_pg", [*big, *database])]
        return passes
    if name != "search":
        return []
    docs = int(os.environ.get("BENCH_TRUTH_DOCS", str(TRUTH_DOCS_DEFAULT)))
    if docs <= 0:
        return []
    passes = [("search_truth", ["--truth", "--docs", str(docs)])]
    # With SEARCH_TRUTH_DATABASE_URL (a server's URL) once more on a throwaway PostgreSQL database.
    server = os.environ.get("SEARCH_TRUTH_DATABASE_URL", "")
    if server:
        passes.append(("search_truth_pg", ["--truth", "--docs", str(docs), "--database",
                                           f"{server.rsplit('/', 1)[0]}/bw_search_truth"]))
    return passes


# The issue whose budgets each benchmark holds; a run's results are named after its issues.
ISSUES = {"ledger": "issue3", "committee": "issue3", "publishing": "issue4", "search": "issue5",
          "first_request": "issue14", "member": "issue17", "load": "issue13",
          "research": "issue15", "exchanges_badges": "issue16",
          "exchange_figures": "issue16"}


def _env(scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # always SQLite
    env.update({
        "DJANGO_SETTINGS_MODULE": "branchwork.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
        "BASE_URL": "http://127.0.0.1:8000",
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "STATIC_ROOT": str(scratch / "static"),
    })
    return env


def _prepare(template: Path, env: dict[str, str]) -> None:
    """Migrate the template database and collect static files, in a process of their own."""
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n"
        "from django.db import connection\n"
        "connection.cursor().execute('PRAGMA wal_checkpoint(TRUNCATE)')\n"
    )
    subprocess.run([sys.executable, "-c", code], env={**env, "BRANCHWORK_INSTANCE": str(template)},
                   check=True)


def _version(module: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(module)
    except metadata.PackageNotFoundError:
        return "?"


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE,
                                capture_output=True, text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=HERE,
                                    capture_output=True, text=True).stdout.strip())
    except OSError:
        commit, dirty = "", False
    return {
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": _version("django"),
        "wagtail": _version("wagtail"),
        "typst": _version("typst"),
        "commit": commit + ("+changes" if dirty else ""),
    }


def summarize(metric: dict) -> dict:
    """Median and p95 of the runs after the first (the warm-up), against the budget. The budget
    holds the median unless the metric says `"budget_stat": "p95"` (latency over many queries)."""
    runs = metric["runs_s"]
    # A cold-start metric has no warm-up run: each run is a fresh start.
    measured = runs[1:] if len(runs) > 1 and not metric.get("cold_start") else runs
    ordered = sorted(measured)
    median = statistics.median(measured)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    budget = metric.get("budget_s")
    stat = metric.get("budget_stat", "median")
    value = p95 if stat == "p95" else median
    return {
        **metric,
        "budget_stat": stat,
        "warmup_s": runs[0] if len(runs) > 1 and not metric.get("cold_start") else None,
        "n": len(measured),
        "median_s": median,
        "p95_s": p95,
        "ratio": value / budget if budget else None,
        "verdict": None if not budget else ("PASS" if value <= budget else "FAIL"),
    }


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"# Benchmarks ({report['issue']}) — {report['date']}",
        "",
        f"Median and p95 of {report['repeat'] - 1} runs after one warm-up run (for query "
        "latencies: of every query of the class, each run once per run); each benchmark on a "
        "fresh SQLite database, production settings. A budget holds the median unless marked "
        "(p95). `make bench` writes this file; bench/README.md says what each number measures.",
        "",
        "| benchmark | median | p95 | budget | value / budget | verdict |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for bench in report["benchmarks"]:
        for x in bench["metrics"]:
            ratio = f"{x['ratio']:.2f}" if x["ratio"] is not None else "—"
            budget = _ms(x["budget_s"]) + (" (p95)" if x["budget_s"] and x["budget_stat"] == "p95" else "")
            lines.append(f"| {x['label']} | {_ms(x['median_s'])} | {_ms(x['p95_s'])} | "
                         f"{budget} | {ratio} | {x['verdict'] or 'info'} |")
    checks = [c for bench in report["benchmarks"] for c in bench.get("checks", [])]
    if checks:
        lines += ["", "| check | value | limit | verdict |", "|---|---:|---:|---|"]
        for c in checks:
            sign = "≥" if c.get("at_least") else "≤"
            limit = "—" if c.get("limit") is None else f"{sign} {c['limit']}"
            lines.append(f"| {c['label']} | {c['value']} | {limit} | {c.get('verdict') or 'info'} |")
    lines += ["", "Data:", ""]
    for bench in report["benchmarks"]:
        d = bench["data"]
        extra = {k: v for k, v in d.items() if k not in ("year", "generate_s")}
        year = f"year {d['year']}, " if "year" in d else ""
        lines.append(f"- {bench['benchmark']}: {year}generated in {d['generate_s']} s; "
                     + json.dumps(extra, ensure_ascii=False))
        lines += [f"- {bench['benchmark']}: {note}" for note in bench.get("notes", [])]
    lines += [
        "",
        f"Machine: {m['cpu_count']} CPUs ({m['cpu']}), load average at start "
        f"{m['load_average']}, {m['platform']}; Python {m['python']}, SQLite {m['sqlite']}, "
        f"Django {m['django']}, Wagtail {m['wagtail']}, Typst {m['typst']}; "
        f"commit {m['commit'] or '?'}.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    only = [x.strip() for x in os.environ.get("BENCH_ONLY", "").split(",") if x.strip()]
    unknown = set(only) - set(BENCHMARKS)
    if unknown:
        print(f"BENCH_ONLY: unknown {', '.join(sorted(unknown))}; "
              f"one or more of {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    repeat = int(os.environ.get("BENCH_REPEAT", "7"))
    if repeat < 2:
        print("BENCH_REPEAT must be at least 2 (the first run is a warm-up)", file=sys.stderr)
        return 2
    selected = only or list(BENCHMARKS)
    scratch = Path(tempfile.mkdtemp(prefix="branchwork-bench-"))
    env = _env(scratch)
    issue = "-".join(sorted({ISSUES[name] for name in selected}))
    report = {"issue": issue, "date": datetime.date.today().isoformat(),
              "started": datetime.datetime.now().isoformat(timespec="seconds"),
              "repeat": repeat, "machine": machine(), "benchmarks": []}
    try:
        template = scratch / "template"
        template.mkdir()
        started = time.perf_counter()
        _prepare(template, env)
        print(f"migrated and collected static files in {time.perf_counter() - started:.1f} s")
        passes = [p for name in selected
                  for p in [(name, name, []), *((name, n, a) for n, a in extra_passes(name))]]
        for name, folder, extra in passes:
            instance = scratch / folder
            shutil.copytree(template, instance)
            out = instance / "result.json"
            started = time.perf_counter()
            # The first-request benchmark restarts a server per run: BENCH_RESTARTS (5) of them.
            runs = os.environ.get("BENCH_RESTARTS", "5") if name == "first_request" else str(repeat)
            subprocess.run([sys.executable, str(HERE / BENCHMARKS[name]), "--repeat", runs,
                            "--out", str(out), *extra],
                           env={**env, "BRANCHWORK_INSTANCE": str(instance)}, check=True)
            result = json.loads(out.read_text())
            result["metrics"] = [summarize(x) for x in result["metrics"]]
            result["wall_s"] = round(time.perf_counter() - started, 1)
            report["benchmarks"].append(result)
            for x in result["metrics"]:
                print(f"{x['label']}: median {_ms(x['median_s'])}, p95 {_ms(x['p95_s'])}, "
                      f"budget {_ms(x['budget_s'])} {x['verdict'] or ''}")
            for c in result.get("checks", []):
                print(f"{c['label']}: {c['value']} {c.get('verdict') or ''}")
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)

    RESULTS.mkdir(exist_ok=True)
    stem = f"{report['date']}-{issue}" + ("" if not only else "-" + "-".join(selected))
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    (RESULTS / "latest.md").write_text(markdown(report))
    print(f"wrote bench/results/{stem}.json and bench/results/latest.md")
    failed = [x["label"] for b in report["benchmarks"] for x in b["metrics"]
              if x["verdict"] == "FAIL"]
    failed += [c["label"] for b in report["benchmarks"] for c in b.get("checks", [])
               if c.get("verdict") == "FAIL"]
    return 1 if failed and os.environ.get("BENCH_STRICT") else 0


if __name__ == "__main__":
    sys.exit(main())
