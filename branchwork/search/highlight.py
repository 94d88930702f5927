"""Snippets and highlighted titles, cut from the original text.

The words a query matched are found again in the text the way the analyzer reads it (folded:
Traditional as Simplified, full-width as plain, any case; Latin words by their stem), and marked
with <mark> in the original text. Everything else is escaped.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from branchwork.search import analyzer

# Snippets are looked for in the first this many characters of a text.
MAX_SOURCE = 50_000
SNIPPET_WIDTH = 160
_SPACE = re.compile(r"\s+")


def _fold_char(c: str) -> str:
    return unicodedata.normalize("NFKC", c).casefold()


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the original character."""
    folded = analyzer.fold(text)
    if len(folded) == len(text):  # the usual case: folding kept every character in its place
        return folded, list(range(len(text)))
    pieces = [_fold_char(c) for c in text]
    joined = "".join(pieces)
    converted = analyzer.fold(joined)
    if len(converted) != len(joined):
        converted = joined  # a phrase conversion changed the length: mark without t2s
    mapping = [i for i, piece in enumerate(pieces) for _ in piece]
    return converted, mapping


def _spans(folded: str, query: analyzer.Query) -> list[tuple[int, int]]:
    spans = []
    for mark in query.marks:
        if mark.isdigit():
            spans += [m.span() for m in re.finditer(rf"(?<!\d){re.escape(mark)}(?!\d)", folded)]
            continue
        start = folded.find(mark)
        while start >= 0:
            spans.append((start, start + len(mark)))
            start = folded.find(mark, start + len(mark))
    if query.stems:
        for m in analyzer.RUNS.finditer(folded):
            if m.lastgroup == "word" and analyzer.latin_term(m.group()) in query.stems:
                spans.append(m.span())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked_spans(text: str, query: analyzer.Query) -> list[tuple[int, int]]:
    """Where, in `text`, the query's words are (start, end), in order, not overlapping."""
    folded, mapping = fold_with_map(text)
    return [(mapping[start], mapping[end - 1] + 1) for start, end in _spans(folded, query)]


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, at = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(_SPACE.sub(" ", escape(text[at:s])))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        at = e
    out.append(_SPACE.sub(" ", escape(text[at:end])))
    return "".join(out)


def highlight(text: str, query: analyzer.Query) -> SafeString:
    """All of a (short) text, escaped, with the query's words marked."""
    text = text or ""
    return mark_safe(_render(text, marked_spans(text, query), 0, len(text)))  # noqa: S308 (escaped)


def snippet(text: str, query: analyzer.Query, *, width: int = SNIPPET_WIDTH) -> SafeString:
    """A window of the text around the first of the query's words, marked; the start of the
    text when none of them is in it (the match was in the title)."""
    text = (text or "")[:MAX_SOURCE].strip()
    if not text:
        return mark_safe("")
    spans = marked_spans(text, query)
    if spans:
        first = spans[0][0]
        start = max(0, first - width // 4)
        if start:
            # Start at a word's beginning where there are spaces to find one.
            space = text.rfind(" ", max(0, start - 15), start + 1)
            if space >= 0:
                start = space + 1
    else:
        start = 0
    end = min(len(text), start + width)
    html = _render(text, spans, start, end).strip()
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 (escaped in _render)
