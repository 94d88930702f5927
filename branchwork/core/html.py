"""Rich text that users type: sanitized once, on the way in.

Minutes, articles and notes are stored as a small, safe subset of HTML. Text typed without any
markup (the usual case in a plain text box) becomes paragraphs: a blank line separates them, a
single line break stays a line break.
"""

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "h2", "h3", "h4", "ul", "ol", "li",
    "blockquote", "a", "img", "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt"}}
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def text_to_html(text: str) -> str:
    """Plain text to paragraphs (escaped)."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    out = []
    for para in paragraphs:
        if para.strip():
            lines = [html.escape(line.strip()) for line in para.splitlines()]
            out.append("<p>" + "<br>".join(lines) + "</p>")
    return "".join(out)


def clean_rich_text(value: str) -> str:
    """Sanitize HTML, or turn markup-free text into paragraphs."""
    value = (value or "").strip()
    if not value:
        return ""
    if not _TAG.search(value):
        return text_to_html(value)
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def html_to_text(value: str) -> str:
    """Readable plain text of stored rich text (for forms, mail and previews)."""
    value = re.sub(r"<br\s*/?>", "\n", value or "")
    value = re.sub(r"</(p|h2|h3|h4|li|blockquote|tr|figure)>", "\n\n", value)
    value = re.sub(r"<[^>]+>", "", value)
    return re.sub(r"\n{3,}", "\n\n", html.unescape(value)).strip()
