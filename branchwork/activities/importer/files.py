"""Reading an import file (CSV in any common encoding, or XLSX) into rows keyed by header."""


from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from branchwork.core import imports, validators
from branchwork.activities.importer.columns import ImportRefused, _error, _norm, column_key


# --- Reading the file ---


class Row(dict):
    """One record of the file: header as written → value; `number` is its row in the file."""

    def __init__(self, values: dict, number: int):
        super().__init__(values)
        self.number = number


class Rows(list):
    """The records of a file, and the encoding its text was in ("" for a workbook)."""

    encoding = ""


def _refuse(problem: str) -> ImportRefused:
    return ImportRefused([_error(None, "", problem)])


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Past this many errors of one kind in the cells, reading stops: the file is refused anyway.
_MAX_CELL_ERRORS = 100


def _records(header: list, body: Iterable[tuple[int, Sequence]]) -> Rows:
    """The records under `header`, reading `body` lazily and stopping at the first limit passed
    (settings.IMPORT_LIMITS: rows read with blank ones, records, columns, cell length)."""
    lim = imports.limits()

    def too_wide(cells: Sequence) -> ImportRefused:
        return _refuse(_("The file has %(count)s columns, more than the %(max)s an import "
                         "reads.") % {"count": len(cells), "max": lim["columns"]})

    if len(header) > lim["columns"]:
        raise too_wide(header)
    headers = ["" if h is None else str(h).strip() for h in header]
    if not any(headers):
        raise _refuse(_("The first row must hold the column headers."))
    for h in headers:
        if why := validators.problem(h):
            raise ImportRefused([_error(1, h.encode("unicode_escape").decode(), why)])
    seen: dict[str, int] = {}
    for index, h in enumerate(headers):
        if not h:
            continue
        key = column_key(h) or _norm(h)
        if key in seen:
            raise ImportRefused([_error(1, h, _("this column appears twice (also as “%(other)s”).")
                                        % {"other": headers[seen[key]]})])
        seen[key] = index
    rows, cell_errors, read = Rows(), [], 1
    for number, cells in body:
        read += 1
        if read > lim["rows"]:
            raise _refuse(_("The file has more than %(max)s rows (blank rows count too); delete "
                            "the empty rows at its end or split it into smaller files.")
                          % {"max": lim["rows"]})
        if len(cells) > lim["columns"]:
            raise too_wide(cells)
        if all(_blank(c) for c in cells):
            continue  # blank lines, and the formatted but empty rows Excel leaves at the end
        if len(rows) >= lim["records"]:
            raise _refuse(_("The file has more than %(max)s rows; split it into smaller files.")
                          % {"max": lim["records"]})
        values = {}
        for index, value in enumerate(cells):
            header = headers[index] if index < len(headers) else ""
            if not header:
                if not _blank(value):
                    raise ImportRefused([_error(number, "", _(
                        "column %(index)s has a value but no header.") % {"index": index + 1})])
                continue
            if isinstance(value, str):
                if len(value) > lim["cell_chars"]:
                    raise ImportRefused([_error(number, header, _(
                        "the cell holds %(length)s characters, more than the %(max)s an import "
                        "reads.") % {"length": len(value), "max": lim["cell_chars"]})])
                if why := validators.problem(value):
                    cell_errors.append(_error(number, header, why))
                    if len(cell_errors) >= _MAX_CELL_ERRORS:
                        raise ImportRefused(cell_errors)
                value = value.strip()
            values[header] = value
        for header in headers:
            if header:
                values.setdefault(header, None)
        rows.append(Row(values, number))
    if cell_errors:
        raise ImportRefused(cell_errors)
    return rows


def encoding_label(encoding: str) -> str:
    """How the dry-run report names an encoding: UTF-8, GB18030, Big5, …"""
    return {"big5": "Big5", "big5hkscs": "Big5-HKSCS", "cp950": "Big5 (cp950)"}.get(
        encoding, encoding.upper())


def _parse_csv(data: bytes) -> Rows:
    try:
        decoded = imports.decode(data)
    except imports.Undecodable:
        raise _refuse(_("The file is not text in UTF-8, GB18030 or Big5; save it as CSV UTF-8 "
                        "or as an Excel workbook (.xlsx).")) from None
    text = decoded.text
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first and "，" not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise _refuse(_("The file is empty."))
        rows = _records(header, ((i + 2, r) for i, r in enumerate(reader)))
    except csv.Error as exc:
        raise _refuse(_("The CSV file cannot be read (near row %(row)s).")
                      % {"row": reader.line_num}) from exc
    rows.encoding = encoding_label(decoded.encoding)
    return rows


def _parse_xlsx(data: bytes) -> Rows:
    import openpyxl

    try:
        imports.check_zip(data)
    except imports.TooMuch as exc:
        raise _refuse(str(exc)) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike: the file is not usable
        raise _refuse(_("The file cannot be read as an Excel workbook (.xlsx).")) from exc
    try:
        if not book.worksheets:
            raise _refuse(_("The file is empty."))
        sheet = book.worksheets[0]
        # The sheet's declared dimension is not trusted: openpyxl would pad every row to a
        # declared width (16,384 columns) and stop at a declared height, silently dropping
        # the rows below it. Without it, each row is as long as its cells and all are read.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        try:
            header = next(rows, None)
            if header is None:
                raise _refuse(_("The file is empty."))
            return _records(list(header), ((i + 2, r) for i, r in enumerate(rows)))
        except ImportRefused:
            raise
        except Exception as exc:  # broken XML inside an otherwise valid zip
            raise _refuse(_("The file cannot be read as an Excel workbook (.xlsx).")) from exc
    finally:
        book.close()


def parse_file(name: str, data: bytes) -> Rows:
    """The records of a CSV or XLSX file, keyed by its headers (raises ImportRefused)."""
    if not data:
        raise _refuse(_("The file is empty."))
    try:
        imports.check_size(data)
    except imports.TooMuch as exc:
        raise _refuse(str(exc)) from None
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in ("xlsx", "xlsm") or (suffix not in ("csv", "txt") and data[:4] == b"PK\x03\x04"):
        return _parse_xlsx(data)
    if suffix in ("csv", "txt"):
        return _parse_csv(data)
    if suffix == "xls":
        raise _refuse(_("Old Excel files (.xls) cannot be read; save it as .xlsx or as CSV UTF-8."))
    raise _refuse(_("Upload a CSV or an Excel (.xlsx) file."))


