"""Imports refuse what would cost too much or could not be stored, and say how text was read.

Control characters (a NUL breaks PostgreSQL and every XLSX export), the encodings of Chinese
Excel (Big5 is not GB18030), and the limits of settings.IMPORT_LIMITS checked while reading:
blank rows count, a zip's declared sizes are checked before anything is unpacked.
"""

import io
import time
import zipfile
from unittest import mock

import openpyxl
import pytest
from django.test import override_settings
from django.utils import translation

from branchwork.activities import importer
from branchwork.activities.importer import write as import_write
from branchwork.activities.models import Activity
from branchwork.core import imports
from branchwork.core.models import AuditEntry
from branchwork.core.testing import build_personas

pytestmark = pytest.mark.django_db

HEADER = "date,types,title,place"


@pytest.fixture
def p():
    return build_personas()


def run(p, data, name="records.csv", **kwargs):
    return importer.run_import(by=p.alice, organization=p.branch_a, name=name, data=data,
                               **kwargs)


def refused(p, data, name="records.csv"):
    before = (Activity.objects.count(), AuditEntry.objects.count())
    with pytest.raises(importer.ImportRefused) as exc, translation.override("en"):
        run(p, data, name=name)
    assert (Activity.objects.count(), AuditEntry.objects.count()) == before
    return exc.value.errors


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_sheet(data: bytes, sheet: callable) -> bytes:
    """The workbook `data` with its first sheet's XML written by `sheet(file)` instead."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with dst.open(info.filename, "w", force_zip64=True) as handle:
                    sheet(handle)
            else:
                dst.writestr(info, src.read(info.filename))
    return out.getvalue()


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


# --- Control characters ---


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f"])
def test_a_control_character_in_a_csv_cell_refuses_the_file_naming_row_and_column(p, char):
    data = f"{HEADER}\r\n2025-01-01,collective_study,Study{char}day,Room\r\n".encode()
    errors = refused(p, data)
    assert len(errors) == 1
    assert (errors[0].row, errors[0].column) == (2, "title")
    assert f"U+{ord(char):04X}" in errors[0].message


def test_a_control_character_in_an_xlsx_cell_is_refused_and_nothing_is_written(p):
    # XML 1.0 cannot hold a NUL (such a workbook is refused as unreadable), but it holds DEL
    # and the C1 controls, which Excel and PostgreSQL exports choke on. Written by hand, as
    # openpyxl will not write them.
    def sheet(handle):
        handle.write(SHEET_HEAD + b"<sheetData>"
                     b'<row r="1"><c r="A1" t="inlineStr"><is><t>date</t></is></c>'
                     b'<c r="B1" t="inlineStr"><is><t>types</t></is></c>'
                     b'<c r="C1" t="inlineStr"><is><t>title</t></is></c></row>'
                     b'<row r="2"><c r="A2" t="inlineStr"><is><t>2025-01-01</t></is></c>'
                     b'<c r="B2" t="inlineStr"><is><t>collective_study</t></is></c>'
                     b'<c r="C2" t="inlineStr"><is><t>A&#x7f;B&#x85;</t></is></c></row>'
                     b"</sheetData></worksheet>")

    data = rewrite_sheet(workbook([["x"]]), sheet)
    errors = refused(p, data, name="records.xlsx")
    assert (errors[0].row, errors[0].column) == (2, "title")
    assert "U+007F, U+0085" in errors[0].message


def test_every_cell_with_a_control_character_is_named(p):
    rows = [f"2025-01-0{i},collective_study,T{i}\x00,Room\x0b" for i in range(1, 4)]
    errors = refused(p, ("\r\n".join([HEADER, *rows]) + "\r\n").encode())
    assert [(e.row, e.column) for e in errors] == [
        (2, "title"), (2, "place"), (3, "title"), (3, "place"), (4, "title"), (4, "place")]


def test_tabs_and_line_breaks_are_ordinary_text(p):
    data = (f'{HEADER}\r\n2025-01-01,collective_study,"Study\tday","Room\r\n3"\r\n').encode()
    result = run(p, data)
    assert len(result.activities) == 1


def test_the_message_is_in_the_users_language(p):
    data = f"{HEADER}\r\n2025-01-01,collective_study,A\x00,Room\r\n".encode()
    with translation.override("zh-hans"), pytest.raises(importer.ImportRefused) as exc:
        run(p, data)
    errors = exc.value.errors
    assert "控制字符" in errors[0].message and "U+0000" in errors[0].message


# --- Encodings ---

BIG5_ROW = "2025-01-01,collective_study,學習黨章研討會,會議室"


def test_a_big5_csv_is_read_as_big5_and_the_dry_run_says_so(p):
    data = f"{HEADER}\r\n{BIG5_ROW}\r\n".encode("big5")
    result = run(p, data, dry_run=True)
    assert (result.planned, result.encoding) == (1, "Big5")
    activity = run(p, data).activities[0]
    assert (activity.title, activity.place) == ("學習黨章研討會", "會議室")


@pytest.mark.parametrize("encoding, label", [
    ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8"), ("gb18030", "GB18030"), ("utf-16", "UTF-16")])
def test_the_encoding_of_every_kind_of_text_file_is_reported(p, encoding, label):
    data = f"{HEADER}\r\n2025-01-01,collective_study,学习党章专题研讨会,三楼会议室\r\n".encode(
        encoding)
    result = run(p, data, dry_run=True)
    assert result.encoding == label


def test_the_import_page_reports_the_encoding_of_a_checked_file(p, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(p.alice)
    data = f"{HEADER}\r\n{BIG5_ROW}\r\n".encode("big5")
    response = client.post(f"/orgs/{p.branch_a.code}/activities/import/", {
        "file": SimpleUploadedFile("big5.csv", data), "dry_run": "on"},
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Big5" in response.content.decode()


# --- Limits, checked while reading ---


def test_two_million_blank_rows_are_refused_quickly(p):
    def sheet(handle):
        handle.write(SHEET_HEAD + b'<dimension ref="A1:C2000001"/><sheetData>'
                     b'<row r="1"><c r="A1" t="inlineStr"><is><t>date</t></is></c>'
                     b'<c r="B1" t="inlineStr"><is><t>types</t></is></c>'
                     b'<c r="C1" t="inlineStr"><is><t>title</t></is></c></row>')
        for _chunk in range(20):  # rows without a number follow each other
            handle.write(b"<row/>" * 100_000)
        handle.write(b"</sheetData></worksheet>")

    data = rewrite_sheet(workbook([["x"]]), sheet)
    assert len(data) < 1_000_000  # small on disk
    started = time.process_time()
    errors = refused(p, data, name="blank.xlsx")
    assert time.process_time() - started < 5
    assert "blank rows count" in errors[0].message


def test_a_row_far_below_the_header_counts_the_rows_in_between(p):
    def sheet(handle):
        handle.write(SHEET_HEAD + b"<sheetData>"
                     b'<row r="1"><c r="A1" t="inlineStr"><is><t>date</t></is></c></row>'
                     b'<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c>'
                     b"</row></sheetData></worksheet>")

    started = time.process_time()
    errors = refused(p, rewrite_sheet(workbook([["x"]]), sheet), name="far.xlsx")
    assert time.process_time() - started < 5
    assert "blank rows count" in errors[0].message


def test_blank_csv_lines_count_as_rows(p):
    with override_settings(IMPORT_LIMITS={"rows": 100}), translation.override("en"):
        data = (HEADER + "\r\n" + "\r\n" * 150 + BIG5_ROW + "\r\n").encode()
        errors = refused(p, data)
    assert "more than 100 rows" in errors[0].message


def test_an_xlsx_declaring_a_large_unpacked_size_is_refused_without_unpacking(p):
    def sheet(handle):
        handle.write(SHEET_HEAD + b"<sheetData>")
        handle.write(b" " * (3 * 2**20))  # 3 MB that compress to a few kB
        handle.write(b"</sheetData></worksheet>")

    data = rewrite_sheet(workbook([["date", "types", "title"]]), sheet)
    assert len(data) < 100_000
    with override_settings(IMPORT_LIMITS={"unpacked_bytes": 2 * 2**20}), \
            mock.patch("openpyxl.load_workbook") as load, \
            mock.patch.object(zipfile.ZipFile, "open") as unpack:
        errors = refused(p, data, name="bomb.xlsx")
    load.assert_not_called()
    unpack.assert_not_called()
    assert "would unpack to 3" in errors[0].message


def test_a_workbook_with_too_many_parts_is_refused(p):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for number in range(20):
            archive.writestr(f"part{number}.xml", b"<x/>")
    with override_settings(IMPORT_LIMITS={"zip_members": 10}):
        errors = refused(p, out.getvalue(), name="parts.xlsx")
    assert "more than 10 parts" in errors[0].message


def test_too_many_columns_are_refused(p):
    with override_settings(IMPORT_LIMITS={"columns": 5}):
        errors = refused(p, workbook([["date", "types", "title"], [None] * 7 + ["x"]]),
                         name="wide.xlsx")
    assert "8 columns, more than the 5" in errors[0].message


def test_a_cell_longer_than_the_limit_is_refused(p):
    with override_settings(IMPORT_LIMITS={"cell_chars": 50}):
        errors = refused(p, f"{HEADER}\r\n2025-01-01,collective_study,{'长' * 51},x\r\n".encode())
    assert (errors[0].row, errors[0].column) == (2, "title")
    assert "51 characters, more than the 50" in errors[0].message


def test_a_file_larger_than_the_limit_is_refused(p):
    with override_settings(IMPORT_LIMITS={"bytes": 1000}), translation.override("en"):
        errors = refused(p, f"{HEADER}\r\n{BIG5_ROW}\r\n".encode() + b" " * 1000)
    assert "larger than" in errors[0].message


def test_the_limits_default_when_the_setting_names_only_some():
    with override_settings(IMPORT_LIMITS={"rows": 7}):
        assert imports.limits()["rows"] == 7
        assert imports.limits()["columns"] == imports.DEFAULTS["columns"]


# --- Imports from the web run as a task ---


def test_the_page_of_a_running_job_shows_its_stage_and_reloads_itself(p, client):
    from branchwork.activities.models import ImportJob, ImportStatus

    job = ImportJob.objects.create(organization=p.branch_a, requested_by=p.alice, name="a.csv",
                                   data=b"x", status=ImportStatus.WRITING, progress=50, rows=120)
    client.force_login(p.alice)
    client.cookies["bw_language"] = "en"
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'http-equiv="refresh"' in page
    assert 'value="50"' in page and "120 rows read" in page


def test_the_stages_of_a_job_are_saved_as_they_start(p, monkeypatch):
    from branchwork.activities.models import ImportJob

    seen = []
    real = import_write._job_save

    def spy(job, **fields):
        real(job, **fields)
        seen.append((ImportJob.objects.get(pk=job.pk).status, job.progress))

    monkeypatch.setattr(import_write, "_job_save", spy)
    data = f"{HEADER}\r\n{BIG5_ROW}\r\n".encode("big5")
    job = importer.start_job(by=p.alice, organization=p.branch_a, name="big5.csv", data=data)
    assert seen == [("checking", 5), ("checking", 20), ("writing", 50), ("done", 100)]
    assert (job.status, job.encoding, job.imported) == ("done", "Big5", 1)


def test_only_managers_of_its_organization_see_a_job(p, client):
    job = importer.start_job(by=p.alice, organization=p.branch_a, name="a.csv",
                             data=f"{HEADER}\r\n{BIG5_ROW}\r\n".encode())
    for user in (p.bob, p.carol, p.dan):
        client.force_login(user)
        assert client.get(job.get_absolute_url()).status_code == 404
    client.force_login(p.alice)
    assert client.get(f"/orgs/{p.branch_a.code}/activities/import/{'9' * 25}/").status_code == 404
    assert client.get(f"/orgs/{p.branch_b.code}/activities/import/{job.pk}/").status_code == 404


def test_a_job_that_fails_says_so_and_writes_nothing(p, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_write.services, "activity_schedule", broken)
    # The task backend keeps the error as the task's result; the job says it failed.
    importer.start_job(by=p.alice, organization=p.branch_a, name="a.csv",
                       data=f"{HEADER}\r\n{BIG5_ROW}\r\n".encode())
    from branchwork.activities.models import ImportJob

    job = ImportJob.objects.get()
    assert (job.status, job.errors[0]["problem"]) == ("failed", "disk full")
    assert Activity.objects.count() == 0


def test_a_date_before_1900_is_refused(p):
    errors = refused(p, f"{HEADER}\r\n0083-05-01,collective_study,Old,Room\r\n".encode())
    assert (errors[0].row, errors[0].column) == (2, "date")
    assert "before 1900" in errors[0].message
