"""Rich text, the one path: sanitized on the way in, read as blocks on the way out.

Minutes, journal entries, contributions and articles are stored as a small, safe subset of HTML:

- `sanitize(html, profile=STORED)` cleans HTML with nh3 against the one allow-list below. A
  profile is a subset of it (or adds Wagtail's own markup) for a caller whose editor holds less:
  `STORED` (minutes, journal entries typed here), `WAGTAIL` (the same plus Wagtail's page links
  and image embeds, for bodies read from portal pages), `ARTICLE` (what the portal's rich-text
  editor holds: no tables, images or underline).
- `text_to_html(text)` turns text typed without markup into paragraphs with one rule: every
  non-empty line is a paragraph (as Chinese writing has it); blank lines only separate.
  `clean_rich_text(value)` does one or the other, depending on whether the value has markup.
- `html_to_text(html)` is the readable text of stored rich text, one paragraph a line with a
  blank line between: what a form shows, and what `text_to_html` reads back to the same HTML.
- `parse(html)` reads HTML with a tree parser (BeautifulSoup over lxml) into a flat list of
  blocks (paragraphs, headings, list items, quotes, images, tables) of inline runs that are bold,
  italic, underlined or a link. Anything outside the subset is read as its text. The writers of
  blocks to Typst and to DOCX are in `branchwork.documents`.

Wagtail's image embeds (`<embed embedtype="image" id="N" alt="…"/>`) are image blocks whose `src`
is `wagtail-image:N`; `wagtail_images()` fetches the images they name in one query.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import nh3
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import PreformattedString

# --- Sanitizing ---

# The one allow-list: every tag and attribute stored rich text may hold, whatever its profile.
ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "sup", "sub", "h2", "h3", "h4", "ul", "ol", "li",
    "blockquote", "hr", "a", "img", "figure", "figcaption", "table", "thead", "tbody", "tr",
    "th", "td", "embed",
})
ALLOWED_ATTRIBUTES = {"a": frozenset({"href", "title", "linktype", "id"}),
                      "img": frozenset({"src", "alt"}),
                      "embed": frozenset({"embedtype", "id", "format", "alt"})}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


@dataclass(frozen=True)
class Profile:
    """A subset of the allow-list, for one kind of stored text."""

    name: str
    tags: frozenset[str]
    attributes: dict[str, frozenset[str]]
    url_schemes: frozenset[str] = frozenset({"http", "https", "mailto"})
    link_rel: str | None = "noopener noreferrer"

    def __post_init__(self):
        extra = self.tags - ALLOWED_TAGS
        if extra:
            raise ValueError(f"profile {self.name} allows tags outside the allow-list: {extra}")


_STORED_TAGS = ALLOWED_TAGS - {"embed", "sup", "sub", "hr"}
STORED = Profile("stored", _STORED_TAGS, {"a": frozenset({"href", "title"}),
                                          "img": frozenset({"src", "alt"})})
WAGTAIL = Profile("wagtail", _STORED_TAGS | {"embed"},
                  {"a": frozenset({"href", "title", "linktype", "id"}),
                   "img": frozenset({"src", "alt"}),
                   "embed": ALLOWED_ATTRIBUTES["embed"]})
# The portal's editor (Wagtail's default features): its paragraph blocks hold no tables,
# pictures (images are blocks of their own) or underline.
ARTICLE = Profile(
    "article",
    frozenset({"p", "br", "h2", "h3", "h4", "b", "strong", "i", "em", "ol", "ul", "li", "a",
               "blockquote", "hr", "sup", "sub"}),
    {"a": frozenset({"href", "linktype", "id"})},
    url_schemes=URL_SCHEMES, link_rel=None,
)

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
EMBED = re.compile(r"<embed\b([^>]*?)/?>", re.I)


def sanitize(value: str, profile: Profile = STORED) -> str:
    """HTML reduced to the profile's tags and attributes (nothing executable survives). Image
    embeds are written back self-closed, as Wagtail reads them; other embeds are dropped."""
    cleaned = nh3.clean(
        value or "",
        tags=set(profile.tags),
        attributes={tag: set(attrs) for tag, attrs in profile.attributes.items()},
        url_schemes=set(profile.url_schemes),
        link_rel=profile.link_rel,
        strip_comments=True,
    ).strip()
    if "embed" in profile.tags:
        cleaned = EMBED.sub(_image_embed, cleaned)
    return cleaned


def embed_attrs(text: str) -> dict[str, str]:
    """The attributes of a tag's inside (`id="3" alt="…"`), unescaped."""
    from wagtail.rich_text.rewriters import extract_attrs

    return extract_attrs(text)


