"""`branchwork sync_editorial_groups`: set the editorial workflow up and bring its groups up to date.

Editors and signers enter the back office through two groups that follow core's roles. Changes of
roles update them at once, and each login refreshes the user's own; roles that begin or end as the
days pass are caught by running this daily from cron. It also creates whatever of the workflow is
missing (it is idempotent).
"""

from django.core.management.base import BaseCommand

from branchwork.publishing.editorial import EDITORS_GROUP, SIGNERS_GROUP, setup_editorial, sync_editorial_groups


class Command(BaseCommand):
    help = "Create the editorial workflow if missing and make its groups follow today's editor and signer roles."

    def handle(self, *args, **options):
        editorial = setup_editorial()
        added, removed = sync_editorial_groups()
        self.stdout.write(
            f"Workflow “{editorial.workflow.name}”: {EDITORS_GROUP} {editorial.editors.user_set.count()}, "
            f"{SIGNERS_GROUP} {editorial.signers.user_set.count()} "
            f"({added} added, {removed} removed)."
        )
