"""The fault tests' harness (`make chaos`): a real instance folder, real processes, real signals.

An `Instance` is a deployment in a scratch folder: its own SQLite database (migrated once per
session and copied), secret key and media, run with the production settings in subprocesses
(`branchwork db_worker`, gunicorn, scripts). The test process never opens the database through
Django: it reads the file with sqlite3, as an operator would, so nothing it does hides a fault.
"""

from __future__ import annotations

import json
import os
from contextlib import closing
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

CHAOS = os.environ.get("BRANCHWORK_CHAOS") == "1"
# The fault tests start servers and workers and take a minute or more: `make chaos` runs them.
chaos = [pytest.mark.chaos,
         pytest.mark.skipif(not CHAOS, reason="fault test: run with `make chaos` (BRANCHWORK_CHAOS=1)")]

PRELUDE = "import django, json, sys; django.setup()\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Instance:
    def __init__(self, path: Path, **env):
        self.path = path
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "CACHE_URL")}
        self.env.update({
            "BRANCHWORK_INSTANCE": str(path),
            "DJANGO_SETTINGS_MODULE": "branchwork.settings",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "BASE_URL": "http://127.0.0.1:8000",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "STATIC_ROOT": str(path / "static"),
            "LOG_LEVEL": "WARNING",
            **{k: str(v) for k, v in env.items()},
        })
        self.processes: list[subprocess.Popen] = []
        path.mkdir(parents=True, exist_ok=True)
        key = path / "secret_key"
        if not key.exists():
            key.write_text(os.urandom(24).hex())
            key.chmod(0o600)

    @property
    def db(self) -> Path:
        return self.path / "branchwork.sqlite3"

    @property
    def media(self) -> Path:
        return self.path / "media"

    def python(self, code: str, timeout: float = 300) -> dict:
        """Run Django code in a process of its own; it prints one JSON object, returned here."""
        done = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code)], env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise AssertionError(f"script failed ({done.returncode}):\n{done.stderr[-4000:]}")
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        return json.loads(lines[-1]) if lines else {}

    def command(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "branchwork", *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        if check and done.returncode:
            raise AssertionError(f"branchwork {' '.join(args)} failed ({done.returncode}):\n"
                                 f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return done

    def start(self, *args: str, log: str) -> subprocess.Popen:
        """A long-running process (`branchwork …` or gunicorn), its output in a log file."""
        out = open(self.path / log, "ab")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(list(args), env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=self.path)
        process.log = out  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def worker(self, log: str = "worker.log") -> subprocess.Popen:
        return self.start(sys.executable, "-m", "branchwork", "db_worker", "--no-startup-delay",
                          "--interval", "0.2", "--no-reload", log=log)

    def server(self, port: int, *, workers: int = 2, log: str = "server.log") -> subprocess.Popen:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        process = self.start(str(gunicorn), "branchwork.wsgi", "--bind", f"127.0.0.1:{port}",
                             "--workers", str(workers), "--preload", "--timeout", "120",
                             "--log-level", "warning", log=log)
        wait_for(lambda: http_ok(f"http://127.0.0.1:{port}/accounts/login/"), 300,
                 f"the server on port {port} to answer")
        return process

    def kill(self, process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        """Signal the process (and, for gunicorn, its workers: the whole process group's own)."""
        children = _children(process.pid)
        process.send_signal(sig)
        if sig == signal.SIGKILL:
            for pid in children:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        process.wait(timeout=30)
        process.log.close()  # type: ignore[attr-defined]
        for pid in children:  # reap nothing: they are the server's children, gone with it
            _wait_gone(pid)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if not process.log.closed:  # type: ignore[attr-defined]
                process.log.close()  # type: ignore[attr-defined]

    def query(self, sql: str, params=()) -> list[tuple]:
        """Read the database as it is on disk (a reader beside the running processes)."""
        with closing(sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=20)) as conn:
            return conn.execute(sql, params).fetchall()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _wait_gone(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def wait_for(condition, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


def migrated_template(root: Path) -> Path:
    """A migrated instance folder with the personas, made once and copied by each test."""
    template = root / "template"
    if (template / "ready").exists():
        return template
    template.mkdir(parents=True, exist_ok=True)
    instance = Instance(template)
    from branchwork.instance import REPO_DIR  # noqa: F401 (the package is importable)

    instance.command("migrate", "--no-input", timeout=900)
    instance.command("collectstatic", "--no-input", "--verbosity", "0", timeout=600)
    instance.python("""
        from branchwork.core.testing import build_personas
        from django.db import connection
        build_personas()
        connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(json.dumps({}))
    """)
    (template / "ready").write_text("1")
    return template


def new_instance(template: Path, path: Path, **env) -> Instance:
    shutil.copytree(template, path, ignore=shutil.ignore_patterns("ready", "*.log"))
    return Instance(path, **env)
