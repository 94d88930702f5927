"""Word documents: one writer for the ledger and every later export.

`new_document(header=…, page_label=…)` is an A4 document with styles whose fonts Word and WPS
show for Chinese (w:eastAsia; see fonts.DOCX_BODY), a running header and "page N of M" footer
from the second page on. `DocxBody` writes the body as WordprocessingML text and parses it in one
piece per flush (python-docx's element-by-element API costs more than the rest of a build):
paragraphs, bordered tables, pictures, and rich-text blocks (`write_blocks`). `save(doc)` writes
the package.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape as xml_escape

from branchwork.core.richtext import (
    HEADING,
    IMAGE,
    LIST_ITEM,
    QUOTE,
    TABLE,
    Block,
    Run,
    runs_text,
)
from branchwork.documents import fonts

_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CM = 567  # twips in a centimetre
TEXT_WIDTH = int(16.6 * CM)  # A4 less 2.2 cm margins


def xml_text(text) -> str:
    """Text that XML (and so Word) accepts."""
    return _XML_BAD.sub("", str(text or ""))


def _t(text) -> str:
    """Escaped text of a w:t element."""
    return xml_escape(xml_text(text))


# --- Styles and page ---


def set_fonts(rpr, faces: tuple[str, str, str]) -> None:
    """Latin, East Asian and complex-script faces of a run-properties element."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    latin, east_asia, complex_script = faces
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), complex_script)


def set_styles(doc) -> None:
    """Body and heading faces (Chinese included), sizes and spacing of the default template."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, fonts.DOCX_BODY)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    for style in styles:
        if style.type not in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            continue
        is_heading = style.name.startswith(("Heading", "Title", "Subtitle")) or style.name == "TOC Heading"
        set_fonts(style.element.get_or_add_rPr(), fonts.DOCX_HEADING if is_heading else fonts.DOCX_BODY)
        if is_heading and style.font.color is not None and style.font.color.type is not None:
            style.font.color.rgb = RGBColor(0, 0, 0)
    normal = styles["Normal"]
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.25
    sizes = {"Title": 26, "Heading 1": 16, "Heading 2": 13, "Heading 3": 12, "Heading 4": 11,
             "Heading 5": 11}
    for name, size in sizes.items():
        styles[name].font.size = Pt(size)
    styles["Heading 2"].paragraph_format.space_before = Pt(12)
    # The Title style of the default template draws a coloured rule under it.
    title_ppr = styles["Title"].element.pPr
    if title_ppr is not None:
        border = title_ppr.find(qn("w:pBdr"))
        if border is not None:
            title_ppr.remove(border)


def _field_xml(instr: str) -> str:
    return f'<w:fldSimple w:instr="{instr}"><w:r><w:t>1</w:t></w:r></w:fldSimple>'


def page_numbers(paragraph, label: str) -> None:
    """`label` with {page} and {total} as PAGE and NUMPAGES fields, in the label's word order."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    xml = []
    for part in re.split(r"(\{page\}|\{total\})", label):
        if part == "{page}":
            xml.append(_field_xml(" PAGE "))
        elif part == "{total}":
            xml.append(_field_xml(" NUMPAGES "))
        elif part:
            xml.append(f'<w:r><w:t xml:space="preserve">{_t(part)}</w:t></w:r>')
    for el in parse_xml(f'<w:p {nsdecls("w")}>{"".join(xml)}</w:p>'):
        paragraph._p.append(el)


