"""The first requests after a cold start of the server (issue 14, item 6: under 1 s).

Each run starts gunicorn afresh as `make serve` does (two workers, --preload, the production
settings), waits until the port answers, then times, on new connections: the first page
(the login page), the login itself (POST) and the member's own page `/my/`. Five restarts; the
median of each. For comparison the same without the warm-up (BRANCHWORK_WARMUP=0, no --preload),
as the server started before: the workers then load everything on their first requests.

    python bench/first_request_bench.py --repeat 5 --out first.json   # normally through run.py
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from generate import setup_django

BUDGET_S = 1.0
PASSWORD = "bench-first-request"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"gunicorn did not open port {port} in {timeout} s")


def one_start(*, warm: bool, username: str) -> dict:
    port = _free_port()
    args = [str(Path(sys.executable).parent / "gunicorn"), "branchwork.wsgi",
            "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"]
    env = dict(os.environ)
    if warm:
        args.append("--preload")
    else:
        env["BRANCHWORK_WARMUP"] = "0"
    started = time.perf_counter()
    server = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_port(port, server)
        ready = time.perf_counter() - started
        base = f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        # A new connection for each request (no keep-alive): each may reach either worker.
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.addheaders = [("Accept-Language", "zh-hans")]

        def timed(request) -> tuple[float, str]:
            t0 = time.perf_counter()
            with opener.open(request, timeout=120) as response:
                body = response.read().decode()
            return time.perf_counter() - t0, body

        first, page = timed(f"{base}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username,
                                       "password": PASSWORD, "next": "/my/"}).encode()
        login, my_page = timed(urllib.request.Request(
            f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}))
        if "/accounts/logout/" not in my_page:
            raise SystemExit("the login did not reach the member's page")
        my, _body = timed(f"{base}/my/")
        # The same login once more, on a warm server: what a login costs anyway (the password
        # hash, Argon2, is slow on purpose), to read the first login's time against.
        jar.clear()
        _t, page = timed(f"{base}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username,
                                       "password": PASSWORD, "next": "/my/"}).encode()
        again, _body = timed(urllib.request.Request(
            f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}))
        return {"ready_s": ready, "first_s": first, "login_s": login, "my_s": my,
                "login_again_s": again}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold-repeat", type=int, default=3,
                        help="starts without the warm-up, for comparison (0: none)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    setup_django()
    started = time.perf_counter()
    from django.contrib.auth import get_user_model
    from django.db import connections

    from branchwork.core.testing import build_personas

    if not get_user_model().objects.filter(username="alice").exists():
        build_personas()
    user = get_user_model().objects.get(username="alice")
    user.set_password(PASSWORD)
    user.save()
    connections.close_all()
    generate_s = time.perf_counter() - started
    runs = {"warm": [one_start(warm=True, username="alice") for _ in range(args.repeat)],
            "cold": [one_start(warm=False, username="alice") for _ in range(args.cold_repeat)]}
    metrics = []
    for mode, label in (("warm", "with the warm-up and --preload"),
                        ("cold", "without the warm-up (as before)")):
        if not runs[mode]:
            continue
        for key, what in (("first_s", "First page after a start (login page)"),
                          ("login_s", "Login after a start (POST, then /my/)"),
                          ("my_s", "/my/ after a start"),
                          ("login_again_s", "A second login on the same server (steady state)"),
                          ("ready_s", "Start until the port answers")):
            metrics.append({
                "name": f"{key[:-2]}_{mode}", "label": f"{what}, {label}",
                "budget_s": BUDGET_S if mode == "warm" and key in ("first_s", "login_s", "my_s") else None,
                # Every run is a cold start: none is a warm-up to drop.
                "cold_start": True, "runs_s": [r[key] for r in runs[mode]],
            })
    result = {"benchmark": "first_request", "metrics": metrics,
              "data": {"generate_s": round(generate_s, 1), "workers": 2,
                       "restarts": args.repeat, "restarts_without_warmup": args.cold_repeat},
              "notes": ["every run is a fresh server start (no run is dropped as a warm-up); "
                        "2 gunicorn workers; a new connection per request",
                        "the machine is shared with other engineers' test runs: times are noisy, "
                        "compare the load average"]}
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    main()
