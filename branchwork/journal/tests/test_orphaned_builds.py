"""A journal PDF build left pending by a worker that died does not hold the issue for ever."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from branchwork.journal import services
from branchwork.journal.models import IssueBuild
from branchwork.journal.tasks import build_issue_pdf
from branchwork.journal.testing import make_issue
from branchwork.reports.models import ExportStatus

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def a_stuck_build(issue, *, age_seconds: int) -> IssueBuild:
    build = IssueBuild.objects.create(issue=issue, fingerprint=services.issue_fingerprint(issue),
                                      status=ExportStatus.RUNNING, progress=65)
    IssueBuild.objects.filter(pk=build.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=age_seconds))
    return build


@override_settings(TASKS=DATABASE_TASKS)
def test_a_build_with_no_task_left_is_failed_and_the_next_request_builds_anew(journal):
    issue, _titles, _c = make_issue(journal, n_articles=1, image_every=0)
    stuck = a_stuck_build(issue, age_seconds=120)
    build = services.pdf_request(issue=issue, by=None)
    assert build.pk != stuck.pk
    stuck.refresh_from_db()
    assert stuck.status == ExportStatus.FAILED and stuck.error


@override_settings(TASKS=DATABASE_TASKS)
def test_a_build_whose_task_is_still_queued_is_waited_for(journal):
    issue, _titles, _c = make_issue(journal, n_articles=1, image_every=0)
    stuck = a_stuck_build(issue, age_seconds=120)
    build_issue_pdf.enqueue(build_id=stuck.pk)  # requeued by the reclaim, not yet run
    assert services.pdf_request(issue=issue, by=None).pk == stuck.pk


@override_settings(TASKS=DATABASE_TASKS)
def test_a_build_just_requested_is_not_taken_for_orphaned(journal):
    issue, _titles, _c = make_issue(journal, n_articles=1, image_every=0)
    fresh = a_stuck_build(issue, age_seconds=2)
    assert services.pdf_request(issue=issue, by=None).pk == fresh.pk
