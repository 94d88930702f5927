"""The ledger export page in a real Chromium: it follows the build's progress by itself."""

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

from branchwork.browser import screenshot_path
from branchwork.reports.models import ExportStatus, LedgerExport
from branchwork.reports.tasks import build_ledger_export
from branchwork.reports.tests.conftest import make_ledger_world

pytestmark = pytest.mark.browser


def test_the_export_page_shows_progress_then_the_download(transactional_db, personas, password, page):
    make_ledger_world(personas)
    page.goto("/accounts/login/")
    page.get_by_label("用户名或电子邮箱").fill("alice")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/my/")
    page.goto("/orgs/branch-a/ledger/")
    page.screenshot(path=screenshot_path("ledger-form"), full_page=True)

    # A build the worker has started: the page polls and moves the bar without reloading.
    export = LedgerExport.objects.create(organization=personas.branch_a, year=2025, format="docx",
                                         requested_by=personas.alice, status=ExportStatus.RUNNING,
                                         progress=30)
    page.goto(f"/orgs/branch-a/ledger/{export.pk}/")
    assert page.locator("[data-ledger-percent]").inner_text() == "30%"
    assert page.locator("[data-ledger-ready]").is_hidden()
    LedgerExport.objects.filter(pk=export.pk).update(progress=70)
    expect(page.locator("[data-ledger-percent]")).to_have_text("70%")
    expect(page.locator("progress")).to_have_attribute("value", "70")
    page.screenshot(path=screenshot_path("ledger-progress"), full_page=True)

    build_ledger_export.enqueue(export_id=export.pk)
    expect(page.locator("[data-ledger-ready]")).to_be_visible()
    assert "branch-a-2025-ledger.docx" in page.locator("[data-ledger-download]").inner_text()
    page.screenshot(path=screenshot_path("ledger-ready"), full_page=True)
    with page.expect_download() as download:
        page.locator("[data-ledger-download]").click()
    assert download.value.suggested_filename == "branch-a-2025-ledger.docx"
