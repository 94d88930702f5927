"""Two application servers, one PostgreSQL, one Redis (issue 13, `make chaos` with DATABASE_URL).

Each server is a machine of its own: its own instance folder (so no shared generation file), the
same secret key, the same database and the shared cache (`CACHE_URL=redis://…`). A change made
through one, or by a third process, is seen by the other at its next request, although the other
has the page in its cache already: a new article on the home page, a view restriction that hides
an article from visitors, an approval. Then clients spread their requests over both servers in
turn (no proxy: round robin in the client) and none may fail.

Run by `make chaos` when DATABASE_URL names a PostgreSQL server (CI); skipped when the Redis
server on 127.0.0.1:6379 does not answer, or without BRANCHWORK_CHAOS=1.
"""

from __future__ import annotations

import itertools
import json
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from branchwork.tests.chaos import Instance, chaos, free_port

pytestmark = chaos

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# A Redis database of its own, emptied before and after: nothing else on the server is touched.
REDIS_DB = 13


def _redis(*command: str) -> str:
    """One Redis command over a plain socket (RESP), so that the test needs no client of its own."""
    payload = f"*{len(command)}\r\n" + "".join(f"${len(c.encode())}\r\n{c}\r\n" for c in command)
    with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=5) as s:
        s.sendall(payload.encode())
        return s.recv(1024).decode(errors="replace")


def _redis_answers() -> bool:
    try:
        return _redis("PING").startswith("+PONG")
    except OSError:
        return False


def get(url: str, *, token: str = "") -> tuple[int, str]:
    headers = {"Accept-Language": "zh-hans"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def post(url: str, *, token: str) -> int:
    request = urllib.request.Request(url, data=b"{}", method="POST", headers={
        "Authorization": f"Token {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def database(pg_database):
    if not _redis_answers():
        pytest.skip(f"no Redis server answers on {REDIS_HOST}:{REDIS_PORT}")
    return pg_database


def test_two_servers_share_one_database_and_one_cache(database, tmp_path):
    cache_url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    env = {"DATABASE_URL": database, "CACHE_URL": cache_url}
    one = Instance(tmp_path / "one", **env)
    two = Instance(tmp_path / "two", STATIC_ROOT=tmp_path / "one" / "static", **env)
    shutil.copy(one.path / "secret_key", two.path / "secret_key")
    one.command("migrate", "--no-input", timeout=900)
    one.command("collectstatic", "--no-input", "--verbosity", "0", timeout=600)
    _redis_flush()
    made = one.python("""
        from django.utils import timezone
        from rest_framework.authtoken.models import Token
        from branchwork.activities.models import ActivityStatus
        from branchwork.activities.testing import held_activity
        from branchwork.core.testing import build_personas
        from branchwork.publishing.testing import build_portal, make_article, make_channel
        p = build_portal(build_personas())
        channel = make_channel(p.home, "理论学习", "lilun")
        first = make_article(channel, "第一篇公开文章")
        activity = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                                 starts_at=timezone.now() - timezone.timedelta(days=3),
                                 title="两台服务器的主题党日", host=p.people.alice,
                                 recorder=p.people.bob)
        from branchwork.activities import services
        services.minutes_submit(by=p.alice, activity=activity)
        print(json.dumps({"first": first.url, "first_id": first.pk, "channel": channel.pk, "activity": activity.pk,
                          "alice": Token.objects.get_or_create(user=p.alice)[0].key}))
    """)
    servers = [free_port(), free_port()]
    try:
        for instance, port in zip((one, two), servers):
            instance.server(port, workers=1, log=f"server-{port}.log")
        base = [f"http://127.0.0.1:{port}" for port in servers]

        # Both servers have the home page and the article in their cache.
        for url in base:
            assert get(f"{url}/")[0] == 200
            assert "第一篇公开文章" in get(f"{url}{made['first']}")[1]

        # 1. An article published by a third process is on the second server's home page at once.
        second = one.python(f"""
            from branchwork.publishing.models import ChannelPage
            from branchwork.publishing.testing import make_article
            article = make_article(ChannelPage.objects.get(pk={made['channel']}), "第二篇公开文章")
            print(json.dumps({{"url": article.url}}))
        """)["url"]
        assert "第二篇公开文章" in get(f"{base[1]}/")[1]

        # 2. A view restriction hides the first article from visitors of the second server.
        one.python(f"""
            from wagtail.models import Page, PageViewRestriction
            page = Page.objects.get(pk={made['first_id']})
            PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
            print(json.dumps({{}}))
        """)
        status, body = get(f"{base[1]}{made['first']}")
        assert "第一篇公开文章" not in body, status

        # 3. Approved through the first server, the record is locked on the second.
        api = "/api/v1/activities/{}/".format(made["activity"])
        assert post(f"{base[0]}{api}approve/", token=made["alice"]) == 200
        status, body = get(f"{base[1]}{api}", token=made["alice"])
        assert status == 200 and json.loads(body)["status"] == "locked", body
        assert post(f"{base[1]}{api}approve/", token=made["alice"]) == 409

        # 4. Clients in turn over both servers: mixed pages, no error.
        paths = ["/", second, "/search/?q=%E6%96%87%E7%AB%A0", api, "/accounts/login/"]
        counts = {"ok": 0, "failed": []}
        turn = itertools.cycle(base)
        lock = threading.Lock()
        stop = time.monotonic() + 20

        def client() -> None:
            n = 0
            while time.monotonic() < stop:
                with lock:
                    server = next(turn)
                path = paths[n % len(paths)]
                n += 1
                try:
                    status, _body = get(server + path, token=made["alice"] if path == api else "")
                except OSError as exc:  # refused, reset, timed out: a failure too
                    status = repr(exc)
                with lock:
                    if status in (200, 302):
                        counts["ok"] += 1
                    else:
                        counts["failed"].append((server, path, status))

        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        print(f"two servers, 8 clients, 20 s: {counts['ok']} answers, "
              f"{counts['ok'] / 20:.0f} req/s, {len(counts['failed'])} errors")
        assert counts["ok"] > 0 and not counts["failed"], counts["failed"][:5]
    finally:
        one.stop_all()
        two.stop_all()
        _redis_flush()


def _redis_flush() -> None:
    # SELECT and FLUSHDB in one connection: the database is the test's own.
    payload = (f"*2\r\n$6\r\nSELECT\r\n${len(str(REDIS_DB))}\r\n{REDIS_DB}\r\n"
               "*1\r\n$7\r\nFLUSHDB\r\n")
    with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=5) as s:
        s.sendall(payload.encode())
        s.recv(1024)
