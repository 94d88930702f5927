"""Text and HTML to paragraphs: flowed text unfolded, signatures cut, HTML reduced to
paragraphs and the images it places."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import nh3


_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "pre",
    "hr",
    "dd",
    "dt",
    "center",
}
_SKIP_CONTENT_TAGS = {"script", "style", "head", "title", "template", "noscript", "svg", "math"}
_NH3_TAGS = _BLOCK_TAGS | {
    "img",
    "span",
    "a",
    "b",
    "i",
    "strong",
    "em",
    "u",
    "font",
    "td",
    "th",
    "tbody",
    "thead",
}


# --- text and HTML to paragraphs ---


def _unflow(text: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: a line ending in a space continues on the next."""
    out: list[str] = []
    carry = ""
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line.strip() != "--":
            carry += line[:-1] if delsp else line
        else:
            out.append(carry + line)
            carry = ""
    if carry:
        out.append(carry)
    return "\n".join(out)


def _strip_signature(text: str) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.rstrip("\r") == "-- ":
            return "\n".join(lines[:i])
    return text


def text_paragraphs(text: str) -> list[str]:
    """Plain text → paragraphs: blank lines separate them; with no blank line at all, each line
    is one (as Chinese mail clients write); lines within a paragraph are kept as line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"\n[ \t\u3000]*\n", text):
        chunks = re.split(r"\n[ \t\u3000]*\n+", text)
    else:
        chunks = text.split("\n")
    paragraphs = []
    for chunk in chunks:
        lines = [line.strip(" \t\u3000\xa0") for line in chunk.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.append("\n".join(lines))
    return paragraphs


def paragraphs_html(paragraphs: list[str]) -> str:
    return "".join(
        "<p>" + "<br/>".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs
    )


class _HtmlReader(HTMLParser):
    """Sanitized HTML → items: ("text", paragraph) and ("cid", content id) in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, str]] = []
        self._buffer: list[str] = []
        self._skip = 0

    def _flush(self):
        text = "".join(self._buffer)
        self._buffer = []
        lines = [
            re.sub(r"[ \t\r\n\f\v]+", " ", line).strip(" \u3000\xa0") for line in text.split("\n")
        ]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            self.items.append(("text", paragraph))

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_CONTENT_TAGS:
            self._skip += 1
        elif tag == "br":
            self._buffer.append("\n")
        elif tag == "img":
            src = dict(attrs).get("src") or ""
            if src.lower().startswith("cid:"):
                self._flush()
                self.items.append(("cid", src[4:].strip("<> ")))
        elif tag in _BLOCK_TAGS:
            self._flush()
        elif tag in ("td", "th"):
            self._buffer.append(" ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _SKIP_CONTENT_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        if not self._skip:
            self._buffer.append(data)

    def close(self):
        super().close()
        self._flush()


def html_items(html: str) -> list[tuple[str, str]]:
    cleaned = nh3.clean(
        html,
        tags=_NH3_TAGS,
        attributes={"img": {"src", "alt"}},
        url_schemes={"cid", "http", "https"},
        strip_comments=True,
        clean_content_tags=_SKIP_CONTENT_TAGS - {"head", "svg", "math"},
        link_rel=None,
    )
    reader = _HtmlReader()
    reader.feed(cleaned)
    reader.close()
    return reader.items
