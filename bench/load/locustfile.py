"""Members on mixed pages (or on the trivial view alone), for bench/load_bench.py.

Each simulated member signs in once, then requests without pause, closed loop: LOAD_PATHS (JSON
list) in turn, from a different starting point for each member. The measured window opens when the
last of the LOAD_USERS members has signed in and lasts LOAD_SECONDS; then the run stops. Signing in
is not measured and does not eat into the window: the deployment's password hasher (Argon2, about
half a second of a core each) made 50 sign-ins fill most of a 30 s window on 2 cores, and the pages
asked for meanwhile waited behind them. Every response time inside the window is kept and written
to LOAD_OUT at the end (with the window's length), so percentiles are exact over the window.
"""

import itertools
import json
import os
import re
import time

import gevent
from locust import HttpUser, constant, events, task

PATHS = json.loads(os.environ["LOAD_PATHS"])
USERNAME = os.environ["LOAD_USER"]
PASSWORD = os.environ["LOAD_PASSWORD"]
USERS = int(os.environ["LOAD_USERS"])
SECONDS = float(os.environ["LOAD_SECONDS"])
times: list[float] = []
errors: list[str] = []
_start = itertools.count()
_signed_in = itertools.count(1)
window: dict[str, float] = {}  # "opened", "closes" (time.monotonic())
_environment = None


@events.init.add_listener
def _init(environment, **kwargs):
    global _environment
    _environment = environment


def _measuring() -> bool:
    if "opened" not in window:
        return False
    if time.monotonic() < window["closes"]:
        return True
    if not window.get("stopping"):
        window["stopping"] = True
        gevent.spawn(_environment.runner.quit)
    return False


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kwargs):
    if name == "login" or not _measuring():
        return
    if exception is not None:
        errors.append(f"{name}: {exception}"[:200])
    else:
        times.append(response_time)


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(os.environ["LOAD_OUT"], "w") as fh:
        json.dump({"times_ms": times, "errors": errors, "window_s": SECONDS,
                   "closed": bool(window.get("stopping"))}, fh)


class Member(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.client.post("/accounts/login/", name="login", allow_redirects=False,
                         data={"username": USERNAME, "password": PASSWORD,
                               "csrfmiddlewaretoken": token},
                         headers={"Referer": self.host + "/accounts/login/"})
        offset = next(_start)
        if next(_signed_in) == USERS:
            now = time.monotonic()
            window.update(opened=now, closes=now + SECONDS)
        self.paths = itertools.islice(itertools.cycle(PATHS), offset % len(PATHS), None)

    @task
    def page(self):
        path = next(self.paths)
        with self.client.get(path, name=path, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
