"""Tasks left RUNNING by a worker that died are requeued, then failed visibly (core.worker).

The worker is simulated by rows (a TaskWorker and a claimed task); the process that "died" is a
real one that has exited, so its id no longer exists on this host. The real SIGKILL of a real
`db_worker` is in branchwork/tests/test_chaos_worker.py (`make chaos`).
"""

import datetime
import os
import subprocess

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from branchwork.core import worker as leases
from branchwork.core.models import TaskWorker
from branchwork.core.tasks import send_email

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def claimed(result_id, worker_id: str, *, started_at=None) -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=result_id)
    row.claim(worker_id)
    if started_at is not None:
        DBTaskResult.objects.filter(pk=row.pk).update(started_at=started_at)
    return DBTaskResult.objects.get(pk=row.pk)


def a_worker(worker_id: str, *, pid: int, host: str | None = None, last_seen=None) -> TaskWorker:
    return TaskWorker.objects.create(worker_id=worker_id, host=host or leases.this_host(), pid=pid,
                                     last_seen=last_seen or timezone.now())


@pytest.fixture
def queued_mail(db):
    with override_settings(TASKS=DATABASE_TASKS):
        yield send_email.enqueue(subject="支部通知", body="周五学习", to=["bob@example.org"])


def test_a_task_whose_worker_process_is_gone_is_requeued_at_once(queued_mail):
    a_worker("gone", pid=dead_pid())
    claimed(queued_mail.id, "gone")
    report = leases.reclaim()
    assert report.retried == [str(queued_mail.id)]
    assert DBTaskResult.objects.get(pk=queued_mail.id).status == "READY"


def test_a_task_of_a_live_worker_is_left_alone(queued_mail):
    a_worker("alive", pid=os.getpid())
    claimed(queued_mail.id, "alive", started_at=timezone.now() - datetime.timedelta(hours=3))
    assert not leases.reclaim()
    assert DBTaskResult.objects.get(pk=queued_mail.id).status == "RUNNING"


def test_a_worker_on_another_host_is_gone_when_its_heartbeat_is_older_than_the_lease(queued_mail):
    now = timezone.now()
    lease = datetime.timedelta(seconds=leases.lease_seconds())
    a_worker("far", pid=1, host="elsewhere", last_seen=now - lease + datetime.timedelta(seconds=5))
    claimed(queued_mail.id, "far")
    assert not leases.reclaim(now=now)
    assert leases.reclaim(now=now + datetime.timedelta(seconds=10)).retried == [str(queued_mail.id)]


def test_a_task_of_an_unknown_worker_waits_for_the_lease_from_its_start(queued_mail):
    now = timezone.now()
    claimed(queued_mail.id, "never-registered", started_at=now - datetime.timedelta(seconds=30))
    assert not leases.reclaim(now=now)
    later = now + datetime.timedelta(seconds=leases.lease_seconds())
    assert leases.reclaim(now=later).retried == [str(queued_mail.id)]


@override_settings(TASK_MAX_ATTEMPTS=2)
def test_after_the_last_attempt_the_task_is_failed_with_the_reason(queued_mail):
    for attempt in ("first", "second"):
        a_worker(attempt, pid=dead_pid())
        claimed(queued_mail.id, attempt)
        report = leases.reclaim()
    assert report.failed == [str(queued_mail.id)] and not report.retried
    row = DBTaskResult.objects.get(pk=queued_mail.id)
    assert row.status == "FAILED"
    assert row.exception_class_path == leases.WORKER_LOST
    assert "process" in row.traceback and "attempt 2 of 2" in row.traceback
    assert row.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_restarted_worker_runs_the_task_its_dead_predecessor_left(personas):
    from django.core import mail

    with override_settings(TASKS=DATABASE_TASKS):
        result = send_email.enqueue(subject="回执", body="已收到", to=["bob@example.org"])
        a_worker("killed", pid=dead_pid())
        claimed(result.id, "killed")
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.worker_ids[0] == "killed" and len(row.worker_ids) == 2
    assert [m.subject for m in mail.outbox] == ["回执"]
    assert not TaskWorker.objects.exclude(worker_id="killed").exists()  # the worker signed off
