"""A .docx file as Wagtail rich text: paragraphs, headings, bold and italic, lists, links, images.

Only what an article needs is kept. Headings become h2–h4; list paragraphs (Word's list styles or
numbering) become ul/ol; a paragraph styled Title is returned apart, as the document's title;
tables become one paragraph a row, cells separated by a vertical bar; pictures anchored in the
text come back as images in their place, for the caller to put in the image library.
Pure functions, no database.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from html import escape

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A .docx larger than this once unpacked is not opened (a ZIP bomb would exhaust memory).
MAX_UNPACKED = 200 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SAFE_URL = re.compile(r"^(https?://|mailto:)", re.I)
_HEADING = re.compile(r"^(heading|标题)\s*(\d)$", re.I)


class NotADocx(Exception):
    """The file cannot be read as a Word document."""


@dataclass
class WordImage:
    filename: str
    content_type: str
    data: bytes


@dataclass
class WordDocument:
    title: str = ""
    # ("html", str) or ("image", WordImage), in reading order
    items: list[tuple[str, object]] = field(default_factory=list)

    @property
    def text_length(self) -> int:
        return sum(len(re.sub(r"<[^>]+>|\s", "", str(v))) for k, v in self.items if k == "html")


def _inline_html(paragraph) -> str:
    """The runs and hyperlinks of a paragraph as escaped HTML with <b>, <i>, <a>, <br/>."""
    from docx.text.hyperlink import Hyperlink
    from docx.text.run import Run

    out = []

    def run_html(run) -> str:
        pieces = []
        for child in run._r.iterchildren():
            tag = child.tag
            if tag == _W + "t":
                pieces.append(escape(child.text or ""))
            elif tag == _W + "tab":
                pieces.append(" ")
            elif tag in (_W + "br", _W + "cr"):
                pieces.append("<br/>")
        text = "".join(pieces)
        if not text.strip() or text == "<br/>":
            return text
        if run.italic:
            text = f"<i>{text}</i>"
        if run.bold:
            text = f"<b>{text}</b>"
        return text

    for item in paragraph.iter_inner_content():
        if isinstance(item, Run):
            out.append(run_html(item))
        elif isinstance(item, Hyperlink):
            inner = "".join(run_html(r) for r in item.runs)
            url = (item.url or "").strip()
            if url and _SAFE_URL.match(url) and inner.strip():
                out.append(f'<a href="{escape(url)}">{inner}</a>')
            else:
                out.append(inner)
    html = "".join(out)
    html = re.sub(r"</b><b>|</i><i>", "", html)
    return re.sub(r"^(<br/>|\s)+|(<br/>|\s)+$", "", html)


def _images_of(element, part) -> list[WordImage]:
    images = []
    for rid in element.xpath(".//a:blip/@r:embed"):
        related = part.related_parts.get(rid)
        if related is None or not getattr(related, "content_type", "").startswith("image/"):
            continue
        images.append(
            WordImage(
                filename=posixpath.basename(str(getattr(related, "partname", "image"))),
                content_type=related.content_type,
                data=related.blob,
            )
        )
    return images


def _list_kind(paragraph, numbering_formats: dict[tuple[str, str], str]) -> str | None:
    """'ul' or 'ol' for a list paragraph, else None."""
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style.lower().startswith("list bullet"):
        return "ul"
    if style.lower().startswith("list number"):
        return "ol"
    ppr = paragraph._p.pPr
    num_pr = ppr.numPr if ppr is not None else None
    if num_pr is None or num_pr.numId is None:
        return None
    num_id = str(num_pr.numId.val)
    level = str(num_pr.ilvl.val) if num_pr.ilvl is not None else "0"
    if num_id == "0":
        return None
    fmt = numbering_formats.get((num_id, level), "bullet")
    return "ul" if fmt in ("bullet", "none") else "ol"


def _numbering_formats(document) -> dict[tuple[str, str], str]:
    """(numId, level) → numFmt (bullet, decimal, chineseCounting…) from the numbering part."""
    try:
        numbering = document.part.numbering_part.element
    except NotImplementedError:
        # python-docx's answer for a document without a numbering part: no numbering
        # definitions, so lists are known by their paragraphs' style alone (_list_kind).
        return {}
    abstract = {}
    for node in numbering.findall(_W + "abstractNum"):
        levels = {}
        for lvl in node.findall(_W + "lvl"):
            fmt = lvl.find(_W + "numFmt")
            levels[lvl.get(_W + "ilvl")] = fmt.get(_W + "val") if fmt is not None else "bullet"
        abstract[node.get(_W + "abstractNumId")] = levels
    result = {}
    for num in numbering.findall(_W + "num"):
        ref = num.find(_W + "abstractNumId")
        if ref is None:
            continue
        for level, fmt in abstract.get(ref.get(_W + "val"), {}).items():
            result[(num.get(_W + "numId"), level)] = fmt
    return result


def convert(data: bytes) -> WordDocument:
    """Read a .docx; raises NotADocx when it is not one (or is damaged)."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise NotADocx(f"python-docx is not installed: {exc}") from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise NotADocx("not a ZIP package")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotADocx(f"damaged ZIP package: {exc}") from None
    if unpacked > MAX_UNPACKED:
        raise NotADocx(f"{unpacked} bytes when unpacked, more than {MAX_UNPACKED}")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any failure of a damaged file means the same
        raise NotADocx(str(exc) or exc.__class__.__name__) from None

    result = WordDocument()
    formats = _numbering_formats(document)
    open_list: list[str] = []  # [kind, items…] of the list being built

    def close_list():
        if open_list:
            kind, *items = open_list
            result.items.append(("html", f"<{kind}>{''.join(items)}</{kind}>"))
            open_list.clear()

    def add_paragraph(paragraph):
        html = _inline_html(paragraph)
        images = _images_of(paragraph._p, document.part)
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        list_kind = _list_kind(paragraph, formats) if html else None
        if list_kind:
            if open_list and open_list[0] != list_kind:
                close_list()
            if not open_list:
                open_list.append(list_kind)
            open_list.append(f"<li>{html}</li>")
        else:
            close_list()
            heading = _HEADING.match(style.strip())
            if style.strip().lower() in ("title", "标题") and html and not result.title:
                result.title = re.sub(r"<[^>]+>", "", html).replace("&amp;", "&").strip()
            elif heading and html:
                level = min(int(heading.group(2)) + 1, 4)
                result.items.append(
                    ("html", f"<h{level}>{re.sub(r'</?[bi]>', '', html)}</h{level}>")
                )
            elif (
                html
                and style.strip().lower() in ("caption", "题注")
                and result.items
                and result.items[-1][0] == "image"
            ):
                result.items.append(("html", f'<p class="caption">{html}</p>'))
            elif html:
                result.items.append(("html", f"<p>{html}</p>"))
        if images:
            close_list()
            result.items.extend(("image", image) for image in images)

    for child in document.element.body.iterchildren():
        if child.tag == _W + "p":
            add_paragraph(Paragraph(child, document))
        elif child.tag == _W + "tbl":
            close_list()
            table = Table(child, document)
            for row in table.rows:
                cells = []
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell repeats
                        continue
                    seen.add(id(cell._tc))
                    text = " ".join(_inline_html(p) for p in cell.paragraphs if _inline_html(p))
                    if text:
                        cells.append(text)
                    for p in cell.paragraphs:
                        for image in _images_of(p._p, document.part):
                            result.items.append(("image", image))
                if cells:
                    result.items.append(("html", f"<p>{' | '.join(cells)}</p>"))
    close_list()
    return result
