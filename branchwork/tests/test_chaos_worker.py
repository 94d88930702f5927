"""SIGKILL of a real `db_worker` mid-task: after restarts the ledger, the journal PDF and the
mail receipt all complete, and no task is left RUNNING (issue 13, item 3).

Before the leases (core.worker), the killed worker's task stayed RUNNING for ever: the ledger at
its last percentage, the journal PDF's build returned to every reader, the receipt never sent.
"""

import signal

import pytest

from branchwork.tests.chaos import chaos, free_port, new_instance, wait_for

pytestmark = chaos

SEED = """
    from django.core.files.base import ContentFile
    from django.db import transaction
    from branchwork.core.models import Organization
    from django.contrib.auth import get_user_model
    from branchwork.intake.models import IncomingMessage, MessageStatus
    from branchwork.intake.tasks import send_receipt
    from branchwork.journal import services as journal_services
    from branchwork.journal.testing import make_issue, make_journal
    from branchwork.reports import services as report_services
    sys.path.insert(0, {bench!r})
    from generate import generate

    made = generate(branches=1, activities={activities}, attendees=25, photos=False, year=2026)
    branch = made.branches[0]
    alice = get_user_model().objects.get(username="alice")
    journal = make_journal(Organization.objects.get(code="branch-a"), slug="yjs-tongxun")
    issue, _titles, _captions = make_issue(journal, n_articles=12, image_every=4)
    with transaction.atomic():
        export = report_services.ledger_export_request(
            by=alice, organization=branch, year=2026, type_code=None, fmt="pdf")
    build = journal_services.pdf_request(issue=issue, by=alice)
    message = IncomingMessage.objects.create(
        raw=ContentFile(b"Subject: x\\r\\n\\r\\ny\\r\\n", name="m.eml"), from_address="bob@example.org",
        header_from="Bob <bob@example.org>", subject="学习体会", title="学习体会",
        status=MessageStatus.HELD)
    send_receipt.enqueue(message_id=message.pk)
    print(json.dumps({{"export": export.pk, "build": build.pk, "message": message.pk}}))
"""


@pytest.fixture
def smtp_inbox():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.recipients = []

        async def handle_DATA(self, server, session, envelope):
            self.recipients.extend(envelope.rcpt_tos)
            return "250 OK"

    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def running_tasks(instance) -> list[tuple[str, str]]:
    return instance.query("SELECT id, task_path FROM django_tasks_database_dbtaskresult "
                          "WHERE status = 'RUNNING'")


def test_a_killed_worker_leaves_nothing_stuck(chaos_template, tmp_path, smtp_inbox):
    from pathlib import Path

    bench = str(Path(__file__).resolve().parents[2] / "bench")
    instance = new_instance(chaos_template, tmp_path / "site", EMAIL_HOST="127.0.0.1",
                            EMAIL_PORT=smtp_inbox.port, EMAIL_TIMEOUT=10, TASK_HEARTBEAT_SECONDS=1,
                            TASK_RECLAIM_SECONDS=2)
    ids = instance.python(SEED.format(bench=bench, activities=40))
    table = instance.query("SELECT name FROM sqlite_master WHERE name LIKE '%dbtaskresult'")[0][0]
    assert table == "django_tasks_database_dbtaskresult"
    try:
        kills = []
        # First kill: the ledger mid-build (its progress moved past the start).
        worker = instance.worker()
        wait_for(lambda: instance.query(
            "SELECT 1 FROM reports_ledgerexport WHERE id = ? AND status = 'running' AND progress > 1",
            (ids["export"],)), 120, "the ledger to be building", interval=0.02)
        instance.kill(worker, signal.SIGKILL)
        progress = instance.query("SELECT status, progress FROM reports_ledgerexport WHERE id = ?",
                                  (ids["export"],))[0]
        assert progress[0] == "running", progress  # what was stuck for ever before the leases
        kills.append(running_tasks(instance))
        # Second kill: whatever task the restarted worker runs next, as soon as it runs.
        worker = instance.worker(log="worker2.log")
        first_killed = {row[0] for row in kills[0]}
        wait_for(lambda: [r for r in running_tasks(instance) if r[0] not in first_killed]
                 or None, 120, "the next task to start", interval=0.01)
        instance.kill(worker, signal.SIGKILL)
        kills.append(running_tasks(instance))
        assert all(kills), kills  # each kill left a RUNNING task behind
        # The third worker finishes everything.
        instance.worker(log="worker3.log")

        def finished():
            rows = instance.query("SELECT status FROM django_tasks_database_dbtaskresult")
            return rows and all(status in ("SUCCESSFUL", "FAILED") for (status,) in rows)

        wait_for(finished, 240, "every task to finish")
        statuses = dict(instance.query("SELECT task_path, status FROM django_tasks_database_dbtaskresult"))
        assert set(statuses.values()) == {"SUCCESSFUL"}, statuses
        export = instance.query("SELECT status, file FROM reports_ledgerexport WHERE id = ?",
                                (ids["export"],))[0]
        assert export[0] == "done" and (instance.media / export[1]).stat().st_size > 1000
        build = instance.query("SELECT status, file FROM journal_issuebuild WHERE id = ?",
                               (ids["build"],))[0]
        assert build[0] == "done" and (instance.media / build[1]).read_bytes()[:5] == b"%PDF-"
        sent = instance.query("SELECT receipt_sent_at FROM intake_incomingmessage WHERE id = ?",
                              (ids["message"],))[0][0]
        assert sent is not None
        wait_for(lambda: smtp_inbox.recipients, 10, "the receipt to arrive")
        assert smtp_inbox.recipients == ["bob@example.org"]  # once, not once per attempt
        attempts = instance.query("SELECT worker_ids FROM django_tasks_database_dbtaskresult")
        assert max(len(eval(w)) for (w,) in attempts) >= 2  # noqa: S307 (a JSON list of strings)
    finally:
        instance.stop_all()
