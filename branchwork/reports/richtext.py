"""Stored rich text (the sanitized HTML subset of core.html) as simple blocks, and blocks as Typst.

The DOCX and the PDF builders both read minutes through `parse()`: a flat list of blocks
(paragraphs, headings, list items, quotes, images, tables), each holding inline runs that are
bold, italic, underlined or a link. Anything outside the subset is read as its text (the input is
sanitized on the way in, so this is a fallback, not a filter).

Wagtail's image embeds (`<embed embedtype="image" id="N" alt="…"/>`, as its rich text editor stores
them) are image blocks whose `src` is `wagtail-image:N`; `wagtail_images()` fetches the images they
name in one query, for a builder that puts the files where Typst can read them.

`to_typst()` writes blocks as Typst markup in which every character a user typed is literal:
ASCII punctuation is backslash-escaped (Typst accepts an escape for each of them), so no typed
`#`, `$`, `*`, `_`, `[`, `]`, `<`, `@`, `//` … can start code, math, emphasis, a label, a
reference or a comment.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

PARAGRAPH = "paragraph"
HEADING = "heading"
LIST_ITEM = "list_item"
QUOTE = "quote"
IMAGE = "image"
TABLE = "table"

LINK_SCHEMES = ("http://", "https://", "mailto:")
# The src of an image block that stands for a Wagtail image (an <embed embedtype="image">).
WAGTAIL_IMAGE = "wagtail-image:"


@dataclass(frozen=True)
class Run:
    """Inline text with its styles; a line break is a run whose text is "\\n"."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    href: str = ""

    def same_style(self, other: Run) -> bool:
        return (self.bold, self.italic, self.underline, self.href) == (
            other.bold, other.italic, other.underline, other.href)


Cell = tuple[Run, ...]


@dataclass(frozen=True)
class Block:
    kind: str
    runs: tuple[Run, ...] = ()
    level: int = 0  # heading: 2–4; list item: depth from 1
    ordered: bool = False  # list item of an ordered list
    number: int = 0  # its position in that list
    src: str = ""  # image
    alt: str = ""
    caption: str = ""
    rows: tuple[tuple[Cell, ...], ...] = ()  # table
    header_rows: int = 0

    @property
    def text(self) -> str:
        if self.kind == IMAGE:
            return self.caption or self.alt
        if self.kind == TABLE:
            return "\n".join(" | ".join(runs_text(c) for c in row) for row in self.rows)
        return runs_text(self.runs)


def runs_text(runs: Iterable[Run]) -> str:
    return "".join(r.text for r in runs)


def plain_text(blocks: Iterable[Block]) -> str:
    return "\n".join(b.text for b in blocks)


_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BLOCK_TAGS = {"p", "h2", "h3", "h4", "li", "blockquote", "ul", "ol", "figure", "table", "div",
               "h1", "h5", "h6", "pre"}
_SKIP_CONTENT = {"script", "style", "template", "head", "title"}


def _trim(runs: list[Run]) -> list[Run]:
    """Merge runs of the same style, drop empty ones, strip spaces at the ends and around breaks."""
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if merged and merged[-1].same_style(run) and "\n" not in (run.text + merged[-1].text):
            merged[-1] = replace(merged[-1], text=merged[-1].text + run.text)
        else:
            merged.append(run)
    # Strip spaces next to the block's edges and next to line breaks.
    out: list[Run] = []
    for i, run in enumerate(merged):
        text = run.text
        if text != "\n":
            if i == 0 or merged[i - 1].text == "\n" or (out and out[-1].text.endswith(" ")):
                text = text.lstrip(" ")
            if i == len(merged) - 1 or merged[i + 1].text == "\n":
                text = text.rstrip(" ")
        if text:
            out.append(replace(run, text=text))
    while out and out[0].text == "\n":
        out.pop(0)
    while out and out[-1].text == "\n":
        out.pop()
    return out


