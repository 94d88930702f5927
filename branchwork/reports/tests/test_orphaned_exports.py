"""A ledger export whose task worker died does not build for ever (core.worker, reports.tasks)."""

import datetime
import subprocess

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from branchwork.core import worker as leases
from branchwork.core.models import TaskWorker
from branchwork.reports.models import ExportStatus, LedgerExport
from branchwork.reports.tasks import build_ledger_export

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


@override_settings(TASK_MAX_ATTEMPTS=1)
def test_a_ledger_export_whose_task_is_given_up_says_so(personas):
    export = LedgerExport.objects.create(
        organization=personas.branch_a, year=2026, format="pdf", requested_by=personas.alice,
        status=ExportStatus.RUNNING, progress=65)
    with override_settings(TASKS=DATABASE_TASKS):
        result = build_ledger_export.enqueue(export_id=export.pk)
    TaskWorker.objects.create(worker_id="gone", host=leases.this_host(), pid=dead_pid())
    DBTaskResult.objects.get(pk=result.id).claim("gone")
    assert leases.reclaim().failed == [str(result.id)]
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.error  # the page shows why, in the deployment's language


@override_settings(TASKS=DATABASE_TASKS)
def test_a_ledger_export_left_building_with_no_task_behind_it_shows_failed(personas, login):
    export = LedgerExport.objects.create(
        organization=personas.branch_a, year=2026, format="pdf", requested_by=personas.alice,
        status=ExportStatus.RUNNING, progress=65)
    LedgerExport.objects.filter(pk=export.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5))
    url = reverse("reports:ledger_status", args=[personas.branch_a.code, export.pk])
    body = login(personas.alice).get(url).json()
    assert body["status"] == "failed" and body["error"]
