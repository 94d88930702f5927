"""Lists as Excel workbooks: every list a user would want in Excel has an export."""

import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) * 2 for h in headers]
    for row in rows:
        values = ["" if v is None else (v if isinstance(v, (int, float)) else str(v)) for v in row]
        ws.append(values)
        for i, v in enumerate(values):
            # CJK characters are about twice as wide as Latin ones.
            text = str(v)
            widths[i] = max(widths[i], sum(2 if ord(ch) > 0x2E80 else 1 for ch in text))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(*, filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(title=title, headers=headers, rows=rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"{filename}\""
    return response