@dataclass
class _Table:
    rows: list[list[Cell]] = field(default_factory=list)
    header_rows: int = 0
    in_head: bool = False
    cell: list[Run] | None = None


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.runs: list[Run] = []
        self.bold = self.italic = self.underline = 0
        self.links: list[str] = []
        self.heading = 0
        self.quote = 0
        self.lists: list[list] = []  # [ordered, counter]
        self.in_item = 0
        self.item_number: int | None = None  # number of the <li> whose text is not yet out
        self.figure: dict | None = None
        self.caption: list[str] | None = None
        self.tables: list[_Table] = []
        self.skip = 0

    # --- output ---

    def flush(self) -> None:
        if self.tables and self.tables[-1].cell is not None:
            return  # text inside a table cell stays in the cell
        runs = _trim(self.runs)
        self.runs = []
        if not runs:
            return
        runs_t = tuple(runs)
        if self.heading:
            self.blocks.append(Block(HEADING, runs_t, level=self.heading))
        elif self.in_item and self.lists:
            ordered, _count = self.lists[-1]
            number = self.item_number or 0
            self.item_number = None
            self.blocks.append(Block(LIST_ITEM, runs_t, level=len(self.lists), ordered=ordered,
                                     number=number))
        elif self.quote:
            self.blocks.append(Block(QUOTE, runs_t))
        else:
            self.blocks.append(Block(PARAGRAPH, runs_t))

    def add_text(self, text: str) -> None:
        if self.skip:
            return
        text = _SPACE.sub(" ", _CONTROL.sub("", text))
        if not text:
            return
        if self.caption is not None:
            self.caption.append(text)
            return
        run = Run(text, bold=self.bold > 0, italic=self.italic > 0, underline=self.underline > 0,
                  href=self.links[-1] if self.links else "")
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None:
            table.cell.append(run)
        else:
            self.runs.append(run)

    def line_break(self) -> None:
        table = self.tables[-1] if self.tables else None
        target = table.cell if table is not None and table.cell is not None else self.runs
        if target is not None:
            target.append(Run("\n"))

    # --- parser callbacks ---

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in _SKIP_CONTENT:
            self.skip += 1
            return
        if self.skip:
            return
        table = self.tables[-1] if self.tables else None
        in_cell = table is not None and table.cell is not None
        if tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "u":
            self.underline += 1
        elif tag == "a":
            href = (attrs.get("href") or "").strip()
            self.links.append(href if href.lower().startswith(LINK_SCHEMES) else "")
        elif tag == "br":
            self.line_break()
        elif tag == "img":
            self.image(attrs)
        elif tag == "embed":
            self.embed(attrs)
        elif in_cell and tag in ("p", "div", "li", "h2", "h3", "h4"):
            if table.cell:
                self.line_break()
        elif tag in ("td", "th") and table is not None:
            if not table.rows:
                table.rows.append([])
            table.cell = []
        elif tag == "tr" and table is not None:
            table.rows.append([])
            if table.in_head:
                table.header_rows += 1
        elif tag == "thead" and table is not None:
            table.in_head = True
        elif tag == "table":
            self.flush()
            self.tables.append(_Table())
        elif tag in ("h2", "h3", "h4", "h1", "h5", "h6"):
            self.flush()
            self.heading = min(max(int(tag[1]), 2), 4)
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            self.flush()
            self.in_item += 1
            if self.lists:
                self.lists[-1][1] += 1
                self.item_number = self.lists[-1][1]
        elif tag == "blockquote":
            self.flush()
            self.quote += 1
        elif tag == "figure":
            self.flush()
            self.figure = {"src": "", "alt": ""}
        elif tag == "figcaption":
            if self.figure is not None:
                self.caption = []
        elif tag in ("p", "div", "pre"):
            if self.in_item and self.runs:
                self.line_break()  # a second paragraph inside one list item
            else:
                self.flush()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "embed"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _SKIP_CONTENT:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        table = self.tables[-1] if self.tables else None
        if tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag == "u":
            self.underline = max(0, self.underline - 1)
        elif tag == "a":
            if self.links:
                self.links.pop()
        elif tag in ("td", "th") and table is not None and table.cell is not None:
            table.rows[-1].append(tuple(_trim(table.cell)))
            table.cell = None
        elif tag == "thead" and table is not None:
            table.in_head = False
        elif tag == "table" and table is not None:
            if table.cell is not None:
                table.rows[-1].append(tuple(_trim(table.cell)))
            self.tables.pop()
            rows = [tuple(r) for r in table.rows if r]
            if rows:
                width = max(len(r) for r in rows)
                rows = [r + ((),) * (width - len(r)) for r in rows]
                self.blocks.append(Block(TABLE, rows=tuple(rows),
                                         header_rows=min(table.header_rows, len(rows))))
        elif table is not None and table.cell is not None:
            return  # other block ends inside a cell: nothing to do
        elif tag in ("h2", "h3", "h4", "h1", "h5", "h6"):
            self.flush()
            self.heading = 0
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag == "li":
            self.flush()
            self.in_item = max(0, self.in_item - 1)
            self.item_number = None
        elif tag == "blockquote":
            self.flush()
            self.quote = max(0, self.quote - 1)
        elif tag == "figcaption":
            if self.figure is not None and self.caption is not None:
                self.figure["caption"] = _SPACE.sub(" ", "".join(self.caption)).strip()
            self.caption = None
        elif tag == "figure":
            figure, self.figure, self.caption = self.figure, None, None
            if figure is None:
                return
            if figure.get("src"):
                self.blocks.append(Block(IMAGE, src=figure["src"], alt=figure["alt"],
                                         caption=figure.get("caption", "")))
            elif figure.get("caption"):
                self.runs.append(Run(figure["caption"]))
                self.flush()
            else:
                self.flush()
        elif tag in ("p", "div", "pre"):
            if not self.in_item:
                self.flush()

    def handle_data(self, data):
        self.add_text(data)

    def image(self, attrs: dict) -> None:
        src = (attrs.get("src") or "").strip()
        alt = _SPACE.sub(" ", attrs.get("alt") or "").strip()
        if self.figure is not None and not self.figure["src"]:
            self.figure.update(src=src, alt=alt)
            return
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None:
            if alt:
                table.cell.append(Run(alt))
            return
        self.flush()
        if src:
            self.blocks.append(Block(IMAGE, src=src, alt=alt))

    def embed(self, attrs: dict) -> None:
        """Wagtail's image embed; other embeds (media) have no text to read and are left out."""
        image_id = (attrs.get("id") or "").strip()
        if (attrs.get("embedtype") or "").strip() == "image" and image_id.isdigit():
            self.image({"src": f"{WAGTAIL_IMAGE}{int(image_id)}", "alt": attrs.get("alt") or ""})

    def close(self):
        super().close()
        while self.tables:
            self.handle_endtag("table")
        self.flush()


