"""The task pipeline for real: enqueue into the database, run the worker, read what it did."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from branchwork.core.tasks import send_email

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_an_enqueued_task():
    with override_settings(TASKS=DATABASE_TASKS):
        result = send_email.enqueue(subject="支部通知", body="本周五下午开展主题党日活动。", to=["bob@example.org"])
        assert len(mail.outbox) == 0  # queued, not sent
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.status == "SUCCESSFUL"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "支部通知"


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_kept_with_its_error():
    with override_settings(TASKS=DATABASE_TASKS, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST="127.0.0.1", EMAIL_PORT=9, EMAIL_TIMEOUT=2):
        result = send_email.enqueue(subject="x", body="y", to=["bob@example.org"])
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.status == "FAILED"
    assert stored.exception_class_path.endswith("ConnectionRefusedError"), stored.exception_class_path
    assert "ConnectionRefusedError" in stored.traceback
