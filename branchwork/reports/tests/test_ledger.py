"""The ledger: what it holds, in how many queries, and each format read back (Chinese included)."""

import io
import re
import subprocess
from collections import Counter

import docx
import openpyxl
import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext as _

from branchwork.activities import services
from branchwork.activities.models import Activity
from branchwork.activities.testing import at, held_activity
from branchwork.core.models import Organization, OrganizationKind
from branchwork.reports import bench_ledger, ledger
from branchwork.reports.tests.conftest import (
    ABSENT_REASON,
    AMEND_REASON,
    CAPTION,
    MAKEUP_NOTE,
    NEW_PLACE,
    OBSERVER,
    OTHERS,
    PLACE,
    RESOLUTION,
    TITLE,
)

pytestmark = pytest.mark.django_db


def test_the_year_holds_held_records_of_the_organization_in_date_order(world, personas):
    data = ledger.ledger_data(organization=personas.branch_a, year=2025)
    assert [s.title for s in data.sections] == [TITLE, world.theme_day.title]
    # 23:30 on 31 December in Shanghai is still 2025; 00:30 on 1 January is not (whatever UTC says).
    assert data.sections[1].starts_at.date().isoformat() == "2025-12-31"
    assert data.org_name == "研究室党支部" and data.type_label == ""
    s = data.sections[0]
    assert (s.place, s.host, s.recorder, s.session_number) == (NEW_PLACE, "李爱丽", "李爱丽", 3)
    assert s.agenda == ["传达上级会议精神", "讨论发展党员事宜"]
    assert sorted(a.name for a in s.present) == sorted(["李爱丽", *(n for n, _en in OTHERS)])
    assert [(a.name, a.reason) for a in s.excused] == [("王博", ABSENT_REASON)]
    assert [a.name for a in s.observers] == [OBSERVER]
    assert [a.makeup_note for a in s.makeups] == [MAKEUP_NOTE]
    assert [(r.text, r.votes_for, r.votes_against, r.votes_abstain) for r in s.resolutions] == [
        (RESOLUTION, 3, 0, 1)]
    assert [p.caption for p in s.photos] == [CAPTION]
    assert s.photos[0].read().startswith(b"\x89PNG")
    [amendment] = s.amendments
    assert amendment.reason == AMEND_REASON and amendment.by == "李爱丽"
    assert any(before == PLACE and after == NEW_PLACE for _what, before, after in amendment.changes)
    assert s.submitted_by == "李爱丽" and s.locked_at is not None
    # Li Aili hosted and recorded, submitted and approved: each step names her and her roles.
    assert (s.submitted_role, s.locked_role) == ("主持人、记录人", "主持人、记录人")
    [quorum] = s.quorum
    assert (quorum.present, quorum.base, quorum.met) == (4, 5, True)


def test_co_organized_activities_count_and_types_filter(world, personas):
    joint = held_activity(by=personas.alice, organization=personas.branch_b, types=["joint_activity"],
                          title="联学共建：共学党的创新理论", starts_at=at(2025, 7, 1),
                          co_organizers=[personas.branch_a])
    data = ledger.ledger_data(organization=personas.branch_a, year=2025)
    assert joint.title in [s.title for s in data.sections]
    themed = ledger.ledger_data(organization=personas.branch_a, year=2025, type_code="theme_day")
    assert [s.title for s in themed.sections] == [world.theme_day.title]
    assert themed.type_label == "主题党日"
    with pytest.raises(ledger.LedgerError):
        ledger.ledger_data(organization=personas.branch_a, year=2025, type_code="no_such_type")
    cancelled = services.activity_schedule(by=personas.alice, organization=personas.branch_a,
                                           types=["theme_day"], title="取消的活动",
                                           starts_at=at(2025, 8, 1), notify=False)
    services.activity_cancel(by=personas.alice, activity=cancelled)
    titles = [s.title for s in ledger.ledger_data(organization=personas.branch_a, year=2025).sections]
    assert "取消的活动" not in titles and "计划中的主题党日" not in titles


