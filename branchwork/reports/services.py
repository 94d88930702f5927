"""Writes of the reports app: a ledger export is requested here and built by the task worker."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.core.models import Organization
from branchwork.reports.models import ExportFormat, LedgerExport
from branchwork.rulebook.loader import get_rulebook

FIRST_YEAR = 2000


def check_ledger_request(*, year: int, type_code: str | None, fmt: str) -> None:
    """Raise ValidationError naming the field that is wrong."""
    if not isinstance(year, int) or not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": _("Choose a year between %(first)s and %(last)s.") % {
            "first": FIRST_YEAR, "last": timezone.localdate().year + 1}})
    if type_code and type_code not in get_rulebook().types:
        raise ValidationError({"type_code": _("Unknown activity type: %(codes)s") % {"codes": type_code}})
    if fmt not in ExportFormat.values:
        raise ValidationError({"format": _("Unknown format: %(format)s (one of %(formats)s)") % {
            "format": fmt, "formats": ", ".join(ExportFormat.values)}})


@transaction.atomic
def ledger_export_request(
    *, by, organization: Organization, year: int, type_code: str | None, fmt: str,
) -> LedgerExport:
    """Queue the build of a ledger; the task starts once this transaction commits."""
    check_ledger_request(year=year, type_code=type_code, fmt=fmt)
    export = LedgerExport.objects.create(
        organization=organization, year=year, type_code=type_code or "", format=fmt,
        requested_by=by,
    )
    from branchwork.reports.tasks import build_ledger_export

    transaction.on_commit(lambda: build_ledger_export.enqueue(export_id=export.pk))
    return export
