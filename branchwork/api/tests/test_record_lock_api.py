"""Through the API, a locked record takes no write, and racing state changes are serialized.

The race tests use real threads against a real database (the SQLite test database is a file for
this, see `branchwork/conftest.py`; PostgreSQL when DATABASE_URL names one): each pair of
requests is released at once by a barrier, and exactly one of them may win.
"""

import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from branchwork.activities import services
from branchwork.activities.models import Activity, ActivityStatus
from branchwork.activities.testing import at, held_activity
from branchwork.api.tests.test_activities_api import EN, activity_url

MEETING_DAY = at(2026, 10, 9)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(at(2026, 10, 20, 10, 0), tick=False)


def _held(p, **extra) -> Activity:
    return held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                         starts_at=MEETING_DAY, host=p.people.alice, recorder=p.people.bob,
                         minutes="<p>原始记录。</p>", **extra)


def _state(activity):
    fresh = Activity.objects.get(pk=activity.pk)
    return (fresh.status, fresh.minutes, fresh.place, fresh.minutes_version,
            sorted(fresh.attendance.values_list("pk", "status")),
            list(fresh.resolutions.values_list("text", flat=True)))


@pytest.mark.django_db
def test_every_write_to_a_locked_record_answers_409_and_changes_nothing(personas, api):
    p = personas
    activity = _held(p, lock=True)
    alice, bob = api(p.alice), api(p.bob)
    row = activity.attendance.get(person=p.people.bob)
    before = _state(activity)
    version = activity.minutes_version

    answers = {
        "minutes": bob.post(activity_url(activity, "minutes"), {
            "minutes": "改写已锁定的记录", "version": version,
            "resolutions": [{"text": "偷偷加的决议"}]}, format="json", **EN),
        "attendance": bob.post(activity_url(activity, "attendance"), {
            "marks": [{"id": row.pk, "status": "absent"}]}, format="json", **EN),
        "patch": alice.patch(activity_url(activity), {"place": "别处"}, format="json", **EN),
        "submit": bob.post(activity_url(activity, "submit"), format="json", **EN),
        "approve": alice.post(activity_url(activity, "approve"), format="json", **EN),
        "return": alice.post(activity_url(activity, "return"), {"comment": "退回"},
                             format="json", **EN),
    }

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 409)
    assert "locked" in answers["minutes"].json()["detail"]
    assert _state(activity) == before


@pytest.mark.django_db
def test_a_minutes_save_from_an_old_version_answers_409_with_the_stored_text(personas, api):
    p = personas
    activity = _held(p)
    bob, alice = api(p.bob), api(p.alice)
    version = activity.minutes_version
    first = alice.post(activity_url(activity, "minutes"),
                       {"minutes": "李爱丽的版本", "version": version}, format="json")
    assert first.status_code == 200 and first.json()["version"] == version + 1

    second = bob.post(activity_url(activity, "minutes"),
                      {"minutes": "王博的版本", "version": version}, format="json", **EN)

    assert second.status_code == 409
    body = second.json()
    assert body["current"]["minutes"] == "<p>李爱丽的版本</p>"
    assert body["version"] == version + 1
    assert "Someone else saved" in body["detail"]
    assert Activity.objects.get(pk=activity.pk).minutes == "<p>李爱丽的版本</p>"
    # Without a version the API does not guess: it asks for one.
    third = bob.post(activity_url(activity, "minutes"), {"minutes": "x"}, format="json")
    assert third.status_code == 400 and set(third.json()) == {"version"}


def _twins(client, n: int = 2) -> list[APIClient]:
    """Clients sending the same token (issuing a new token would revoke the earlier one)."""
    clients = [client]
    for _ in range(n - 1):
        twin = APIClient()
        twin.credentials(**client._credentials)
        clients.append(twin)
    return clients


def _race(calls):
    """Run the calls at once (a barrier releases them together); return their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_approve_and_return_one_wins_and_the_other_gets_409(personas, api):
    p = personas
    outcomes = []
    for _ in range(8):
        activity = _held(p)
        services.minutes_submit(by=p.bob, activity=activity)
        approve, send_back = _twins(api(p.alice))
        results = _race([
            lambda a=activity: approve.post(activity_url(a, "approve"), format="json", **EN),
            lambda a=activity: send_back.post(activity_url(a, "return"), {"comment": "退回"},
                                              format="json", **EN),
        ])
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409], [r.content for r in results]
        fresh = Activity.objects.get(pk=activity.pk)
        winner = "approve" if results[0].status_code == 200 else "return"
        expected = ActivityStatus.LOCKED if winner == "approve" else ActivityStatus.HELD
        assert fresh.status == expected
        # The revision log says what happened, in order, with nothing after the loser.
        actions = list(fresh.revisions.order_by("pk").values_list("object_str", flat=True))
        assert actions  # a revision per step
        log = [e.action for e in _log(fresh)]
        assert log[-1] == ("branchwork.approve" if winner == "approve" else "branchwork.return")
        assert "branchwork.approve" not in log or "branchwork.return" not in log
        outcomes.append(winner)
    assert len(outcomes) == 8


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_minute_saves_keep_one_and_refuse_nineteen(personas, api):
    p = personas
    activity = _held(p)
    version = activity.minutes_version
    clients = _twins(api(p.bob), 20)
    results = _race([
        lambda c=c, i=i: c.post(activity_url(activity, "minutes"),
                                {"minutes": f"版本{i}", "version": version}, format="json")
        for i, c in enumerate(clients)
    ])
    codes = [r.status_code for r in results]
    assert sorted(codes) == [200] + [409] * 19, [r.content for r in results if r.status_code >= 500]
    winner = codes.index(200)
    fresh = Activity.objects.get(pk=activity.pk)
    assert fresh.minutes == f"<p>版本{winner}</p>"
    assert fresh.minutes_version == version + 1
    assert all(r.json()["current"]["minutes"] == f"<p>版本{winner}</p>"
               for r in results if r.status_code == 409)


def _log(activity):
    from wagtail.models import ModelLogEntry

    return ModelLogEntry.objects.filter(object_id=str(activity.pk)).order_by("pk")