def test_queries_do_not_grow_with_the_number_of_activities(personas, django_assert_max_num_queries):
    counts = []
    for n in (3, 12):
        org = Organization.add_root(instance=Organization(
            code=f"q{n}", kind=OrganizationKind.BRANCH, name_zh=f"查询测试{n}"))
        bench_ledger.generate_year(org, personas.alice, n_activities=n, attendees=5, year=2025)
        with django_assert_max_num_queries(10):
            with CaptureQueriesContext(connection) as queries:
                data = ledger.ledger_data(organization=org, year=2025)
                for s in data.sections:  # everything the builders read is already loaded
                    _ = [a.name for a in s.attendance], s.quorum, s.photos, s.amendments
        assert len(data.sections) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_snapshot_reads_rows_not_a_model_instance_per_row(world, personas):
    made = Counter()

    def count(sender, **kwargs):
        made[sender.__name__] += 1

    post_init.connect(count)
    try:
        data = ledger.ledger_data(organization=personas.branch_a, year=2025)
    finally:
        post_init.disconnect(count)
    # Records and their rows are read as values; only the few people, organizations and
    # amendments the year names become instances, each once.
    for model in ("Activity", "Attendance", "Resolution", "Attachment", "Credit", "ActivityTypeTag"):
        assert made[model] == 0, model
    assert made["Person"] <= 6 and made["Organization"] <= 2 and made["Amendment"] == 1
    meeting = data.sections[0]
    assert sorted((a.name, a.organization, a.role_label, a.status_label, a.reason, a.voting)
                  for a in meeting.attendance) == sorted([
        ("李爱丽", "研究室党支部", "应到", "出席", "", True),
        ("王博", "研究室党支部", "应到", "请假", ABSENT_REASON, True),
        ("张明", "研究室党支部", "应到", "出席", "", True),
        ("孙丽", "研究室党支部", "应到", "出席", "", True),
        ("周强", "研究室党支部", "应到", "出席", "", True),
        (OBSERVER, "", "列席", "出席", "", False),
    ])
    assert (meeting.organization, meeting.co_organizers, meeting.type_labels, meeting.status_label) == (
        "研究室党支部", [], ["支部党员大会"], "已审核并锁定")
    assert [(r.text, r.passed) for r in meeting.resolutions] == [(RESOLUTION, True)]
    assert [(p.filename, p.caption) for p in meeting.photos] == [("现场.png", CAPTION)]
    assert data.sections[1].type_labels == ["主题党日"] and data.sections[1].host == ""


def _pdf_text(content: bytes, tmp_path) -> tuple[str, int]:
    path = tmp_path / "ledger.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return text, pages


def _squash(text: str) -> str:
    return "".join(text.split())


