"""The ledger as an inspector reads it, read back from the files: signature lines for the host and
the recorder, a sign-in sheet page, the counts labelled (excused and absent apart), each sign-off
step's actual person and role, the paper signature date of a record entered from paper, and type
names where codes would be. And no export shows a rulebook code.
"""

import datetime
import io
import re
import subprocess

import docx
import openpyxl
import pytest
from django.utils import translation

from branchwork.activities import importer, services
from branchwork.activities.models import Activity
from branchwork.reports import ledger
from branchwork.reports.tests.conftest import OTHERS, TITLE
from branchwork.rulebook.loader import get_rulebook

pytestmark = pytest.mark.django_db


def _pdf_lines(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "ledger.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return out.split("\n")  # pages stay separated by form feeds


def _docx_text(content: bytes) -> tuple[list[str], list[list[str]]]:
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    paragraphs += [p.text for s in document.sections for p in s.header.paragraphs]
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    return paragraphs, rows


def _xlsx_text(content: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                     for v in row if v is not None)


def test_the_pdf_has_signature_lines_a_sign_in_sheet_and_labelled_counts(world, personas, tmp_path):
    with translation.override("zh-hans"):
        content, _name = ledger.build(organization=personas.branch_a, year=2025, fmt="pdf")
    lines = _pdf_lines(content, tmp_path)
    text = "\n".join(lines)
    flat = "".join(text.split())
    # The meeting: 5 voting members expected (Li Aili, Wang Bo and three more), 4 present, Wang Bo
    # excused, nobody absent; one observer.
    labels = ["应到有表决权", "应到", "实到", "请假", "缺席", "列席"]
    head = next(i for i, line in enumerate(lines) if all(x in line for x in labels))
    assert lines[head + 1].split() == ["5", "5", "4", "1", "0", "1"]
    # Excused and absent are kept apart: Wang Bo under excused, the absent row empty.
    assert any(line.strip().startswith("请假人员及原因（1）") and "王博" in line for line in lines)
    assert any(line.strip().startswith("缺席人员及原因（0）") for line in lines)
    # Signature lines for the host and the recorder, with the printed name.
    assert any("主持人（签字）" in line and "李爱丽" in line for line in lines)
    assert any("记录人（签字）" in line and "李爱丽" in line for line in lines)
    # The sign-in sheet: its own page, every expected member and the observer, a column to sign.
    pages = text.split("\f")
    sheets = [page for page in pages if "签到表" in page and "签名" in page]
    assert len(sheets) == 2  # one per activity in the year
    sheet = sheets[0]
    for name in ["李爱丽", "王博", *(n for n, _en in OTHERS), "刘列席"]:
        assert name in sheet, name
    assert "".join(TITLE.split()) in "".join(sheet.split())
    # Sign-off: the actual person and their roles; the type by its Chinese name.
    assert "提交人" in flat and "审核人" in flat
    assert "李爱丽（主持人、记录人）" in flat
    assert "支部党员大会" in flat and "主题党日" in flat


def test_the_docx_has_the_same_and_an_empty_column_to_sign(world, personas):
    with translation.override("zh-hans"):
        content, _name = ledger.build(organization=personas.branch_a, year=2025, fmt="docx")
    paragraphs, rows = _docx_text(content)
    assert ["应到有表决权", "应到", "实到", "请假", "缺席", "列席"] in rows
    assert ["5", "5", "4", "1", "0", "1"] in rows
    assert any(p.startswith("主持人（签字）：") and "李爱丽" in p for p in paragraphs)
    assert any(p.startswith("记录人（签字）：") and "李爱丽" in p for p in paragraphs)
    assert paragraphs.count("签到表") == 2
    header = ["序号", "姓名", "表决权", "签名", "备注"]
    assert rows.count(header) == 2
    first = rows.index(header)
    signed = rows[first + 1:first + 7]
    assert [r[1] for r in signed][-1] == "刘列席" and signed[-1][2] == "—" and signed[-1][4] == "列席"
    assert all(r[3] == "" for r in signed)  # signed on paper
    assert rows_value(rows, "提交人").startswith("李爱丽（主持人、记录人），")
    assert any(r[1] == "支部党员大会" for r in rows if r[0] == "类型")


def rows_value(rows, label):
    return next(r[1] for r in rows if r and r[0] == label)


def test_in_english_the_labels_are_english(world, personas, tmp_path):
    with translation.override("en"):
        content, _name = ledger.build(organization=personas.branch_a, year=2025, fmt="docx")
    paragraphs, rows = _docx_text(content)
    assert ["Expected with voting rights", "Expected", "Present", "Excused", "Absent",
            "Observers"] in rows
    assert "Attendance sign-in sheet" in paragraphs
    assert any(p.startswith("Host (signature): ") for p in paragraphs)
    assert any(r[1] == "Branch general meeting" for r in rows if r[0] == "Types")


def test_a_record_entered_from_paper_prints_the_paper_signature_date_not_the_entry(personas, tmp_path):
    header = "日期,类型,标题,地点,主持人,记录人,出席,议程,纪要,签字日期\n"
    data = (header + "2024-03-14 14:30,支部党员大会,2024年第一次支部党员大会,党员活动室,李爱丽,王博,"
            "李爱丽、王博,传达文件,会议传达了上级文件。,2024-03-15\n").encode("utf-8-sig")
    [activity] = importer.run_import(by=personas.alice, organization=personas.branch_a,
                                     name="旧台账.csv", data=data).activities
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.paper_signed_on == datetime.date(2024, 3, 15)
    services.minutes_submit(by=personas.alice, activity=activity)
    activity.refresh_from_db()
    services.minutes_approve(by=personas.alice, activity=activity)
    with translation.override("zh-hans"):
        content, _name = ledger.build(organization=personas.branch_a, year=2024, fmt="docx")
    _paragraphs, rows = _docx_text(content)
    assert ["纸质记录签字日期", "2024年3月15日"] in rows
    # Li Aili hosted (Wang Bo recorded): each step names her as the host, with no entry time.
    assert rows_value(rows, "提交人") == "李爱丽（主持人）"
    assert rows_value(rows, "审核人") == "李爱丽（主持人）"


def test_a_bad_paper_signature_date_is_refused_by_the_importer(personas):
    header = "日期,类型,标题,出席,签字日期\n"
    data = (header + "2024-03-14,主题党日,主题党日,李爱丽,2024-03-13\n"
            "2024-03-20,主题党日,另一次主题党日,李爱丽,不知道\n").encode("utf-8")
    with translation.override("en"), pytest.raises(importer.ImportRefused) as refused:
        importer.run_import(by=personas.alice, organization=personas.branch_a, name="x.csv", data=data)
    text = str(refused.value) + " ".join(str(e) for e in refused.value.errors)
    assert "before the activity" in text and "not a date" in text


# --- No code reaches a user ---


def _codes() -> list[str]:
    return list(get_rulebook().types)


def _leaks(text: str) -> list[str]:
    return [code for code in _codes() if re.search(rf"(?<![A-Za-z0-9_]){code}(?![A-Za-z0-9_])", text)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_export_shows_a_rulebook_type_code(world, personas, login, tmp_path, language):
    # Every type appears in the data: an activity of each type held in 2025.
    from branchwork.activities.testing import at, held_activity

    for i, code in enumerate(_codes()):
        org = personas.branch_a if "branch" in get_rulebook().type(code).applies_to else personas.group_a1
        held_activity(by=personas.alice, organization=org, types=[code], starts_at=at(2025, 4, 1 + i),
                      title=f"活动{i}")
    exports: dict[str, str] = {}
    with translation.override(language):
        for fmt in ("pdf", "docx", "xlsx"):
            content, _name = ledger.build(organization=personas.branch_a, year=2025, fmt=fmt)
            if fmt == "pdf":
                exports[fmt] = "\n".join(_pdf_lines(content, tmp_path))
            elif fmt == "docx":
                paragraphs, rows = _docx_text(content)
                exports[fmt] = "\n".join(paragraphs + [c for r in rows for c in r])
            else:
                exports[fmt] = _xlsx_text(content)
    lang = {"HTTP_ACCEPT_LANGUAGE": language}
    pages = {
        "activities": (personas.alice, "/orgs/branch-a/activities/export.xlsx?year=2025"),
        "compliance": (personas.admin, "/orgs/cmte/compliance/branches/export.xlsx?year=2025"),
        "audit": (personas.alice, "/orgs/branch-a/audit/export.xlsx"),
        "people": (personas.alice, "/orgs/branch-a/people/export.xlsx"),
    }
    for what, (user, url) in pages.items():
        client = login(user)
        client.cookies["django_language"] = language
        response = client.get(url, **lang)
        assert response.status_code == 200, (what, response.status_code)
        exports[what] = _xlsx_text(b"".join(response.streaming_content)
                                   if response.streaming else response.content)
    assert "主题党日" in exports["audit"] or "Theme Party day" in exports["audit"]
    assert {what: _leaks(text) for what, text in exports.items()} == {what: [] for what in exports}
