"""`branchwork db_worker`: django-tasks' database worker, with a lease on the tasks it runs.

The worker records itself (host, process id) and keeps a heartbeat; at start and periodically it
reclaims the tasks left RUNNING by workers that died (core.worker). Options are those of
django-tasks' own command; `--worker-id` defaults to host:pid:random.
"""

from django_tasks_db.management.commands import db_worker as upstream

from branchwork.core import backup
from branchwork.core import worker as leases


class Command(upstream.Command):
    help = ("Run the background task worker; tasks left running by a worker that died are "
            "retried or failed visibly.")

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None)

    def handle(self, **options) -> None:
        worker_id = options.get("worker_id") or leases.new_worker_id()
        options["worker_id"] = worker_id
        backup.mark_running("worker")
        leases.register(worker_id)
        report = leases.reclaim()
        if report and options.get("verbosity", 1):
            self.stdout.write(f"Reclaimed tasks of stopped workers: {len(report.retried)} requeued, "
                              f"{len(report.failed)} failed (no attempt left).")
        keeper = leases.Keeper(worker_id)
        keeper.start()
        try:
            super().handle(**options)
        finally:
            keeper.stop()
            leases.unregister(worker_id)
