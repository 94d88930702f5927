"""A .docx file as Wagtail rich text, read by mammoth with our style map.

mammoth turns Word's structure (styles, numbering, hyperlinks, footnotes, pictures) into plain
semantic HTML; the style map below says what our articles keep: the Title apart, headings as
h2–h4, captions, bold and italic as <b>/<i> (what Wagtail's rich text stores). What mammoth
returns is then reshaped for an article: tables become one paragraph a row (cells separated by a
vertical bar; the article editor has no tables), pictures are taken out in their place for the
caller to put in the image library, links keep only http(s) and mailto addresses, and empty
paragraphs go. Pure functions, no database.
"""

from __future__ import annotations

import io
import mimetypes
import re
import zipfile
from dataclasses import dataclass, field

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A .docx larger than this once unpacked is not opened (a ZIP bomb would exhaust memory).
MAX_UNPACKED = 200 * 1024 * 1024
_SAFE_URL = re.compile(r"^(https?://|mailto:)", re.I)
_IMAGE_SRC = "branchwork-image:"

# Word's built-in style names in an English and a Chinese Word; a heading level n becomes h(n+1),
# at most h4 (h1 is the article's own title).
STYLE_MAP = "\n".join(
    [
        "p[style-name='Title'] => h1.document-title:fresh",
        "p[style-name='标题'] => h1.document-title:fresh",
        "p[style-name='Caption'] => p.caption:fresh",
        "p[style-name='题注'] => p.caption:fresh",
        # Word's list styles make a list even where the document has no numbering part
        "p[style-name='List Number'] => ol > li:fresh",
        "p[style-name='List Bullet'] => ul > li:fresh",
        "p[style-name='列表编号'] => ol > li:fresh",
        "p[style-name='列表项目符号'] => ul > li:fresh",
        "b => b",
        "i => i",
        "u => ",
        "strike => ",
    ]
    + [
        f"p[style-name='{name} {level}'] => h{min(level + 1, 4)}:fresh"
        for name in ("Heading", "heading", "标题")
        for level in range(1, 10)
    ]
)


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


def _check_package(data: bytes) -> None:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise NotADocx("not a ZIP package")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
            if "word/document.xml" not in package.namelist():
                raise NotADocx("no word/document.xml in the package")
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotADocx(f"damaged ZIP package: {exc}") from None
    if unpacked > MAX_UNPACKED:
        raise NotADocx(f"{unpacked} bytes when unpacked, more than {MAX_UNPACKED}")


def _to_html(data: bytes) -> tuple[str, list[WordImage]]:
    import mammoth

    images: list[WordImage] = []

    def keep(image) -> dict[str, str]:
        with image.open() as stream:
            blob = stream.read()
        extension = mimetypes.guess_extension(image.content_type or "") or ".bin"
        images.append(WordImage(f"image{len(images) + 1}{extension}", image.content_type, blob))
        return {"src": f"{_IMAGE_SRC}{len(images) - 1}"}

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=STYLE_MAP,
            convert_image=mammoth.images.img_element(keep),
            ignore_empty_paragraphs=True,
        )
    except Exception as exc:  # noqa: BLE001 - any failure of a damaged file means the same
        raise NotADocx(str(exc) or exc.__class__.__name__) from None
    return result.value, images


def convert(data: bytes) -> WordDocument:
    """Read a .docx; raises NotADocx when it is not one (or is damaged)."""
    from bs4 import BeautifulSoup

    _check_package(data)
    html, images = _to_html(data)
    soup = BeautifulSoup(f"<body>{html}</body>", "lxml").body
    result = WordDocument()

    for a in soup.find_all("a"):
        href = (a.get("href") or "").strip()
        if href and _SAFE_URL.match(href) and a.get_text(strip=True):
            a.attrs = {"href": href}
        else:
            a.unwrap()
    for note in soup.find_all(["sup"]):  # footnote markers point nowhere once split
        note.decompose()

    def picture(img) -> WordImage | None:
        src = img.get("src", "")
        if src.startswith(_IMAGE_SRC) and src[len(_IMAGE_SRC):].isdigit():
            return images[int(src[len(_IMAGE_SRC):])]
        return None

    def add(element) -> None:
        """One top-level element: its text as one block, then its pictures, in order."""
        pictures = [p for p in (picture(img) for img in element.find_all("img")) if p]
        for img in element.find_all("img"):
            img.decompose()
        if element.name == "h1" and "document-title" in (element.get("class") or []):
            text = element.get_text(" ", strip=True)
            if text and not result.title:
                result.title = text
            elif text:
                result.items.append(("html", f"<h2>{_inner(element, plain=True)}</h2>"))
        elif element.name == "table":
            for row in element.find_all("tr"):
                cells = [_inner(cell) for cell in row.find_all(["td", "th"])]
                cells = [c for c in cells if c]
                if cells:
                    result.items.append(("html", f"<p>{' | '.join(cells)}</p>"))
        elif element.name in ("h2", "h3", "h4"):
            if element.get_text(strip=True):
                result.items.append(("html", f"<{element.name}>{_inner(element, plain=True)}</{element.name}>"))
        elif element.name in ("ul", "ol"):
            if element.get_text(strip=True):
                result.items.append(("html", _list(element)))
        elif element.get_text(strip=True):
            css = ' class="caption"' if "caption" in (element.get("class") or []) else ""
            result.items.append(("html", f"<p{css}>{_inner(element)}</p>"))
        result.items.extend(("image", p) for p in pictures)

    for element in list(soup.children):
        if getattr(element, "name", None):
            add(element)
        elif str(element).strip():
            result.items.append(("html", f"<p>{_escape(str(element).strip())}</p>"))
    return result


def _escape(text: str) -> str:
    from html import escape

    return escape(text, quote=False)


def _inner(element, *, plain: bool = False) -> str:
    """An element's content as HTML with only <b>, <i>, <a>, <br/>, or as escaped text alone."""
    return _escape(element.get_text().strip()) if plain else _inline(element)


def _inline(element) -> str:
    pieces = []
    for node in element.children:
        if isinstance(node, str):
            pieces.append(_escape(str(node).replace("\t", " ")))
        elif node.name in ("b", "strong"):
            inner = _inline(node)
            pieces.append(f"<b>{inner}</b>" if inner.strip() else inner)
        elif node.name in ("i", "em"):
            inner = _inline(node)
            pieces.append(f"<i>{inner}</i>" if inner.strip() else inner)
        elif node.name == "a":
            pieces.append(f'<a href="{_escape(node["href"]).replace(chr(34), "&quot;")}">{_inline(node)}</a>')
        elif node.name == "br":
            pieces.append("<br/>")
        elif node.name in ("p", "li", "div") and pieces:
            pieces.append(" " + _inline(node))
        else:
            pieces.append(_inline(node))
    html = "".join(pieces)
    html = re.sub(r"</b><b>|</i><i>", "", html)
    return re.sub(r"^(<br/>|\s)+|(<br/>|\s)+$", "", html)


def _list(element) -> str:
    items = []
    for li in element.find_all("li", recursive=False):
        nested = [child for child in li.find_all(["ul", "ol"], recursive=False)]
        for child in nested:
            child.extract()
        text = _inline(li)
        if text:
            items.append(f"<li>{text}</li>")
        # nested lists are flattened into the parent: the article editor keeps one level
        for child in nested:
            items.extend(re.findall(r"<li>.*?</li>", _list(child)))
    return f"<{element.name}>{''.join(items)}</{element.name}>"
