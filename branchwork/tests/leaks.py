"""Find words of the other language in a page: Chinese in an English page, stray English words in
a Chinese one, outside what users typed.

What users typed is found in the database itself: every text value of our apps' records (names,
titles, minutes, rich text and StreamField text split into its pieces), except a field whose
counterpart in the page's language is filled in (a Chinese `name` when `name_en` is set, in
English; a `name_en` when `name` is set, in Chinese), and except controlled codes (fields with
choices). Pages may also mark text explicitly: an element with a `lang` attribute other than
the page's (the language switcher's "简体中文") or with `data-user-content` is left out.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from django.apps import apps
from django.db import models

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’]+")

# Apps whose records hold what people typed; Wagtail's pages and pictures too. Not Wagtail's
# workflows and tasks, auth groups or permissions: their names are set by code and are labels.
USER_CONTENT_MODELS = {
    "core", "activities", "publishing", "journal", "lectures", "reports", "intake", "rulebook",
    "search", "wagtailimages", "wagtaildocs", "taggit", "learning", "research", "exchanges", "awards",
}
USER_CONTENT_EXTRA = {("wagtailcore", "page"), ("auth", "user")}

# Latin words a Chinese page may show: names of file formats and of the other language.
LATIN_ALLOWED = {
    "pdf", "xlsx", "docx", "csv", "rss", "atom", "ics", "ical", "api", "json", "english", "email",
    "url", "id", "png", "jpg", "jpeg", "otp", "totp", "ok", "excel", "word", "branchwork", "https", "http",
    "www", "txt", "md", "zip", "avif", "gif", "webp", "mb", "kb", "gb", "powerpoint", "mp3", "m4a", "mp4",
    "webm", "ppt", "pptx", "wps",
}

SKIP_TAGS = {"script", "style", "template", "textarea", "noscript", "svg", "code", "pre", "kbd", "samp"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
READ_ATTRS = ("title", "aria-label", "placeholder", "alt")


def _pieces(value) -> list[str]:
    """The text pieces of a stored value, as they can appear in a page."""
    if isinstance(value, (dict, list)):
        out = []
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str):
                out.extend(_pieces(item))
        return out
    if not isinstance(value, str):
        return []
    text = value.strip()
    if text.startswith(("[", "{")):
        try:
            return _pieces(json.loads(text))
        except ValueError:
            pass
    parts = re.split(r"<[^>]*>|\n", text)
    if "<" in text:  # and the whole, its tags stripped, as a page shows it cut short
        parts.append(re.sub(r"<[^>]*>", "", text))
    return [p.strip() for p in parts if len(p.strip()) >= 2]


def _user_model(meta) -> bool:
    return meta.app_label in USER_CONTENT_MODELS or (meta.app_label, meta.model_name) in USER_CONTENT_EXTRA


def _text_fields(model):
    for field in model._meta.get_fields():
        if not (getattr(field, "model", None) and _user_model(field.model._meta)):
            continue  # inherited from a model that is not users' (a workflow step's name)
        if getattr(field, "concrete", False) and not field.is_relation and not field.choices:
            if isinstance(field, (models.CharField, models.TextField, models.JSONField)) or \
                    field.get_internal_type() in ("StreamField", "TextField", "CharField", "JSONField"):
                yield field


NOT_TYPED = (models.SlugField, models.URLField)
NOT_TYPED_NAMES = {"password", "checkin_token", "search_vector", "path", "url_path", "slug"}


def user_strings(language: str, *, audit: bool = False) -> list[str]:
    """Every text users typed that a page in `language` may show as typed, longest first. The
    audit trail's copies of old values count only with `audit` (for the audit pages): elsewhere
    they would excuse a Chinese job title that has its English one."""
    english = language.startswith("en")
    found: set[str] = set()
    for model in apps.get_models():
        meta = model._meta
        if not _user_model(meta):
            continue
        if (meta.app_label, meta.model_name) == ("core", "auditentry") and not audit:
            continue
        fields = [f for f in _text_fields(model) if not isinstance(f, NOT_TYPED) and f.name not in NOT_TYPED_NAMES]
        by_name = {f.name: f for f in fields}
        for row in model._base_manager.values(*by_name) if by_name else ():
            for name, value in row.items():
                if value is not None and not isinstance(value, (str, dict, list)):
                    value = by_name[name].get_prep_value(value)
                if (meta.app_label, meta.model_name) == ("core", "person") and name.startswith("name"):
                    value_is_a_name = True  # a person's names, in any script, are shown as written
                else:
                    value_is_a_name = False
                stem = name[:-3] if name.endswith(("_zh", "_en")) else name
                if value_is_a_name:
                    pass
                elif english and not name.endswith("_en") and row.get(f"{stem}_en"):
                    continue  # the English is there: the Chinese is not what an English page shows
                if not english and name.endswith("_en") and (row.get(stem) or row.get(f"{stem}_zh")):
                    continue
                for piece in _pieces(value):
                    found.add(piece)
    return sorted(found, key=len, reverse=True)


class _Text(HTMLParser):
    """The readable text of a page, one string per text node or read attribute, leaving out
    scripts, code and elements marked as in another language or as user content."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang")
        skip = (
            tag in SKIP_TAGS
            or "data-user-content" in attrs
            or (lang is not None and tag != "html" and lang[:2].lower() != self.language[:2].lower())
            or attrs.get("hidden") is not None and tag != "html"
        )
        if not skip and not self._skipping():
            for name in READ_ATTRS:
                if attrs.get(name):
                    self.chunks.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.chunks.append(attrs["value"])
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.chunks.append(data.strip())


