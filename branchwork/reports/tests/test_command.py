import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from branchwork.reports.tests.conftest import TITLE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt,magic", [("xlsx", b"PK"), ("docx", b"PK"), ("pdf", b"%PDF")])
def test_export_ledger_writes_the_file(world, tmp_path, fmt, magic):
    out = tmp_path / f"ledger.{fmt}"
    stdout = io.StringIO()
    call_command("export_ledger", "--org", "branch-a", "--year", "2025", "--format", fmt,
                 "--output", str(out), stdout=stdout)
    assert out.read_bytes().startswith(magic)
    assert str(out) in stdout.getvalue()
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(out)
        assert TITLE in [r[2] for r in wb["活动 Activities"].iter_rows(min_row=2, values_only=True)]


def test_export_ledger_of_one_type(world, tmp_path):
    out = tmp_path / "theme.xlsx"
    call_command("export_ledger", "--org", "branch-a", "--year", "2025", "--type", "theme_day",
                 "--format", "xlsx", "--output", str(out), stdout=io.StringIO())
    titles = [r[2] for r in openpyxl.load_workbook(out)["活动 Activities"].iter_rows(min_row=2, values_only=True)]
    assert titles == [world.theme_day.title]


@pytest.mark.parametrize("args,message", [
    (["--org", "nowhere"], "no organization with the code 'nowhere'"),
    (["--type", "tea_party"], "Unknown activity type 'tea_party'"),
    (["--format", "odt"], "Unknown format 'odt'"),
])
def test_export_ledger_explains_what_is_wrong(personas, tmp_path, args, message):
    base = {"--org": "branch-a", "--year": "2025", "--format": "pdf", "--output": str(tmp_path / "x")}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    argv = [item for pair in base.items() for item in pair]
    with pytest.raises(CommandError, match=message):
        call_command("export_ledger", *argv)
    assert not (tmp_path / "x").exists()
