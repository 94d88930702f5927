"""Background tasks of the journal. Run by `branchwork db_worker` (inline in tests).

An issue's PDF takes about a second to typeset: long enough that a page should not wait for it,
short enough that the page can show it coming (it polls the build's progress).
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django_tasks import task

from branchwork.core.tasks import WORKER_STOPPED, on_worker_lost
from branchwork.journal import content, pdf, services
from branchwork.journal.models import IssueBuild
from branchwork.reports.models import ExportStatus


@task()
def build_issue_pdf(build_id: int) -> str:
    """Typeset the issue into IssueBuild.file; returns the stored file's name.

    The issue is read afresh: if it changed since the build was requested, the build records the
    fingerprint of what it actually typeset. A failure is kept on the build (status failed, the
    error message) and raised again so that the task result records it too."""
    build = IssueBuild.objects.filter(pk=build_id).first()
    if build is None or build.status == ExportStatus.DONE:
        return build.file.name if build is not None else ""
    IssueBuild.objects.filter(pk=build.pk).update(status=ExportStatus.RUNNING, progress=1)

    def progress(percent: int) -> None:
        IssueBuild.objects.filter(pk=build.pk).update(progress=max(1, min(percent, 99)))

    try:
        issue = content.load_issue(build.issue_id)
        if issue is None:
            IssueBuild.objects.filter(pk=build.pk).delete()
            return ""
        # The journal is printed in the deployment's language, like every official record.
        with translation.override(settings.LANGUAGE_CODE):
            snapshot = content.issue_content(issue)
            progress(10)
            data = pdf.build_pdf(snapshot, progress=progress)
            name = pdf.filename(snapshot)
            build.fingerprint = content.fingerprint(snapshot)
        build.file.save(name, ContentFile(data), save=False)
        build.filename = name
        build.status = ExportStatus.DONE
        build.progress = 100
        build.error = ""
        build.finished_at = timezone.now()
        build.save(update_fields=["file", "filename", "fingerprint", "status", "progress", "error",
                                  "finished_at"])
        services.prune_builds(issue, keep=build)
        return build.file.name
    except Exception as exc:
        IssueBuild.objects.filter(pk=build.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:2000] or exc.__class__.__name__,
            finished_at=timezone.now())
        raise


@on_worker_lost(build_issue_pdf)
def issue_build_lost(*, build_id: int, **_kwargs) -> None:
    """The worker died on every attempt: the build is failed, so the next request builds anew."""
    with translation.override(settings.LANGUAGE_CODE):
        error = str(WORKER_STOPPED)
    IssueBuild.objects.filter(pk=build_id).exclude(status=ExportStatus.DONE).update(
        status=ExportStatus.FAILED, error=error, finished_at=timezone.now())
