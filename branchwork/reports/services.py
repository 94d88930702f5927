"""Writes of the reports app: a ledger export is requested here and built by the task worker."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from branchwork.core.models import Organization
from branchwork.reports.models import ExportFormat, ExportStatus, LedgerExport
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


# An export is requested, then its task enqueued once the request commits: an export younger
# than this is never taken for orphaned.
ORPHAN_GRACE = datetime.timedelta(seconds=30)


def settle_orphaned(export: LedgerExport) -> LedgerExport:
    """An export left queued or building with no task to finish it (its worker died and the
    task was given up) is marked failed, so that the page stops waiting and offers a new
    request. Returns the export as it now is."""
    from branchwork.core.tasks import WORKER_STOPPED
    from branchwork.core.worker import task_pending
    from branchwork.reports.tasks import build_ledger_export

    if export.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        return export
    if export.created_at > timezone.now() - ORPHAN_GRACE:
        return export
    if task_pending(build_ledger_export, export_id=export.pk):
        return export
    with translation.override(settings.LANGUAGE_CODE):
        error = str(WORKER_STOPPED)
    LedgerExport.objects.filter(pk=export.pk, status=export.status).update(
        status=ExportStatus.FAILED, error=error, finished_at=timezone.now())
    export.refresh_from_db()
    return export
