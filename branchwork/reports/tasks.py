"""Background tasks of reports. Run by `branchwork db_worker` (inline in tests).

A ledger of a busy year takes a second or two to build: long enough that a page should not wait
for it, short enough that the page can show it coming (it polls the export's progress).
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django_tasks import task

from branchwork.core.tasks import WORKER_STOPPED, on_worker_lost
from branchwork.reports import ledger
from branchwork.reports.models import ExportStatus, LedgerExport


@task()
def build_ledger_export(export_id: int) -> str:
    """Build the requested ledger into LedgerExport.file; returns the stored file's name.

    A failure is kept on the export (status failed, the error message) and raised again so that
    the task result records it too."""
    export = LedgerExport.objects.select_related("organization").filter(pk=export_id).first()
    if export is None:
        return ""
    LedgerExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, progress=1)

    def progress(percent: int) -> None:
        LedgerExport.objects.filter(pk=export.pk).update(progress=max(1, min(percent, 99)))

    try:
        # The ledger is an official record: written in the deployment's language.
        with translation.override(settings.LANGUAGE_CODE):
            content, name = ledger.build(
                organization=export.organization, year=export.year,
                type_code=export.type_code or None, fmt=export.format, progress=progress,
            )
        export.file.save(name, ContentFile(content), save=False)
        export.filename = name
        export.status = ExportStatus.DONE
        export.progress = 100
        export.error = ""
        export.finished_at = timezone.now()
        export.save(update_fields=["file", "filename", "status", "progress", "error", "finished_at"])
        return export.file.name
    except Exception as exc:
        LedgerExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:2000] or exc.__class__.__name__,
            finished_at=timezone.now())
        raise


@on_worker_lost(build_ledger_export)
def ledger_export_lost(*, export_id: int, **_kwargs) -> None:
    """The worker died on every attempt: the export says so instead of building for ever."""
    with translation.override(settings.LANGUAGE_CODE):
        error = str(WORKER_STOPPED)
    LedgerExport.objects.filter(pk=export_id).exclude(status=ExportStatus.DONE).update(
        status=ExportStatus.FAILED, error=error, finished_at=timezone.now())
