"""Leases for background tasks: no task stays RUNNING after its worker died.

django-tasks' database backend marks a task RUNNING when a worker claims it and appends the
worker's id to `worker_ids`; if the worker is killed (SIGKILL, out of memory, a reboot), the row
stays RUNNING for ever and nothing runs it again. Here each `branchwork db_worker` records itself
(`TaskWorker`: id, host, process id) and refreshes `last_seen` every `TASK_HEARTBEAT_SECONDS`.
A worker is gone when its heartbeat is older than `TASK_LEASE_SECONDS`, or at once when it ran on
this host and its process no longer exists. `reclaim()` (run by every worker at start and
every `TASK_RECLAIM_SECONDS`) puts the tasks of gone workers back in the queue, up to
`TASK_MAX_ATTEMPTS` attempts in all, and then marks them failed with the reason, so that the
failure is visible in the back office and to the page that waits for the result. Apps register
what their own records should show when that happens with `core.tasks.on_worker_lost`.

A task may therefore run twice (the worker died after its work, before recording success): tasks
are written to be safe to repeat (a build replaces its file, a receipt is sent once).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

logger = logging.getLogger("branchwork.tasks")

WORKER_LOST = "branchwork.core.worker.WorkerLost"


class WorkerLost(Exception):
    """The worker that ran a task stopped before the task finished."""


def lease_seconds() -> int:
    return int(getattr(settings, "TASK_LEASE_SECONDS", 120))


def heartbeat_seconds() -> float:
    return float(getattr(settings, "TASK_HEARTBEAT_SECONDS", 10))


def reclaim_seconds() -> float:
    return float(getattr(settings, "TASK_RECLAIM_SECONDS", 30))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "TASK_MAX_ATTEMPTS", 3)))


def this_host() -> str:
    return socket.gethostname()[:255]


def new_worker_id() -> str:
    """Unique across the pool and readable in the back office: host, process id, a random tail."""
    host = this_host().split(".")[0][:32]
    return f"{host}:{os.getpid()}:{get_random_string(8)}"[:64]


def process_exists(pid: int) -> bool:
    """Whether a process with this id exists on this host (a zombie counts as existing)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def register(worker_id: str) -> None:
    from branchwork.core.models import TaskWorker

    now = timezone.now()
    TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": this_host(), "pid": os.getpid(), "started_at": now, "last_seen": now})


def beat(worker_id: str) -> None:
    from branchwork.core.models import TaskWorker

    if not TaskWorker.objects.filter(worker_id=worker_id).update(last_seen=timezone.now()):
        register(worker_id)


def unregister(worker_id: str) -> None:
    from branchwork.core.models import TaskWorker

    TaskWorker.objects.filter(worker_id=worker_id).delete()


@dataclass
class ReclaimReport:
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.retried or self.failed)


def _why_gone(worker_id: str | None, workers: dict, started_at, now, host: str) -> str | None:
    """The reason the worker of a RUNNING task is gone, or None while it may still be at work."""
    lease = datetime.timedelta(seconds=lease_seconds())
    worker = workers.get(worker_id) if worker_id else None
    if worker is None:
        # Not a worker that keeps a heartbeat (claimed before leases existed, or its record was
        # removed): only the age of the attempt can tell.
        if started_at is None or started_at < now - lease:
            return f"worker {worker_id or '?'} unknown and the attempt started at {started_at}"
        return None
    if worker.host == host and worker.pid != os.getpid() and not process_exists(worker.pid):
        return f"worker {worker_id} on {worker.host}: process {worker.pid} no longer exists"
    if worker.last_seen < now - lease:
        return f"worker {worker_id} on {worker.host}: no heartbeat since {worker.last_seen:%Y-%m-%d %H:%M:%S%z}"
    return None


def reclaim(*, now: datetime.datetime | None = None, host: str | None = None) -> ReclaimReport:
    """Requeue (or, after the last attempt, fail) every RUNNING task whose worker is gone."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    from branchwork.core.models import TaskWorker

    now = now or timezone.now()
    host = host or this_host()
    report = ReclaimReport()
    lost: list[tuple[str, dict]] = []
    with exclusive_transaction(DBTaskResult.objects.db):
        running = list(DBTaskResult.objects.running().select_for_update(skip_locked=True))
        if not running:
            return report
        ids = {row.worker_ids[-1] for row in running if row.worker_ids}
        workers = {w.worker_id: w for w in TaskWorker.objects.filter(worker_id__in=ids)}
        for row in running:
            worker_id = row.worker_ids[-1] if row.worker_ids else None
            why = _why_gone(worker_id, workers, row.started_at, now, host)
            if why is None:
                continue
            attempts = len(row.worker_ids)
            if attempts < max_attempts():
                row.status = "READY"
                row.save(update_fields=["status"])
                report.retried.append(str(row.id))
                logger.warning("Task %s (%s) requeued after attempt %s of %s: %s",
                               row.id, row.task_path, attempts, max_attempts(), why)
            else:
                row.status = "FAILED"
                row.finished_at = now
                row.return_value = None
                row.exception_class_path = WORKER_LOST
                row.traceback = (f"{WORKER_LOST}: {why}; attempt {attempts} of {max_attempts()}, "
                                 "no attempt left\n")
                row.save(update_fields=["status", "finished_at", "return_value",
                                        "exception_class_path", "traceback"])
                report.failed.append(str(row.id))
                lost.append((row.task_path, row.args_kwargs.get("kwargs") or {}))
                logger.error("Task %s (%s) failed: %s after %s attempts", row.id, row.task_path,
                             why, attempts)
        # Workers gone long ago are forgotten (their tasks were dealt with above).
        TaskWorker.objects.filter(last_seen__lt=now - datetime.timedelta(days=1)).delete()
    for task_path, kwargs in lost:
        _run_lost_handlers(task_path, kwargs)
    return report


def _run_lost_handlers(task_path: str, kwargs: dict) -> None:
    from branchwork.core.tasks import lost_handlers

    try:
        import_string(task_path)  # importing the task's module registers its handlers
    except ImportError:
        return
    for handler in lost_handlers(task_path):
        try:
            handler(**kwargs)
        except Exception:  # a handler's failure must not stop the reclaim of the others
            logger.exception("Handler %s for the lost task %s failed", handler, task_path)


def task_pending(task, **kwargs) -> bool:
    """Whether a task with these keyword arguments waits in the queue or runs (database backend).

    With another backend (immediate in tests) there is no queue to look at: True, so that callers
    never take a build for orphaned."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return True
    lookups = {f"args_kwargs__kwargs__{name}": value for name, value in kwargs.items()}
    return DBTaskResult.objects.filter(
        task_path=task.module_path, status__in=("READY", "RUNNING"), **lookups).exists()


class Keeper(threading.Thread):
    """The worker's companion thread: heartbeat, and the periodic reclaim of others' tasks."""

    def __init__(self, worker_id: str):
        super().__init__(name=f"task-lease-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        last_reclaim = timezone.now()
        try:
            while not self.stopped.wait(heartbeat_seconds()):
                try:
                    close_old_connections()
                    beat(self.worker_id)
                    if (timezone.now() - last_reclaim).total_seconds() >= reclaim_seconds():
                        last_reclaim = timezone.now()
                        reclaim()
                except Exception:  # the database may be busy or gone for a moment: try again
                    logger.exception("Task worker heartbeat failed")
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)
