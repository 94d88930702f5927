"""Article bodies in and out: rich-text HTML ↔ the body's blocks, and plain text for forms.

Contributions arrive as HTML in Wagtail's rich-text storage format (from email intake, from the
web form, from an imported archive): paragraphs and headings, links (`<a href>`, `<a
linktype="page|document" id="N">`) and images as `<embed embedtype="image" id="N" alt="…"/>`
followed by a paragraph holding the caption. `html_to_stream` makes the body's blocks from it:

- each image embed becomes an image block; the paragraph right after it is its caption when it
  is marked (`<p class="caption">` or `<p data-caption>`), or when it is short (at most
  CAPTION_MAX_CHARS characters) — a longer paragraph is body text and the image has no caption;
- an image embed inside a paragraph is taken out and placed right after that paragraph;
- everything else becomes paragraph blocks, sanitized by `core.richtext` (its ARTICLE profile:
  nothing executable survives: no script, no event handlers, no javascript: links);
- embeds naming an image that does not exist are dropped (their caption stays, as text).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString  # comments, doctypes, CDATA

from branchwork.core import richtext
from branchwork.core.richtext import text_to_html

CAPTION_MAX_CHARS = 100
_WRAPPERS = {"html", "body", "div", "section", "article", "main"}
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ol", "ul", "blockquote", "hr", "table", "pre"}


def sanitize(fragment: str) -> str:
    """A paragraph block's HTML, reduced to what the portal's editor holds."""
    return richtext.sanitize(fragment, richtext.ARTICLE)


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(p|br|div|h[1-6]|ul|ol|embed|a|b|strong|em|i|blockquote)\b", text or "", re.I))


def _is_image_embed(node) -> bool:
    return isinstance(node, Tag) and node.name == "embed" and node.get("embedtype") == "image"


def _only_image_embed(node) -> Tag | None:
    """The image embed when `node` is one, or an element holding nothing else."""
    if _is_image_embed(node):
        return node
    if not isinstance(node, Tag):
        return None
    children = [c for c in node.contents if not (isinstance(c, NavigableString) and not c.strip())]
    if len(children) == 1:
        return _only_image_embed(children[0])
    return None


def _caption_of(node) -> str | None:
    """The caption text when `node` (the node after an image) is a caption paragraph."""
    if not (isinstance(node, Tag) and node.name == "p"):
        return None
    text = node.get_text(" ", strip=True)
    marked = "caption" in (node.get("class") or []) or node.has_attr("data-caption")
    if marked or (len(text) <= CAPTION_MAX_CHARS and not node.find(_BLOCK_TAGS)):
        return text
    return None


def _top_level(soup: BeautifulSoup) -> list:
    for head in soup.find_all(["head", "script", "style"]):
        head.decompose()
    nodes = list(soup.contents)
    while True:
        significant = [n for n in nodes if not (isinstance(n, NavigableString) and not n.strip())]
        if len(significant) == 1 and isinstance(significant[0], Tag) and significant[0].name in _WRAPPERS:
            nodes = list(significant[0].contents)
            continue
        return nodes


def _image_value(embed: Tag, caption: str) -> dict | None:
    try:
        image_id = int(embed.get("id", ""))
    except ValueError:
        return None
    alt = (embed.get("alt") or "").strip()
    return {"image": image_id, "caption": caption[:300], "alt": "" if alt == caption else alt[:250]}


def html_to_stream(body_html: str) -> list[dict]:
    """The body's blocks (raw StreamField data) for rich-text storage HTML; see the module doc."""
    from wagtail.images import get_image_model

    soup = BeautifulSoup(body_html or "", "html.parser")
    nodes = _top_level(soup)
    blocks: list[dict] = []
    buffer: list[str] = []
    loose_text: list[str] = []

    def flush_text():
        fragment = "".join(loose_text).strip()
        loose_text.clear()
        if fragment:
            buffer.append(f"<p>{fragment}</p>")

    def flush():
        flush_text()
        fragment = sanitize("".join(buffer))
        buffer.clear()
        if fragment and (BeautifulSoup(fragment, "html.parser").get_text(strip=True) or "<hr" in fragment):
            blocks.append({"type": "paragraph", "value": fragment})

    i = 0
    while i < len(nodes):
        node = nodes[i]
        embed = _only_image_embed(node)
        if embed is not None:
            flush()
            j = i + 1
            while j < len(nodes) and isinstance(nodes[j], NavigableString) and not nodes[j].strip():
                j += 1
            caption = _caption_of(nodes[j]) if j < len(nodes) else None
            if caption is not None:
                i = j
            value = _image_value(embed, caption or "")
            if value:
                blocks.append({"type": "image", "value": value})
            i += 1
            continue
        if isinstance(node, PreformattedString):
            i += 1
            continue
        if isinstance(node, NavigableString):
            loose_text.append(html.escape(str(node), quote=False))
            i += 1
            continue
        if not isinstance(node, Tag):
            i += 1
            continue
        if node.name not in _BLOCK_TAGS and node.name != "br" and not node.find(_BLOCK_TAGS):
            # Inline markup between blocks (a link, bold text): gathered into a paragraph.
            loose_text.append(str(node))
            i += 1
            continue
        flush_text()
        nested = [e for e in node.find_all("embed") if _is_image_embed(e)]
        for e in nested:
            e.extract()
        buffer.append(str(node))
        if nested:
            flush()
            for e in nested:
                value = _image_value(e, "")
                if value:
                    blocks.append({"type": "image", "value": value})
        i += 1
    flush()

    wanted = {b["value"]["image"] for b in blocks if b["type"] == "image"}
    existing = set(get_image_model().objects.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()
    result = []
    for block in blocks:
        if block["type"] == "image" and block["value"]["image"] not in existing:
            caption = block["value"]["caption"]
            if caption:
                result.append({"type": "paragraph", "value": f"<p>{html.escape(caption, quote=False)}</p>"})
            continue
        result.append(block)
    return result


def _raw_blocks(body) -> Iterable[dict]:
    if body is None:
        return []
    raw = getattr(body, "raw_data", body)
    return [dict(b) for b in raw]


def image_ids_in(body) -> set[int]:
    ids = set()
    for block in _raw_blocks(body):
        if block.get("type") == "image":
            value = block.get("value") or {}
            image = value.get("image")
            if isinstance(image, int):
                ids.add(image)
            elif image is not None and hasattr(image, "pk"):
                ids.add(image.pk)
    return ids


def _paragraph_texts(fragment: str) -> list[str]:
    soup = BeautifulSoup(fragment or "", "html.parser")
    texts = []
    for element in soup.find_all(["p", "h2", "h3", "h4", "li", "blockquote"]):
        if element.find_parent(["p", "li", "blockquote"]):
            continue
        text = element.get_text("", strip=True)
        if text:
            texts.append(text)
    if not texts:
        text = soup.get_text("", strip=True)
        if text:
            texts.append(text)
    return texts


def first_paragraph_text(body) -> str:
    for block in _raw_blocks(body):
        if block.get("type") == "paragraph":
            texts = _paragraph_texts(block.get("value") or "")
            if texts:
                return texts[0]
    return ""


def stream_to_text(body) -> str:
    """The body's text, one paragraph a line (images left out): what the author revises."""
    lines = []
    for block in _raw_blocks(body):
        if block.get("type") == "paragraph":
            lines.extend(_paragraph_texts(block.get("value") or ""))
    return "\n".join(lines)


def revise_stream(old_body, text: str) -> list[dict]:
    """New text for a body, keeping its images where they were relative to the paragraphs.

    An image that came after the k-th paragraph of the old body comes after the k-th paragraph
    of the new text (or at the end when the new text is shorter).
    """
    new_paragraphs = [{"type": "paragraph", "value": paragraph}
                      for paragraph in re.findall(r"<p>.*?</p>", text_to_html(text))]
    images_after: dict[int, list[dict]] = {}
    seen_paragraphs = 0
    for block in _raw_blocks(old_body):
        if block.get("type") == "paragraph":
            seen_paragraphs += len(_paragraph_texts(block.get("value") or "")) or 1
        elif block.get("type") == "image":
            value = dict(block.get("value") or {})
            if hasattr(value.get("image"), "pk"):
                value["image"] = value["image"].pk
            images_after.setdefault(seen_paragraphs, []).append({"type": "image", "value": value})
    result: list[dict] = list(images_after.pop(0, []))
    for index, paragraph in enumerate(new_paragraphs, start=1):
        result.append(paragraph)
        result.extend(images_after.pop(index, []))
    for key in sorted(images_after):
        result.extend(images_after[key])
    return result
