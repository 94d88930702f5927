"""`branchwork import_outputs`: CSV or XLSX, Chinese or English headers, all or nothing."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from branchwork.research import importer
from branchwork.research.models import Output, Publication, Submission
from branchwork.research.testing import research_world

ZH = "组织代码,类别,标题,日期,作者,密级,报送对象,报送层级,报送日期,发表媒体,发表日期,版面或网址\n"


@pytest.fixture
def world(personas):
    personas.research = research_world(personas)
    return personas


def test_a_csv_with_chinese_headers_is_imported_with_people_guests_submissions_and_publications(world, tmp_path):
    path = tmp_path / "outputs.csv"
    path.write_text(
        ZH + "branch-a,调研报告,旧年调研报告,2023-05-04,王博、外请专家乙,内部,部领导,部委,2023-05-10,,,\n"
        "branch-a,article,旧年文章,2023/06/01,王博,public,,,,人民日报,2023-06-05,第5版\n", encoding="utf-8")
    before = Output.objects.count()
    call_command("import_outputs", str(path))
    report = Output.objects.get(title="旧年调研报告")
    assert [a.display_name for a in report.authors.all()] == [world.people.bob.display_name, "外请专家乙"]
    assert report.authors.first().person == world.people.bob
    assert Submission.objects.get(output=report).level == "ministry"
    article = Output.objects.get(title="旧年文章")
    assert article.classification == "public"
    assert Publication.objects.get(output=article).outlet == world.research.national
    assert Output.objects.count() == before + 2


def test_an_xlsx_with_english_headers_is_imported(world, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Organization", "Kind", "Title", "Date", "Authors", "Classification"])
    ws.append(["branch-a", "Translation", "A translation", "2022-03-01", "Guest One", "internal"])
    path = tmp_path / "outputs.xlsx"
    wb.save(path)
    call_command("import_outputs", str(path))
    assert Output.objects.get(title="A translation").kind.code == "translation"


def test_one_bad_row_refuses_the_whole_file_naming_row_and_column(world, tmp_path):
    path = tmp_path / "outputs.csv"
    path.write_text(ZH + "branch-a,调研报告,好的一行,2023-05-04,王博,内部,,,,,,\n"
                    "branch-a,调研报告,坏的一行,2023-13-01,王博,机密,,,,不存在的报纸,2023-01-01,\n",
                    encoding="utf-8")
    before = Output.objects.count()
    with pytest.raises(importer.Refused) as refused:
        importer.run(path.read_bytes(), path.name, by=world.erin)
    where = {(p.row, p.column) for p in refused.value.problems}
    assert where == {(3, "date"), (3, "classification"), (3, "outlet")}
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_outputs", str(path), stderr=io.StringIO())
    assert Output.objects.count() == before
    assert not Output.objects.filter(title="好的一行").exists()


def test_a_refusal_by_a_service_rolls_back_the_rows_written_before_it(world, tmp_path):
    """A classified row with a publication clipping is not possible in a file; a missing author
    is caught by the check; here the service refuses (an author list of separators only)."""
    path = tmp_path / "outputs.csv"
    path.write_text(ZH + "branch-a,调研报告,先写的一行,2023-05-04,王博,内部,,,,,,\n"
                    "branch-a,调研报告,后写的一行,2023-05-04,、、,内部,,,,,,\n", encoding="utf-8")
    before = Output.objects.count()
    with pytest.raises(importer.Refused) as refused:
        importer.run(path.read_bytes(), path.name, by=world.erin)
    assert refused.value.problems[0].row == 3
    assert Output.objects.count() == before


def test_unknown_and_missing_columns_are_named(world):
    with pytest.raises(importer.Refused) as refused:
        importer.run("标题,颜色\n甲,红\n".encode(), "x.csv", by=None)
    text = "\n".join(str(p) for p in refused.value.problems)
    assert "颜色" in text and "organization" in text and "authors" in text
