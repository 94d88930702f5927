"""Spreadsheets, the one way: every list a user would want in Excel, and the ledger's sheets.

Text is written as text. A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage
return is what Excel, LibreOffice and WPS read as a formula (or as the start of one: `+1+1`,
`@SUM(…)`, `=HYPERLINK(…)`, `=cmd|…`: the CSV/formula injection of OWASP). openpyxl writes any
string starting with `=` as a live formula. So every string cell is typed as a string
(`data_type = "s"`: the file holds no formula, whatever the text) and those that start with one
of these characters also get Excel's quote prefix (`quotePrefix`, the style Excel itself gives a
cell typed as `'=1`): the cell shows exactly what was typed, and editing it in Excel keeps it
text. We do not add an apostrophe to the text itself (OWASP's advice for CSV, which has no cell
types), so the text a reader sees and copies is what the user typed.

Numbers stay numbers, dates and times stay dates (with a date format); characters XML cannot
hold (control characters) are dropped rather than refusing the whole file.
"""

from __future__ import annotations

import datetime
import decimal
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_BOLD = Font(bold=True)
_WRAP = Alignment(vertical="center", wrap_text=True)


def text(value) -> str:
    """A string XML holds (control characters dropped)."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def cell(ws, value, *, number_format: str | None = None, bold: bool = False) -> WriteOnlyCell:
    """One cell of a write-only sheet: text as text, numbers as numbers, dates as dates."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.replace(tzinfo=None, microsecond=0)
        number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        number_format = number_format or DATE_FORMAT
    elif value is not None and not isinstance(value, (bool, int, float, decimal.Decimal)):
        value = text(value)
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        c.data_type = "s"  # never "f": openpyxl would write a text starting with "=" as a formula
        if value.startswith(FORMULA_TRIGGERS):
            c.quotePrefix = True
    if number_format:
        c.number_format = number_format
    if bold:
        c.font, c.alignment = _BOLD, _WRAP
    return c


def _width(value) -> int:
    # CJK characters are about twice as wide as Latin ones.
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(value))


@dataclass
class Sheet:
    """A sheet: a bold, frozen header row, then the rows. Widths in characters; None: fitted to
    the longest value of each column."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[float] | None = None
    autofilter: bool = False
    number_formats: dict[int, str] = field(default_factory=dict)  # column (from 0) → format


def _write(wb: Workbook, sheet: Sheet) -> None:
    ws = wb.create_sheet(sheet.title[:31])
    rows = [list(r) for r in sheet.rows]
    widths = sheet.widths
    if widths is None:
        fitted = [_width(h) for h in sheet.headers]
        for row in rows:
            for i, v in enumerate(row[:len(fitted)]):
                if v is not None:
                    fitted[i] = max(fitted[i], _width(v))
        widths = [min(max(w + 2, 8), 60) for w in fitted]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    if sheet.autofilter and rows and len(rows[0]) == len(sheet.headers):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{len(rows) + 1}"
    ws.append([cell(ws, str(h), bold=True) for h in sheet.headers])
    formats = sheet.number_formats
    for row in rows:
        ws.append([cell(ws, v, number_format=formats.get(i)) for i, v in enumerate(row)])


def workbook_bytes(sheets: Sequence[Sheet], *, title: str = "") -> bytes:
    """A workbook of the sheets, written row by row (write-only: thousands of rows stay cheap)."""
    wb = Workbook(write_only=True)
    for sheet in sheets:
        _write(wb, sheet)
    if title:
        wb.properties.title = text(title)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence],
               number_formats: dict[int, str] | None = None) -> bytes:
    """A list as a one-sheet workbook."""
    return workbook_bytes([Sheet(title, headers, rows, number_formats=number_formats or {})])


def xlsx_response(*, filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence],
                  number_formats: dict[int, str] | None = None) -> HttpResponse:
    content = xlsx_bytes(title=title, headers=headers, rows=rows, number_formats=number_formats)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"{filename}\""
    return response
