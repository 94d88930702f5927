"""The ledger (台账) of an organization's year: every activity in the minute format, as DOCX
(editable), PDF (Typst, print-ready) and XLSX (a sheet of activities, a sheet of attendance).

`data` reads the year once into a snapshot (`ledger_data`), `labels` holds the words the
formats share, and `pdf`, `docx` and `xlsx` each build one format from the snapshot with the
document toolkit (`branchwork.documents`) and the spreadsheet helper (`core.exports`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from branchwork.core.models import Organization
from branchwork.reports.ledger.data import Ledger, LedgerError, Progress, filename, ledger_data
from branchwork.reports.ledger.docx import build_docx
from branchwork.reports.ledger.pdf import build_pdf
from branchwork.reports.ledger.xlsx import build_xlsx

__all__ = ["BUILDERS", "CONTENT_TYPES", "FORMATS", "Ledger", "LedgerError", "build", "build_docx",
           "build_pdf", "build_xlsx", "filename", "ledger_data"]

FORMATS = ("pdf", "docx", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BUILDERS = {"pdf": build_pdf, "docx": build_docx, "xlsx": build_xlsx}


def build(*, organization: Organization, year: int, type_code: str | None = None, fmt: str,
          progress: Progress = None) -> tuple[bytes, str]:
    """The ledger as a file: (content, file name)."""
    if fmt not in BUILDERS:
        raise LedgerError(_("Unknown format: %(format)s (one of %(formats)s)")
                          % {"format": fmt, "formats": ", ".join(FORMATS)})
    if progress:
        progress(5)
    ledger = ledger_data(organization=organization, year=year, type_code=type_code)
    if progress:
        progress(20)
    content = BUILDERS[fmt](ledger, progress=progress)
    return content, filename(organization=organization, year=year, type_code=ledger.type_code, fmt=fmt)