def readable_chunks(html: str, language: str) -> list[str]:
    parser = _Text(language)
    parser.feed(html)
    parser.close()
    return parser.chunks


# Addresses, file names and codes, which are the same in both languages.
CODES = re.compile(
    r"\bY{4}-MM-DD( HH:MM)?|https?://[!-~]+|[A-Za-z0-9_.+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|[A-Za-z0-9_.-]*/[A-Za-z0-9_./?=&%-]+"
    r"|[A-Za-z0-9_-]+\.[A-Za-z0-9]{2,4}\b|\b[a-z0-9]+(-[a-z0-9]+)+\b",
    re.I,
)
QUOTED = re.compile(r"“[^”]*”")


class LeakFinder:
    def __init__(self, language: str, *, audit: bool = False):
        self.language = language
        strings = [s for s in user_strings(language, audit=audit) if s]
        self._strings = strings
        self._user = re.compile("|".join(re.escape(s) for s in strings)) if strings else None

    def strip_user_text(self, text: str, *, codes_first: bool = False) -> str:
        if codes_first:
            text = CODES.sub(" ", text)
        if self._user is not None:
            text = self._user.sub(" ", text)
        text = CODES.sub(" ", text)
        text = QUOTED.sub(" ", text)  # “同意接收张三为预备党员”, “excused:”: examples of what to type
        return text

    def _leaks(self, rest: str) -> bool:
        if self.language.startswith("en"):
            return bool(CJK.search(rest))
        return any(w.lower() not in LATIN_ALLOWED for w in LATIN_WORD.findall(rest))

    def leaks(self, html: str) -> list[str]:
        """The pieces of text in the wrong language, each as it stands in the page."""
        return [chunk for chunk in readable_chunks(html, self.language) if self.is_leak(chunk)]

    def is_leak(self, chunk: str) -> bool:
        """Does this piece of a page's text hold words of the other language?"""
        if chunk.endswith("…") and any(s.startswith(chunk[:-1].rstrip()) for s in self._strings):
            return False  # the start of what a user typed, cut short
        # User text may hold a code (a title with a reference number) and a code may hold a word
        # users typed (an address on a channel's slug): a leak is what stays either way.
        return self._leaks(self.strip_user_text(chunk)) and self._leaks(self.strip_user_text(chunk, codes_first=True))
