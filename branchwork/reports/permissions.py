"""Who may take an organization's ledger away in a file, registered with the one policy
(`core.permissions`):

- `permissions.can(user, "export_ledger", org)`: those who manage the organization, and the
  committee office's staff reading it from above (a role of staff in it or in an organization
  over it). Plain members read the records but do not take the whole year's member data away.
- an export (`LedgerExport`) is its requester's alone: `permissions.visible(user, LedgerExport)`.
"""

from django.db.models import QuerySet

from branchwork.core import permissions
from branchwork.core.models import Organization
from branchwork.reports.models import LedgerExport


def can_export_ledger(user, org: Organization) -> bool:
    if not permissions.can_see_org(user, org):
        return False
    return permissions.can_manage_org(user, org) or permissions.is_staff_over(user, org)


def own_exports(user) -> QuerySet[LedgerExport]:
    if not (user.is_authenticated and user.is_active):
        return LedgerExport.objects.none()
    return LedgerExport.objects.filter(requested_by=user)


def register() -> None:
    permissions.register(LedgerExport, visible=own_exports,
                         detail=lambda qs: qs.select_related("organization"))
    permissions.extend(Organization, export_ledger=can_export_ledger)
