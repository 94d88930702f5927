"""The text inside uploaded files, for the search index.

Documents, an activity's materials and a talk's slides are found by what they say, not only by
their titles. This module reads the kinds of file people here exchange: PDF (through poppler's
`pdftotext`), Word, Excel and PowerPoint files (DOCX, XLSX, PPTX), OpenDocument files and plain
text (UTF-8, or GB18030 as older Chinese Windows writes it). Older binary formats (DOC, XLS,
PPT), archives and media give no text; their title is still indexed.

It runs where indexing runs (the task worker, `rebuild_search_index`), not in a request (unless
`TASKS_BACKEND` runs tasks immediately). What it keeps is capped (`MAX_CHARS` per object,
`MAX_BYTES` per file, `PDF_TIMEOUT` for a PDF), and a file it cannot read gives empty text and a
logged warning: a broken upload never stops indexing.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import subprocess
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

logger = logging.getLogger(__name__)

# Characters of text kept for one object (all its files together): about a hundred pages.
MAX_CHARS = 200_000
# Larger files are indexed by their title alone.
MAX_BYTES = 64 * 1024 * 1024
# Seconds pdftotext may take for one file.
PDF_TIMEOUT = 30
# The XML inside an office file, uncompressed, at most (a small file may unpack to gigabytes).
MAX_UNPACKED_BYTES = 128 * 1024 * 1024

_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_SLIDE = re.compile(r"ppt/slides/slide(\d+)\.xml")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A line break between two Han characters is where a PDF wrapped a line, not a word boundary.
_WRAPPED = re.compile(rf"(?<=[{_HAN}，、；：])[ \t]*\n[ \t]*(?=[{_HAN}])")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


class Unreadable(Exception):
    """A file whose text cannot be had (said why, for the log)."""


def files_text(files: Iterable, *, limit: int = MAX_CHARS) -> str:
    """The text of several stored files (FieldFiles), one after the other, at most `limit`
    characters in all."""
    parts, left = [], limit
    for file in files:
        if left <= 0:
            break
        text = file_text(file, limit=left)
        if text:
            parts.append(text)
            left -= len(text) + 1
    return "\n".join(parts)


def file_text(file, *, limit: int = MAX_CHARS) -> str:
    """The text of one stored file: empty when its kind has none we read, or when it cannot be
    read (with a warning in the log, naming the file and why)."""
    name = getattr(file, "name", "") or ""
    reader = READERS.get(Path(name).suffix.lower().lstrip("."))
    if reader is None:
        return ""
    try:
        data = _read(file)
        text = reader(data, limit)
    except Unreadable as exc:
        logger.warning("No text indexed from %s: %s", name, exc)
        return ""
    except Exception as exc:  # noqa: BLE001 - a broken file may make a parser raise anything
        logger.warning("No text indexed from %s: %s: %s", name, type(exc).__name__, exc)
        return ""
    return _tidy(text)[:limit]


def _read(file) -> bytes:
    try:
        size = file.size
    except (OSError, ValueError) as exc:
        raise Unreadable(f"the file is missing ({exc})") from exc
    if size > MAX_BYTES:
        raise Unreadable(f"{size} bytes is more than the {MAX_BYTES} read for search")
    try:
        with file.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise Unreadable(f"the file cannot be opened ({exc})") from exc


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n").replace("\x00", "")
    return _BLANK_LINES.sub("\n\n", text).strip()


def _joined(parts: Iterator[str], limit: int) -> str:
    """Lines from a reader, up to `limit` characters (it stops reading there)."""
    kept, size = [], 0
    for part in parts:
        part = part.strip()
        if not part:
            continue
        kept.append(part)
        size += len(part) + 1
        if size >= limit:
            break
    return "\n".join(kept)


# --- The readers: bytes and a character limit in, text out ---


def _plain(data: bytes, limit: int) -> str:
    """UTF-8 (with or without a byte-order mark), UTF-16 with one, else GB18030."""
    data = data[: limit * 4]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    for encoding in ("utf-8", "gb18030"):
        try:
            # Not final: the cut above may have split the last character.
            return codecs.getincrementaldecoder(encoding)().decode(data, final=False)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _pdf(data: bytes, limit: int) -> str:
    """poppler's pdftotext, writing to a file of which only the first `limit` characters are read
    (a crafted PDF may unpack to far more text than it has bytes)."""
    with tempfile.TemporaryDirectory(prefix="branchwork-extract-") as folder:
        out = Path(folder) / "text.txt"
        try:
            run = subprocess.run(  # noqa: S603 - a fixed command; the file comes on stdin
                ["pdftotext", "-enc", "UTF-8", "-", str(out)], input=data,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=PDF_TIMEOUT, check=False,
            )
        except FileNotFoundError as exc:
            raise Unreadable("pdftotext is not installed (Debian's poppler-utils)") from exc
        except subprocess.TimeoutExpired as exc:
            raise Unreadable(f"pdftotext took more than {PDF_TIMEOUT} s") from exc
        if run.returncode != 0 or not out.exists():
            said = run.stderr.decode("utf-8", errors="replace").strip().splitlines()
            raise Unreadable(f"pdftotext: {said[-1] if said else f'exit status {run.returncode}'}")
        with out.open("rb") as handle:
            raw = handle.read(limit * 4)
    return _WRAPPED.sub("", raw.decode("utf-8", errors="ignore"))


def _zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise Unreadable("not an office file (no zip archive inside)") from exc
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
        raise Unreadable(f"it unpacks to more than {MAX_UNPACKED_BYTES} bytes")
    return archive


def _paragraphs(stream: IO[bytes], paragraph_tags: set[str], text_of: Callable) -> Iterator[str]:
    """Each paragraph's text from an XML part, read as a stream (a paragraph inside another, as
    in a text box, comes on its own and is not repeated in the outer one)."""
    for _event, element in ElementTree.iterparse(stream, events=("end",)):
        if element.tag in paragraph_tags:
            yield text_of(element)
            element.clear()


def _ooxml_text(tag: str) -> Callable:
    def text_of(paragraph) -> str:
        return "".join(node.text or "" for node in paragraph.iter(tag))

    return text_of


def _docx(data: bytes, limit: int) -> str:
    with _zip(data) as archive, archive.open("word/document.xml") as part:
        return _joined(_paragraphs(part, {f"{_WORD}p"}, _ooxml_text(f"{_WORD}t")), limit)


def _pptx(data: bytes, limit: int) -> str:
    """The slides' text in slide order (speaker notes are left out)."""
    with _zip(data) as archive:
        slides = sorted((int(m.group(1)), name) for name in archive.namelist()
                        if (m := _SLIDE.fullmatch(name)))

        def lines() -> Iterator[str]:
            for _number, name in slides:
                with archive.open(name) as part:
                    yield from _paragraphs(part, {f"{_DRAWING}p"}, _ooxml_text(f"{_DRAWING}t"))

        return _joined(lines(), limit)


def _odf(data: bytes, limit: int) -> str:
    """OpenDocument text, spreadsheets and presentations: their paragraphs and headings."""
    with _zip(data) as archive, archive.open("content.xml") as part:
        tags = {f"{_ODF_TEXT}p", f"{_ODF_TEXT}h"}
        return _joined(_paragraphs(part, tags, lambda element: "".join(element.itertext())), limit)


def _xlsx(data: bytes, limit: int) -> str:
    """Each sheet's name, then its rows, cells separated by tabs (values, not formulas)."""
    import openpyxl

    _zip(data).close()  # refuses what unpacks too large before openpyxl unpacks it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about features it does not read
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)

    def lines() -> Iterator[str]:
        for sheet in workbook.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                cells = (str(value) for value in row if value is not None)
                yield "\t".join(cell for cell in cells if cell.strip())

    try:
        return _joined(lines(), limit)
    finally:
        workbook.close()


READERS: dict[str, Callable[[bytes, int], str]] = {
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
    "pptx": _pptx,
    "odt": _odf,
    "ods": _odf,
    "odp": _odf,
    "txt": _plain,
    "csv": _plain,
    "tsv": _plain,
    "md": _plain,
}
