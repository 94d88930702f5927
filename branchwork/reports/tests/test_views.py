"""The ledger export pages: request, progress, download; who may and who gets 404."""

import io

import docx
import openpyxl
import pytest
from django.urls import reverse

from branchwork.core import permissions
from branchwork.reports import ledger
from branchwork.reports.models import ExportStatus, LedgerExport
from branchwork.reports.tasks import build_ledger_export
from branchwork.reports.tests.conftest import ABSENT_REASON, TITLE

pytestmark = pytest.mark.django_db


def _request(client, django_capture_on_commit_callbacks, org="branch-a", **data):
    form = {"year": "2025", "type_code": "", "format": "docx", **data}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("reports:ledger", args=[org]), form)


def test_form_request_progress_and_download(world, personas, login, django_capture_on_commit_callbacks):
    client = login(personas.alice)
    page = client.get(reverse("reports:ledger", args=["branch-a"]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="year"' in body and "2025" in body and "主题党日" in body and '<option value="xlsx">' in body

    response = _request(client, django_capture_on_commit_callbacks)
    export = LedgerExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:ledger_export", args=["branch-a", export.pk])
    assert (export.status, export.progress, export.requested_by) == (ExportStatus.DONE, 100, personas.alice)
    assert export.filename == "branch-a-2025-ledger.docx" and export.finished_at is not None

    status = client.get(reverse("reports:ledger_status", args=["branch-a", export.pk])).json()
    download = reverse("reports:ledger_download", args=["branch-a", export.pk])
    assert status["status"] == "done" and status["progress"] == 100 and status["download_url"] == download

    page = client.get(response["Location"]).content.decode()
    assert "reports/ledger.js" in page and download in page
    assert 'http-equiv="refresh"' not in page  # done: nothing left to wait for

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == ledger.CONTENT_TYPES["docx"]
    assert "attachment" in response["Content-Disposition"] and "branch-a-2025-ledger.docx" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert TITLE in text and ABSENT_REASON in text

    listing = client.get(reverse("reports:ledger", args=["branch-a"])).content.decode()
    assert download in listing


def test_a_typed_request_in_excel(world, personas, login, django_capture_on_commit_callbacks):
    client = login(personas.alice)
    _request(client, django_capture_on_commit_callbacks, format="xlsx", type_code="theme_day")
    export = LedgerExport.objects.get()
    assert export.filename == "branch-a-2025-theme_day-ledger.xlsx"
    response = client.get(reverse("reports:ledger_download", args=["branch-a", export.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    titles = [r[2] for r in wb["活动 Activities"].iter_rows(min_row=2, values_only=True)]
    assert titles == [world.theme_day.title]


def test_a_pending_export_refreshes_without_script(world, personas, login):
    client = login(personas.alice)
    export = LedgerExport.objects.create(organization=personas.branch_a, year=2025, format="pdf",
                                         requested_by=personas.alice, status=ExportStatus.RUNNING,
                                         progress=40)
    page = client.get(reverse("reports:ledger_export", args=["branch-a", export.pk])).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert 'value="40"' in page
    status = client.get(reverse("reports:ledger_status", args=["branch-a", export.pk])).json()
    assert status == {"status": "running", "status_label": str(ExportStatus.RUNNING.label), "progress": 40,
                      "download_url": None, "filename": None, "error": None}
    assert client.get(reverse("reports:ledger_download", args=["branch-a", export.pk])).status_code == 404


def test_bad_input_is_refused(world, personas, login, django_capture_on_commit_callbacks):
    client = login(personas.alice)
    for bad in ({"year": "1999"}, {"format": "odt"}, {"type_code": "no_such_type"}):
        response = _request(client, django_capture_on_commit_callbacks, **bad)
        assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not LedgerExport.objects.exists()


def test_the_committee_staff_may_export_members_may_not(world, personas, login,
                                                         django_capture_on_commit_callbacks):
    url = reverse("reports:ledger", args=["branch-a"])
    assert login(personas.dan).get(url).status_code == 200  # committee office staff, from above
    assert login(personas.admin).get(url).status_code == 200
    for user in (personas.bob, personas.carol):  # a plain member; a member of another branch
        client = login(user)
        assert client.get(url).status_code == 404
        assert _request(client, django_capture_on_commit_callbacks).status_code == 404
    assert not LedgerExport.objects.exists()
    assert login(None).get(url).status_code == 302  # to the login page


def test_an_export_is_its_requesters_alone(world, personas, login, django_capture_on_commit_callbacks):
    _request(login(personas.alice), django_capture_on_commit_callbacks)
    export = LedgerExport.objects.get()
    names = ("ledger_export", "ledger_status", "ledger_download")
    for user in (personas.dan, personas.bob, personas.carol):
        client = login(user)
        for name in names:
            assert client.get(reverse(f"reports:{name}", args=["branch-a", export.pk])).status_code == 404
    # Not under another organization's address either, and not for a missing export.
    client = login(personas.alice)
    assert client.get(reverse("reports:ledger_export", args=["branch-a-g1", export.pk])).status_code == 404
    assert client.get(reverse("reports:ledger_export", args=["branch-a", export.pk + 99])).status_code == 404
    assert login(personas.dan).get(reverse("reports:ledger", args=["branch-a"])).content.decode().count(
        reverse("reports:ledger_download", args=["branch-a", export.pk])) == 0


def test_who_may_export_a_ledger(personas):
    p = personas

    def may(user, org):
        return permissions.can(user, "export_ledger", org)

    assert may(p.alice, p.branch_a) and may(p.alice, p.group_a1)
    assert not may(p.alice, p.branch_b) and not may(p.alice, p.committee)
    assert may(p.dan, p.committee) and may(p.dan, p.branch_a) and may(p.dan, p.branch_b)
    assert not may(p.dan, p.outside)
    assert not may(p.bob, p.branch_a) and not may(p.bob, p.group_a1)
    assert not may(p.carol, p.branch_b)
    assert may(p.admin, p.outside)


def test_a_failed_build_is_kept_with_its_error(world, personas, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(ledger, "build", explode)
    export = LedgerExport.objects.create(organization=personas.branch_a, year=2025, format="pdf",
                                         requested_by=personas.alice)
    result = build_ledger_export.enqueue(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and export.error == "字体缺失"
    assert export.finished_at is not None and not export.file
    assert result.status == "FAILED"


def test_the_task_reports_progress(world, personas, monkeypatch):
    seen = []
    real = ledger.build

    def spy(**kwargs):
        progress = kwargs["progress"]

        def record(percent):
            progress(percent)
            seen.append(LedgerExport.objects.get(pk=export.pk).progress)

        return real(**{**kwargs, "progress": record})

    monkeypatch.setattr(ledger, "build", spy)
    export = LedgerExport.objects.create(organization=personas.branch_a, year=2025, format="xlsx",
                                         requested_by=personas.alice)
    build_ledger_export.enqueue(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.progress == 100
    assert seen and seen == sorted(seen) and 0 < seen[0] < seen[-1] < 100
