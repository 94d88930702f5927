"""Spreadsheets carry no formulas from users (issue 13, item 5): text that Excel would read as a
formula, imported as activity titles, places, minutes and observers' names and typed as people's
and organizations' names, comes out of every XLSX export as text, exactly as it was stored."""

import io

import openpyxl
import pytest
from django.urls import reverse

from branchwork.activities import importer
from branchwork.activities.models import Activity, Attendance
from branchwork.core.exports import cell as export_cell
from branchwork.core.models import Organization, OrganizationKind, Person, Role
from branchwork.core.testing import PersonFactory, give_role, make_org
from branchwork.reports import ledger

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\t=1",
    "\r=1",
]
# Observers' names are split at commas and 、, so theirs have none.
NAMES = ["=1+1", "+2", "-3", "@A1"]
HEADER = ["日期", "类型", "标题", "地点", "主持人", "记录人", "出席", "缺席", "议程", "决议", "纪要", "联合单位", "列席"]


def _import_file() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i, payload in enumerate(PAYLOADS, start=1):
        ws.append([f"2025-03-{i:02d} 14:30", "主题党日", payload, payload, "李爱丽", "李爱丽", "李爱丽",
                   "", "", "", payload, "", "、".join(NAMES)])
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.data_type = "s"  # the file as a user's spreadsheet holds it: text, not formulas
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def injected(personas):
    importer.run_import(by=personas.alice, organization=personas.branch_a, name="台账.xlsx",
                        data=_import_file())
    for payload in PAYLOADS:
        give_role(PersonFactory(name=payload, name_en=payload), personas.branch_a, Role.MEMBER)
    for i, payload in enumerate(PAYLOADS):
        make_org(f"evil-{i}", OrganizationKind.BRANCH, payload, personas.committee)
    return personas


def _cells(content: bytes) -> list:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def _exports(client, personas) -> dict[str, bytes]:
    client.force_login(personas.alice)
    org = personas.branch_a.code
    urls = {
        "activities": reverse("activities:export", args=[org]) + "?year=2025",
        "people": reverse("core:org_people_export", args=[org]),
        "audit": reverse("core:org_audit_export", args=[org]),
    }
    files = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        files[name] = response.content
    client.force_login(personas.admin)
    response = client.get(reverse("activities:committee_export", args=[personas.committee.code]) + "?year=2025")
    assert response.status_code == 200
    files["compliance"] = response.content
    files["ledger"] = ledger.build(organization=personas.branch_a, year=2025, fmt="xlsx")[0]
    return files


def test_no_export_holds_a_formula_and_each_shows_the_text_as_stored(client, injected):
    assert Activity.objects.count() == len(PAYLOADS)
    stored_titles = set(Activity.objects.values_list("title", flat=True))
    stored_places = set(Activity.objects.values_list("place", flat=True))
    observers = set(Attendance.objects.filter(person=None).values_list("name", flat=True))
    assert stored_titles & set(PAYLOADS) and set(NAMES) <= observers
    people = set(Person.objects.filter(name__in=PAYLOADS).values_list("name", flat=True))
    branches = {o.display_name for o in Organization.objects.filter(code__startswith="evil-")}
    assert people == set(PAYLOADS) and len(branches) == len(PAYLOADS)
    expected = {
        "activities": stored_titles | stored_places,
        "people": people,
        "audit": stored_titles,
        "compliance": branches,
        "ledger": stored_titles | stored_places | observers,
    }
    for name, content in _exports(client, injected).items():
        cells = _cells(content)
        formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
        assert not formulas, (name, formulas)
        shown = {c.value for c in cells if isinstance(c.value, str)}
        missing = expected[name] - shown
        assert not missing, (name, missing)
        # Excel's own mark of "typed as text": the cell stays text when edited there.
        for c in cells:
            if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                assert c.quotePrefix, (name, c.coordinate, c.value)


def test_numbers_and_dates_stay_typed(client, injected):
    files = _exports(client, injected)
    ws = openpyxl.load_workbook(io.BytesIO(files["activities"])).active
    first = [c for c in ws[2]]
    assert first[0].is_date and first[0].value.year == 2025
    assert isinstance(first[8].value, int)  # expected attendees
    people = openpyxl.load_workbook(io.BytesIO(files["people"])).active
    joined = [row[7] for row in people.iter_rows(min_row=2)]  # "From": the role's start date
    assert all(c.is_date for c in joined)


def test_a_cell_with_text_is_never_a_formula():
    ws = openpyxl.Workbook(write_only=True).create_sheet()
    for payload in [*PAYLOADS, *NAMES, "=", "普通文字"]:
        c = export_cell(ws, payload)
        assert (c.data_type, c.value) == ("s", payload)
    assert export_cell(ws, -2).data_type == "n"
    assert export_cell(ws, "a\x00b\x1f").value == "ab"  # XML holds no control characters
