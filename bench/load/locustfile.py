"""Members on mixed pages (or on the trivial view alone), for bench/load_bench.py.

Each simulated member signs in once (not measured), then requests without pause, closed loop:
LOAD_PATHS (JSON list) in turn, from a different starting point for each member. Every response
time is kept and written to LOAD_OUT at the end, so percentiles are exact over the run.
"""

import itertools
import json
import os
import re

from locust import HttpUser, constant, events, task

PATHS = json.loads(os.environ["LOAD_PATHS"])
USERNAME = os.environ["LOAD_USER"]
PASSWORD = os.environ["LOAD_PASSWORD"]
times: list[float] = []
errors: list[str] = []
_start = itertools.count()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kwargs):
    if name == "login":
        return
    if exception is not None:
        errors.append(f"{name}: {exception}"[:200])
    else:
        times.append(response_time)


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(os.environ["LOAD_OUT"], "w") as fh:
        json.dump({"times_ms": times, "errors": errors}, fh)


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
        self.paths = itertools.islice(itertools.cycle(PATHS), offset % len(PATHS), None)

    @task
    def page(self):
        path = next(self.paths)
        with self.client.get(path, name=path, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