def new_document(*, title: str, author: str, header: str, page_label: str):
    """An empty A4 document: styles, properties, a header and page numbers after the cover."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc = Document()
    set_styles(doc)
    doc.core_properties.title = xml_text(title)
    doc.core_properties.author = xml_text(author)
    doc.core_properties.language = "zh-CN"
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.6), Cm(2.4)
    section.left_margin = section.right_margin = Cm(2.2)
    section.different_first_page_header_footer = True  # no header or page number on the cover
    head = section.header.paragraphs[0]
    head.text = xml_text(header)
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page_numbers(foot, page_label)
    # The template's body starts with an empty paragraph; the caller's first page takes its place.
    for p in list(doc.element.body.iterchildren("{*}p")):
        doc.element.body.remove(p)
    return doc


# --- Saving ---

# python-docx's package writer, called step by step (private API: see save()). The versions it
# was checked with; tests/test_docx.py fails when the installed one is not among them.
PACKAGE_WRITER_STEPS = ("_write_content_types_stream", "_write_pkg_rels", "_write_parts")
PACKAGE_WRITER_CHECKED = ("1.2.0",)


class _ZipWriter:
    """Writes the parts of a DOCX package; pictures are stored as they are (JPEG and PNG do not
    deflate further, and deflating a year of photos costs more than the rest of the build)."""

    def __init__(self, stream):
        self._zip = zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED)

    def write(self, pack_uri, blob) -> None:
        media = pack_uri.startswith("/word/media/")
        self._zip.writestr(pack_uri.membername, blob,
                           compress_type=zipfile.ZIP_STORED if media else zipfile.ZIP_DEFLATED)

    def close(self) -> None:
        self._zip.close()


def fast_save_available() -> bool:
    from docx.opc.pkgwriter import PackageWriter

    return all(hasattr(PackageWriter, step) for step in PACKAGE_WRITER_STEPS)


def save(doc) -> bytes:
    """The package's bytes, its pictures stored uncompressed; with another python-docx whose
    private writer differs, its public `doc.save` (which deflates everything)."""
    from docx.opc.pkgwriter import PackageWriter

    out = io.BytesIO()
    if not fast_save_available():
        doc.save(out)
        return out.getvalue()
    package = doc.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    writer = _ZipWriter(out)
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    writer.close()
    return out.getvalue()


# --- The body ---


def table_xml(rows: Sequence[Sequence[str]], widths: Sequence[float], *, header: bool = True,
              label_column: bool = False) -> str:
    """A bordered table with fixed column widths (cm; 0 shares what is left)."""
    fixed = sum(w for w in widths if w)
    flex = [w for w in widths if not w]
    rest = max(TEXT_WIDTH - int(fixed * CM), CM * 2)
    twips = [int(w * CM) if w else rest // len(flex) for w in widths]
    xml = [
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>'
    ]
    xml += [f'<w:gridCol w:w="{w}"/>' for w in twips]
    xml.append("</w:tblGrid>")
    for i, row in enumerate(rows):
        head = header and i == 0
        xml.append("<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if head else "") + "</w:trPr>")
        for j, cell in enumerate(row):
            strong = head or (label_column and j == 0)
            rpr = "<w:rPr><w:b/></w:rPr>" if strong else ""
            fill = '<w:shd w:val="clear" w:color="auto" w:fill="EDEDED"/>' if strong else ""
            xml.append(f'<w:tc><w:tcPr><w:tcW w:w="{twips[j]}" w:type="dxa"/>{fill}</w:tcPr>')
            for line in str(cell or "").split("\n"):
                xml.append('<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="260" '
                           f'w:lineRule="auto"/></w:pPr><w:r>{rpr}'
                           f'<w:t xml:space="preserve">{_t(line)}</w:t></w:r></w:p>')
            xml.append("</w:tc>")
        xml.append("</w:tr>")
    xml.append("</w:tbl>")
    # A paragraph after each table keeps two tables from running into one.
    xml.append('<w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>')
    return "".join(xml)


class DocxBody:
    """The document's body written as WordprocessingML text and parsed in one piece per flush."""

    NAMESPACES = ("w", "r", "wp", "a", "pic")

    def __init__(self, doc, *, media_prefix: str = "image"):
        self.doc = doc
        self.xml: list[str] = []
        self.style_ids: dict[str, str] = {}
        self.images: dict[str, tuple] = {}
        self.media_prefix = media_prefix
        self.shape_id = 100_000

    def style(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def runs(self, runs: Sequence[Run]) -> str:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        out = []
        for run in runs:
            if run.text == "\n":
                out.append("<w:r><w:br/></w:r>")
                continue
            # In the schema's order: b, i, color, u.
            props = ("<w:b/>" if run.bold else "") + ("<w:i/>" if run.italic else "")
            if run.href:
                props += '<w:color w:val="0563C1"/>'
            if run.underline or run.href:
                props += '<w:u w:val="single"/>'
            r = (f'<w:r>{"<w:rPr>" + props + "</w:rPr>" if props else ""}'
                 f'<w:t xml:space="preserve">{_t(run.text)}</w:t></w:r>')
            if run.href:
                r_id = self.doc.part.relate_to(run.href, RT.HYPERLINK, is_external=True)
                r = f'<w:hyperlink r:id="{r_id}">{r}</w:hyperlink>'
            out.append(r)
        return "".join(out)

    def p(self, content: str | Sequence[Run] = "", style: str | None = None, *, center: bool = False,
          page_break: bool = False, after: int | None = None, bold: str = "", extra: str = "") -> None:
        """A paragraph of text (or of runs): `bold` goes first, in bold; `extra` is raw XML."""
        ppr = ""
        if style:
            ppr += f'<w:pStyle w:val="{self.style(style)}"/>'
        if page_break:
            ppr += "<w:pageBreakBefore/>"
        if after is not None:
            ppr += f'<w:spacing w:after="{after}"/>'
        if center:
            ppr += '<w:jc w:val="center"/>'
        body = self.runs([Run(bold, bold=True)]) if bold else ""
        if isinstance(content, str):
            body += self.runs([Run(content)]) if content else ""
        else:
            body += self.runs(content)
        self.xml.append(f'<w:p>{"<w:pPr>" + ppr + "</w:pPr>" if ppr else ""}{extra}{body}</w:p>')

    def link_p(self, text: str, anchor: str, *, after: int | None = None) -> None:
        """A paragraph linking to a bookmark of this document."""
        self.p(after=after, extra=f'<w:hyperlink w:anchor="{anchor}"><w:r>'
                                  f'<w:t xml:space="preserve">{_t(text)}</w:t></w:r></w:hyperlink>')

    def table(self, rows, widths, **kwargs) -> None:
        self.xml.append(table_xml(rows, widths, **kwargs))

    def picture(self, data: bytes, *, width_cm: float = 12, height_cm: float = 9) -> None:
        """The image, centred, at most width_cm wide and height_cm high. Each distinct image is
        one part of the package (python-docx's add_picture hashes every image already in the
        document for each new one, and scans the whole document for a free id)."""
        from docx.image.image import Image as DocxImage
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.oxml.shape import CT_Inline
        from docx.parts.image import ImagePart
        from docx.shared import Cm
        from lxml import etree

        digest = hashlib.sha1(data).hexdigest()
        if digest not in self.images:
            image = DocxImage.from_blob(data)
            part = ImagePart.from_image(
                image, PackURI(f"/word/media/{self.media_prefix}{len(self.images) + 1}.{image.ext}"))
            self.images[digest] = (self.doc.part.relate_to(part, RT.IMAGE), image)
        r_id, image = self.images[digest]
        cx, cy = image.scaled_dimensions(Cm(width_cm), None)
        if cy > Cm(height_cm):
            cx, cy = image.scaled_dimensions(None, Cm(height_cm))
        self.shape_id += 1
        inline = CT_Inline.new_pic_inline(self.shape_id, r_id, image.filename, cx, cy)
        drawing = etree.tostring(inline, encoding="unicode")
        self.xml.append(f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing>{drawing}'
                        "</w:drawing></w:r></w:p>")

    def blocks(self, blocks: Sequence[Block], *, heading_offset: int = 1) -> None:
        """Rich-text blocks; images inside them are described by their captions (their src may
        point anywhere, so nothing is fetched on the writer's behalf)."""
        for block in blocks:
            if block.kind == HEADING:
                self.p(block.runs, f"Heading {min(block.level + heading_offset, 5)}")
            elif block.kind == LIST_ITEM:
                depth = min(block.level, 3)
                suffix = "" if depth == 1 else f" {depth}"
                if block.ordered:
                    self.p([Run(f"{block.number}. "), *block.runs], "List Continue" + suffix)
                else:
                    self.p(block.runs, "List Bullet" + suffix)
            elif block.kind == QUOTE:
                self.p(block.runs, "Quote")
            elif block.kind == IMAGE:
                self.p(f"[{block.caption or block.alt or block.src}]", "Caption")
            elif block.kind == TABLE:
                width = max(len(r) for r in block.rows)
                self.table([[runs_text(c) for c in row] for row in block.rows], [0] * width,
                           header=block.header_rows > 0)
            else:
                self.p(block.runs)

    def flush(self) -> None:
        """Parse what was written and put it at the end of the body (before its sectPr)."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        if not self.xml:
            return
        fragment = parse_xml(f'<w:body {nsdecls(*self.NAMESPACES)}>{"".join(self.xml)}</w:body>')
        self.xml = []
        body = self.doc.element.body
        end = body.sectPr
        for child in list(fragment):
            if end is not None:
                end.addprevious(child)
            else:
                body.append(child)