def test_pdf(world, personas, tmp_path):
    content, name = ledger.build(organization=personas.branch_a, year=2025, fmt="pdf")
    assert name == "branch-a-2025-ledger.pdf"
    assert content.startswith(b"%PDF")
    text, pages = _pdf_text(content, tmp_path)
    assert pages > 3  # cover, contents, one section per activity on its own page
    flat = _squash(text)
    for expected in (TITLE, "研究室党支部", "李爱丽", "王博", ABSENT_REASON, RESOLUTION, AMEND_REASON,
                     NEW_PLACE, OBSERVER, MAKEUP_NOTE, CAPTION, "学习内容", "党章",
                     world.theme_day.title):
        assert expected in flat, expected
    assert world.next_year.title not in flat and world.other.title not in flat
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "ledger.pdf")], capture_output=True,
                            text=True, check=True).stdout.splitlines()[2:]
    assert len(images) >= 1  # the photo is embedded
    page_two = _("Page %(page)s of %(total)s") % {"page": 2, "total": pages}
    assert _squash(page_two) in flat
    # In the attendance table, the attended row names Li Aili (not Wang Bo, who was away) and the
    # absentees row gives Wang Bo's reason.
    lines = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(tmp_path / "ledger.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    attended = next(line for line in lines if line.strip().startswith(_("Attended")))
    assert "李爱丽" in attended and "王博" not in attended
    assert any("王博（" in line and ABSENT_REASON in line for line in lines)
    assert any(RESOLUTION in line and re.search(r"3\s+0\s+1\s+通过\s*$", line) for line in lines)


def test_docx(world, personas):
    content, name = ledger.build(organization=personas.branch_a, year=2025, fmt="docx")
    assert name == "branch-a-2025-ledger.docx"
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    text = "\n".join(paragraphs + cells)
    for expected in (TITLE, "研究室党支部", ABSENT_REASON, RESOLUTION, AMEND_REASON, NEW_PLACE, OBSERVER,
                     MAKEUP_NOTE, CAPTION, "学习内容"):
        assert expected in text, expected
    # Attendance: who attended, who was away and why.
    rows = {t.rows[i].cells[0].text: t.rows[i].cells[1].text for t in document.tables
            for i in range(len(t.rows)) if len(t.columns) == 2}
    attended = next(v for k, v in rows.items() if k.startswith(_("Attended")))
    assert "李爱丽" in attended and "王博" not in attended
    away = next(v for k, v in rows.items() if k.startswith(_("Excused and reasons")))
    assert "王博" in away and ABSENT_REASON in away
    # A resolution with its votes.
    votes = [[c.text for c in row.cells] for t in document.tables for row in t.rows
             if row.cells[1].text == RESOLUTION]
    assert votes == [["1", RESOLUTION, "3", "0", "1", "通过"]]
    # Each activity starts on a new page; Chinese text has a Chinese font; pages are numbered.
    headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == 2 and all(p.paragraph_format.page_break_before for p in headings)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert len(document.inline_shapes) == 1  # the photo
    # The minutes keep their structure: a heading, a bulleted list, a working link.
    styles = {p.text: p.style.name for p in document.paragraphs}
    assert styles["学习内容"] == "Heading 3" and styles["第二项"] == "List Bullet"
    assert "详见会议文件。" in styles
    links = [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert links == ["https://example.org/doc"]


def test_xlsx(world, personas):
    content, name = ledger.build(organization=personas.branch_a, year=2025, fmt="xlsx")
    assert name == "branch-a-2025-ledger.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["活动 Activities", "出勤 Attendance"]
    activities = list(wb["活动 Activities"].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in activities] == [TITLE, world.theme_day.title]
    first = activities[0]
    assert first[0].isoformat(sep=" ") == "2025-03-14 14:30:00"
    assert first[3] == NEW_PLACE and first[4] == "李爱丽"
    # voting expected, expected, present, excused, absent, observers
    assert first[6:12] == (5, 5, 4, 1, 0, 1)
    attendance = list(wb["出勤 Attendance"].iter_rows(min_row=2, values_only=True))
    bob = next(r for r in attendance if r[1] == TITLE and r[2] == "王博")
    assert bob[3] == "研究室党支部" and bob[6] == ABSENT_REASON
    assert bob[7].date().isoformat() == "2025-03-20" and bob[8] == MAKEUP_NOTE
    assert any(r[2] == "李爱丽" and r[1] == TITLE for r in attendance)
    assert any(r[2] == OBSERVER for r in attendance)


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
def test_an_empty_year_says_so(personas, fmt, tmp_path):
    content, name = ledger.build(organization=personas.branch_b, year=2019, fmt=fmt)
    assert name == f"branch-b-2019-ledger.{fmt}"
    message = _("No activity is recorded for this year.")
    if fmt == "pdf":
        text = _pdf_text(content, tmp_path)[0]
    elif fmt == "docx":
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    else:
        wb = openpyxl.load_workbook(io.BytesIO(content))
        text = "\n".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row)
    assert _squash(message) in _squash(text)


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
def test_awkward_text_survives_every_format(world, personas, fmt, tmp_path):
    Activity.objects.filter(pk=world.meeting.pk).update(
        title="标题<&>\x0b\x01#panic(\"x\") $x$ ]", place="地点 \\ // @ref <lbl>")
    content, _name = ledger.build(organization=personas.branch_a, year=2025, fmt=fmt)
    if fmt == "pdf":
        assert _squash('标题<&>#panic("x")$x$]') in _squash(_pdf_text(content, tmp_path)[0])
    elif fmt == "docx":
        assert any("标题<&>" in p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    else:
        wb = openpyxl.load_workbook(io.BytesIO(content))
        assert wb["活动 Activities"]["C2"].value == '标题<&>#panic("x") $x$ ]'


def test_english_labels(world, personas):
    with translation.override("en"):
        content, _name = ledger.build(organization=personas.branch_a, year=2025, fmt="docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert "Attendance" in text and "Resolutions" in text and "Amendments" in text
    assert TITLE in text  # what users typed stays as typed


def test_progress_is_reported_in_order(world, personas):
    for fmt in ledger.FORMATS:
        seen = []
        ledger.build(organization=personas.branch_a, year=2025, fmt=fmt, progress=seen.append)
        assert seen == sorted(seen) and seen[0] <= 5 and seen[-1] >= 90, (fmt, seen)


def test_unknown_format(personas):
    with pytest.raises(ledger.LedgerError):
        ledger.build(organization=personas.branch_a, year=2025, fmt="odt")


@pytest.mark.parametrize("broken", [b"not an image at all", "truncated"])
def test_a_broken_photo_is_described_not_fatal(world, personas, tmp_path, broken):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from branchwork.activities.models import AttachmentKind
    from branchwork.reports.tests.conftest import png_bytes

    data = png_bytes(size=(400, 300))[:80] if broken == "truncated" else broken
    services.attachment_add(by=personas.alice, activity=world.theme_day, kind=AttachmentKind.PHOTO,
                            file=SimpleUploadedFile("坏.png", data), caption="损坏的照片")
    missing = _squash(_("Photo not available:"))
    text, _pages = _pdf_text(ledger.build(organization=personas.branch_a, year=2025, fmt="pdf")[0], tmp_path)
    assert missing + "损坏的照片" in _squash(text)
    assert missing + CAPTION not in _squash(text)  # the good photo of the other record is kept
    document = docx.Document(io.BytesIO(ledger.build(organization=personas.branch_a, year=2025, fmt="docx")[0]))
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert CAPTION in captions  # the good photo of the other record is still there
    assert any("损坏的照片" in c for c in captions)