def parse(html: str) -> list[Block]:
    """Blocks of stored rich text, in reading order."""
    if not html or not html.strip():
        return []
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.blocks


def wagtail_image_id(block: Block) -> int | None:
    """The id of the Wagtail image an image block stands for, or None."""
    if block.kind != IMAGE or not block.src.startswith(WAGTAIL_IMAGE):
        return None
    rest = block.src[len(WAGTAIL_IMAGE):]
    return int(rest) if rest.isdigit() else None


def wagtail_images(blocks: Iterable[Block]) -> dict:
    """The Wagtail images (by id) that the blocks' image embeds name, in one query; ids of
    images that no longer exist are missing from the result."""
    ids = {i for i in (wagtail_image_id(b) for b in blocks) if i is not None}
    if not ids:
        return {}
    from wagtail.images import get_image_model

    return get_image_model().objects.in_bulk(sorted(ids))


# --- Typst ---

_TYPST_SPECIAL = set(string.punctuation)


def typst_escape(text: str) -> str:
    """Text as Typst markup that shows exactly `text` (no markup, code, math or comment)."""
    out = []
    for ch in _CONTROL.sub("", text):
        if ch in _TYPST_SPECIAL:
            out.append("\\" + ch)
        elif ch in "\n\r\t":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def typst_string(text: str) -> str:
    """A Typst string literal holding `text`."""
    body = _CONTROL.sub("", text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + body.replace("\n", "\\n").replace("\r", "").replace("\t", " ") + '"'


def inline_typst(runs: Sequence[Run]) -> str:
    parts = []
    for run in runs:
        if run.text == "\n":
            parts.append("#linebreak()")
            continue
        piece = typst_escape(run.text)
        if run.underline:
            piece = f"#underline[{piece}]"
        if run.italic:
            piece = f"#emph[{piece}]"
        if run.bold:
            piece = f"#strong[{piece}]"
        if run.href:
            piece = f"#link({typst_string(run.href)})[{piece}]"
        parts.append(piece)
    return "".join(parts)


def to_typst(
    blocks: Sequence[Block], *, heading_offset: int = 0,
    image_path: Callable[[Block], str | None] | None = None,
) -> str:
    """Blocks as Typst markup. `image_path(block)` names an image file inside the compile root
    (None: the image is described by its caption instead). Headings are not in the outline."""
    out: list[str] = []
    previous = None
    for block in blocks:
        if block.kind == PARAGRAPH:
            piece = inline_typst(block.runs)
        elif block.kind == HEADING:
            level = max(1, block.level + heading_offset)
            piece = f"#heading(level: {level}, outlined: false)[{inline_typst(block.runs)}]"
        elif block.kind == LIST_ITEM:
            indent = "  " * (block.level - 1)
            marker = f"{block.number}." if block.ordered else "-"
            piece = f"{indent}{marker} {inline_typst(block.runs)}"
        elif block.kind == QUOTE:
            piece = f"#quote(block: true)[{inline_typst(block.runs)}]"
        elif block.kind == IMAGE:
            path = image_path(block) if image_path else None
            caption = block.caption or block.alt
            if path:
                cap = f", caption: [{typst_escape(caption)}]" if caption else ""
                piece = (f"#figure(image({typst_string(path)}, width: 80%, height: 9cm, "
                         f"fit: \"contain\"){cap})")
            else:
                piece = f"#emph[\\[{typst_escape(caption or block.src)}\\]]"
        elif block.kind == TABLE:
            width = max((len(r) for r in block.rows), default=1)
            cells = []
            for i, row in enumerate(block.rows):
                for cell in row:
                    text = inline_typst(cell)
                    cells.append(f"[#strong[{text}]]" if i < block.header_rows else f"[{text}]")
            piece = f"#table(columns: {width}, {', '.join(cells)})"
        else:
            continue
        if out:
            tight = block.kind == LIST_ITEM and previous == LIST_ITEM
            out.append("\n" if tight else "\n\n")
        out.append(piece)
        previous = block.kind
    return "".join(out)
