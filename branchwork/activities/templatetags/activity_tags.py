from django import template

from branchwork.core import permissions

register = template.Library()


@register.filter
def may_export_ledger(user, org) -> bool:
    """Show the ledger link only to those the ledger page would answer."""
    return permissions.can(user, "export_ledger", org)
