"""Remove each guard that protects the record, once, and check that a test fails without it.

A guard is only real if a test fails without it. Each entry of bench/guard_list.py names a file,
the guard's text, what it becomes without the guard, and the tests that must then fail. The runner applies
one mutation at a time to a scratch copy of the package, runs those tests there, and reports
which mutations no test noticed (exit status 1 if any). The working tree is never modified.

    .venv/bin/python bench/guards.py            # all guards (about 10 minutes on 2 cores)
    .venv/bin/python bench/guards.py lock       # only guards whose name contains "lock"
    .venv/bin/python bench/guards.py --check    # only that every guard's text and tests exist
    make guards                                 # the same as the first line

With DATABASE_URL set, the tests run on that PostgreSQL server (the row-lock guard is only
observable there: SQLite serializes writers with BEGIN IMMEDIATE whatever the code does).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from guard_list import GUARDS, Guard  # noqa: E402  (the list, as data, beside this runner)


def locate(guard: Guard, root: Path) -> tuple[Path | None, int]:
    """The file holding the guard's text, and how often it is there. A guard's path may name a
    package (ending in "/"): its text is then looked for in every module of the package, so that
    splitting a module by topic does not move its guards' entries."""
    path = root / guard.path
    files = sorted(path.rglob("*.py")) if guard.path.endswith("/") else [path]
    counts = {f: f.read_text(encoding="utf-8").count(guard.guard) for f in files if f.is_file()}
    holding = [f for f, n in counts.items() if n]
    if len(holding) == 1:
        return holding[0], counts[holding[0]]
    return (None, sum(counts.values())) if counts else (None, -1)


def run(guard: Guard, scratch: Path, env: dict) -> tuple[bool, str]:
    """Apply one mutation in the scratch copy, run its tests; True if a test failed."""
    target, found = locate(guard, scratch)
    if target is None or found != 1:
        return False, f"the guard's text is not found exactly once in {guard.path}"
    original = target.read_text(encoding="utf-8")
    target.write_text(original.replace(guard.guard, guard.without), encoding="utf-8")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-n", os.environ.get("GUARDS_JOBS", "2"),
             *guard.tests],
            cwd=scratch, env=env, capture_output=True, text=True, timeout=1800,
        )
    finally:
        target.write_text(original, encoding="utf-8")
    tail = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    return result.returncode != 0, (tail[0] if tail else result.stdout.strip().splitlines()[-1])


def stale() -> list[str]:
    """Guards whose text is no longer in their file exactly once, or whose tests are gone: a
    guard moved or rewritten without its entry here. Quick (no test runs); the suite calls it
    (branchwork/tests/test_guards_listed.py), so that the list cannot silently rot."""
    problems = []
    for guard in GUARDS:
        target, found = locate(guard, ROOT)
        if found == -1:
            problems.append(f"{guard.name}: no file {guard.path}")
            continue
        if found != 1:
            problems.append(f"{guard.name}: its text is in {guard.path} {found} times, not once")
        for test in guard.tests:
            file, _sep, name = test.partition("::")
            test_path = ROOT / file
            if not test_path.is_file():
                problems.append(f"{guard.name}: no test file {file}")
            elif name and f"def {name.split('[')[0]}(" not in test_path.read_text(encoding="utf-8"):
                problems.append(f"{guard.name}: no test {name} in {file}")
    return problems


def main(argv: list[str]) -> int:
    if argv[1:2] == ["--check"]:
        problems = stale()
        print("\n".join(problems) or f"all {len(GUARDS)} guards are in place")
        return 1 if problems else 0
    wanted = argv[1] if len(argv) > 1 else ""
    postgres = bool(os.environ.get("DATABASE_URL"))
    guards = [g for g in GUARDS if wanted in g.name and (postgres or not g.postgres_only)]
    with tempfile.TemporaryDirectory(prefix="branchwork-guards-") as tmp:
        scratch = Path(tmp)
        shutil.copytree(ROOT / "branchwork", scratch / "branchwork",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", scratch / "pyproject.toml")
        shutil.copytree(ROOT / "rulebooks", scratch / "rulebooks")
        env = dict(os.environ, PYTHONPATH=str(scratch))
        unnoticed = []
        for guard in guards:
            caught, detail = run(guard, scratch, env)
            print(f"{'caught  ' if caught else 'MISSED  '} {guard.name}\n         {detail}",
                  flush=True)
            if not caught:
                unnoticed.append(guard.name)
    print(f"\n{len(guards) - len(unnoticed)} of {len(guards)} guards are noticed by a test.")
    return 1 if unnoticed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
