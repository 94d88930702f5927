"""SIGKILL of the application server during writes: no acknowledged write is lost, none is half
written, and the server starts again on the same database (issue 13, `make chaos`).

Four clients schedule activities through the API against gunicorn (two workers, the production
settings, SQLite in WAL mode); the server and its workers are killed with SIGKILL mid-stream.
Every activity answered 201 must be there after the restart, with its types and its audit entry
(written in the same transaction); the database passes `PRAGMA integrity_check`.
"""

import json
import signal
import sqlite3
import threading
import urllib.error
import urllib.request
from contextlib import closing

from branchwork.tests.chaos import chaos, free_port, new_instance, wait_for

pytestmark = chaos


def post(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Token {token}", "Content-Type": "application/json",
        "Accept-Language": "en"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def test_a_killed_server_loses_no_acknowledged_write(chaos_template, tmp_path):
    instance = new_instance(chaos_template, tmp_path / "site")
    token = instance.command("create_api_token", "alice").stdout.strip()
    people = instance.python("""
        from branchwork.core.models import Person
        print(json.dumps({p.user.username: p.pk for p in Person.objects.filter(user__username__in=["alice", "bob"])}))
    """)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/activities/"
    acknowledged: dict[str, int] = {}
    failures: list[int] = []
    stop = threading.Event()

    def client(k: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            title = f"压力测试 {k}-{n}"
            try:
                code, body = post(url, token, {
                    "organization": "branch-a", "types": ["theme_day", "collective_study"],
                    "title": title, "starts_at": "2030-05-14T14:30", "ends_at": "2030-05-14T16:30",
                    "place": "三楼会议室", "host": people["alice"], "recorder": people["bob"],
                    "agenda": ["学习党章"]})
            except OSError:  # the server is down: the write was not acknowledged
                continue
            if code == 201:
                acknowledged[title] = body["id"]
            else:
                failures.append(code)

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(4)]
    try:
        server = instance.server(port)
        for t in threads:
            t.start()
        wait_for(lambda: len(acknowledged) >= 30, 180, "30 acknowledged writes")
        instance.kill(server, signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert not failures, failures  # no 5xx (nor anything else) while it ran
        server = instance.server(port, log="server2.log")
        with closing(sqlite3.connect(instance.db, timeout=20)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = dict(conn.execute(
                "SELECT title, id FROM activities_activity WHERE title LIKE '压力测试 %'").fetchall())
            types = dict(conn.execute(
                "SELECT a.id, count(t.id) FROM activities_activity a LEFT JOIN "
                "activities_activitytypetag t ON t.activity_id = a.id "
                "WHERE a.title LIKE '压力测试 %' GROUP BY a.id").fetchall())
            audited = {int(x) for (x,) in conn.execute(
                "SELECT object_id FROM core_auditentry e JOIN django_content_type c "
                "ON c.id = e.content_type_id WHERE c.app_label = 'activities' "
                "AND c.model = 'activity' AND e.action = 'create'")}
        lost = {title for title in acknowledged if title not in stored}
        assert not lost, f"{len(lost)} acknowledged writes lost: {sorted(lost)[:5]}"
        assert all(count == 2 for count in types.values()), types  # no half-written activity
        assert set(stored.values()) <= audited
        # The restarted server serves what was written before the kill.
        title, pk = next(iter(acknowledged.items()))
        request = urllib.request.Request(f"{url}{pk}/", headers={"Authorization": f"Token {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.loads(response.read())["title"] == title
    finally:
        stop.set()
        instance.stop_all()