def image_embed(image_id: int, alt: str = "") -> str:
    return (f'<embed embedtype="image" id="{int(image_id)}" format="fullwidth" '
            f'alt="{html_lib.escape(alt or "", quote=True)}"/>')


def _image_embed(match: re.Match) -> str:
    attrs = embed_attrs(match.group(1))
    if attrs.get("embedtype") != "image" or not attrs.get("id", "").isdigit():
        return ""
    return image_embed(int(attrs["id"]), attrs.get("alt", ""))


def embedded_image_ids(value: str) -> list[int]:
    """The ids of the Wagtail images that stored rich text embeds, in order."""
    ids = []
    for match in EMBED.finditer(value or ""):
        attrs = embed_attrs(match.group(1))
        if attrs.get("embedtype") == "image" and attrs.get("id", "").isdigit():
            ids.append(int(attrs["id"]))
    return ids


def has_markup(value: str) -> bool:
    return bool(_TAG.search(value or ""))


def text_to_html(text: str) -> str:
    """Plain text → paragraphs (escaped): each non-empty line is a paragraph."""
    lines = (line.strip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "".join(f"<p>{html_lib.escape(line, quote=False)}</p>" for line in lines if line)


def clean_rich_text(value: str, profile: Profile = STORED) -> str:
    """Sanitize HTML, or turn markup-free text into paragraphs."""
    value = (value or "").strip()
    if not value:
        return ""
    if not has_markup(value):
        return text_to_html(value)
    return sanitize(value, profile)


def html_to_text(value: str) -> str:
    """Readable plain text of stored rich text: a paragraph (or a line of one) a line, blank lines
    between blocks; what `text_to_html` reads back to the same paragraphs."""
    texts = (b.caption if b.kind == IMAGE else b.text for b in parse(value))
    return "\n\n".join(t for t in texts if t).strip()


# --- Blocks ---

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
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SKIP_CONTENT = {"script", "style", "template", "head", "title", "noscript"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_PARAGRAPHS = {"p", "div", "pre", "section", "article", "main", "header", "footer", "aside",
               "dl", "dt", "dd", "address"}


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


def _clean_text(text: str) -> str:
    return _SPACE.sub(" ", CONTROL.sub("", text))


@dataclass(frozen=True)
class _Style:
    bold: bool = False
    italic: bool = False
    underline: bool = False
    href: str = ""


@dataclass
class _Item:
    """The list item being read: its depth, kind and number (given to its first block only)."""

    level: int
    ordered: bool
    number: int


@dataclass
class _Walker:
    """Walks the parsed tree in document order, gathering inline runs and closing blocks."""

    blocks: list[Block] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    cell: list[Run] | None = None  # the table cell being read
    heading: int = 0
    quote: int = 0
    item: _Item | None = None
    depth: int = 0  # list nesting

    def flush(self) -> None:
        if self.cell is not None:
            return
        runs = tuple(_trim(self.runs))
        self.runs = []
        if not runs:
            return
        if self.heading:
            self.blocks.append(Block(HEADING, runs, level=self.heading))
        elif self.item is not None:
            self.blocks.append(Block(LIST_ITEM, runs, level=self.item.level,
                                     ordered=self.item.ordered, number=self.item.number))
            self.item.number = 0
        elif self.quote:
            self.blocks.append(Block(QUOTE, runs))
        else:
            self.blocks.append(Block(PARAGRAPH, runs))

    def target(self) -> list[Run]:
        return self.cell if self.cell is not None else self.runs

    def text(self, text: str, style: _Style) -> None:
        text = _clean_text(text)
        if text:
            self.target().append(Run(text, bold=style.bold, italic=style.italic,
                                     underline=style.underline, href=style.href))

    def children(self, node: Tag, style: _Style) -> None:
        for child in node.children:
            self.node(child, style)

    def node(self, node, style: _Style) -> None:
        if isinstance(node, PreformattedString):  # comments, CDATA, doctypes
            return
        if isinstance(node, NavigableString):
            self.text(str(node), style)
            return
        if not isinstance(node, Tag):
            return
        name = node.name
        if name in _SKIP_CONTENT:
            return
        if name in ("strong", "b"):
            self.children(node, replace(style, bold=True))
        elif name in ("em", "i"):
            self.children(node, replace(style, italic=True))
        elif name == "u":
            self.children(node, replace(style, underline=True))
        elif name == "a":
            href = (node.get("href") or "").strip()
            self.children(node, replace(style, href=href if href.lower().startswith(LINK_SCHEMES) else ""))
        elif name == "br":
            self.target().append(Run("\n"))
        elif name == "img":
            self.image(node.get("src") or "", node.get("alt") or "")
        elif name == "embed":
            image_id = (node.get("id") or "").strip()
            if (node.get("embedtype") or "").strip() == "image" and image_id.isdigit():
                self.image(f"{WAGTAIL_IMAGE}{int(image_id)}", node.get("alt") or "")
        elif self.cell is not None:
            # Blocks inside a table cell: their text, one a line.
            if name in _PARAGRAPHS | _HEADINGS | {"li", "tr", "blockquote", "figure"} and self.cell:
                self.cell.append(Run("\n"))
            self.children(node, style)
        elif name == "table":
            self.table(node)
        elif name in _HEADINGS:
            self.flush()
            self.heading = min(max(int(name[1]), 2), 4)
            self.children(node, style)
            self.flush()
            self.heading = 0
        elif name in ("ul", "ol"):
            self.flush()
            saved, number = self.item, 0
            self.depth += 1
            for child in node.children:
                if isinstance(child, Tag) and child.name == "li":
                    number += 1
                    self.flush()
                    self.item = _Item(level=self.depth, ordered=name == "ol", number=number)
                    self.children(child, style)
                    self.flush()
                    self.item = saved
                else:
                    self.node(child, style)
            self.depth -= 1
            self.item = saved
        elif name == "li":  # outside a list: a paragraph
            self.flush()
            self.children(node, style)
            self.flush()
        elif name == "blockquote":
            self.flush()
            self.quote += 1
            self.children(node, style)
            self.flush()
            self.quote -= 1
        elif name == "figure":
            self.figure(node, style)
        elif name in _PARAGRAPHS or name in ("html", "body", "figcaption", "hr"):
            if self.item is not None and self.runs:
                self.runs.append(Run("\n"))  # a second paragraph inside one list item
            else:
                self.flush()
            self.children(node, style)
            if self.item is None:
                self.flush()
        else:  # span, font, sup, sub, unknown inline markup: its text
            self.children(node, style)

    def image(self, src: str, alt: str, caption: str = "") -> None:
        src, alt = src.strip(), _SPACE.sub(" ", alt).strip()
        if self.cell is not None:
            if alt:
                self.cell.append(Run(alt))
            return
        self.flush()
        if src:
            self.blocks.append(Block(IMAGE, src=src, alt=alt, caption=caption))

    def figure(self, node: Tag, style: _Style) -> None:
        self.flush()
        caption_tag = node.find("figcaption")
        caption = _SPACE.sub(" ", caption_tag.get_text()).strip() if caption_tag else ""
        picture = next((t for t in node.find_all(["img", "embed"])
                        if t.name == "img" or (t.get("embedtype") == "image"
                                               and (t.get("id") or "").strip().isdigit())), None)
        if caption_tag is not None:
            caption_tag.extract()
        if picture is None:
            self.children(node, style)
            if caption:
                self.runs.append(Run(caption))
            self.flush()
            return
        src = (picture.get("src") or "") if picture.name == "img" else \
            f"{WAGTAIL_IMAGE}{int(picture['id'].strip())}"
        picture.extract()
        self.children(node, style)  # anything else the figure holds, before the picture
        self.image(src, picture.get("alt") or "", caption)

    def table(self, node: Tag) -> None:
        self.flush()
        rows: list[tuple[Cell, ...]] = []
        header_rows = 0
        for tr in node.find_all("tr"):
            if tr.find_parent("table") is not node:
                continue  # a row of a table nested in a cell is read with that cell
            cells = []
            for td in tr.find_all(["td", "th"], recursive=False):
                self.cell = []
                self.children(td, _Style())
                cells.append(tuple(_trim(self.cell)))
                self.cell = None
            if cells:
                rows.append(tuple(cells))
                if tr.find_parent("thead") is not None and tr.find_parent("table") is node:
                    header_rows += 1
        if rows:
            width = max(len(r) for r in rows)
            rows = [r + ((),) * (width - len(r)) for r in rows]
            self.blocks.append(Block(TABLE, rows=tuple(rows), header_rows=min(header_rows, len(rows))))


def parse(value: str) -> list[Block]:
    """Blocks of stored rich text, in reading order."""
    if not value or not value.strip():
        return []
    soup = BeautifulSoup(value, "lxml")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    walker = _Walker()
    walker.children(soup, _Style())
    walker.flush()
    return walker.blocks


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
