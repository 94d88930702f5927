"""What an issue shows, read once: the snapshot both the web version and the PDF are made from.

`issue_content(issue)` reads the issue, its sections, its articles and the portal pages they
take, in a fixed number of queries however many articles there are (the pages' specific rows
are fetched per page type, not per page). A portal page is read through `page.specific` and
plain attribute lookups with fallbacks — this app does not import the portal's models — so an
article page with a rich text or a StreamField body, a byline or an author, all render.

`fingerprint(content)` is a digest of everything the PDF shows (and of the template and
language it is set in): a built PDF is current exactly while the issue has its fingerprint.

`web_bodies(articles, image_url)` turns the stored rich text of all articles into HTML for the
page at once: image embeds become figures with their captions (all images fetched in one query;
the pictures themselves are served by the journal's permission-checked image view, never from the
media folder), and Wagtail's link rewriting runs over all bodies in one pass.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from branchwork.core import richtext
from branchwork.documents.typst import COMMON
from branchwork.journal.models import JournalEntry, JournalIssue, JournalSection

TEMPLATE = Path(__file__).resolve().parent / "typst" / "issue.typ"
# Attribute names a portal page may keep its parts under, in order of preference.
BODY_FIELDS = ("body", "content", "text", "intro")
SUBTITLE_FIELDS = ("subtitle", "sub_title")
BYLINE_FIELDS = ("byline", "author_line")
AUTHOR_FIELDS = ("author", "author_name")
AUTHOR_UNIT_FIELDS = ("author_unit", "unit")
AUTHOR_TITLE_FIELDS = ("author_title", "author_position")
# The rendition of a picture on the web page (served by a permission-checked view).
WEB_IMAGE_SPEC = "max-1200x1200"


@dataclass
class Article:
    entry_id: int
    number: int  # 1, 2, … through the issue
    title: str
    subtitle: str
    byline: str
    html: str  # stored rich text (Wagtail's database format: image embeds, page links)
    page_id: int | None = None
    withdrawn: bool = False  # a portal page that is no longer live
    new_page: bool = False  # the editor starts it on a new page of the PDF

    @property
    def from_portal(self) -> bool:
        return self.page_id is not None


@dataclass
class Section:
    section_id: int
    title: str
    articles: list[Article] = field(default_factory=list)


@dataclass
class IssueContent:
    issue: JournalIssue
    journal_name: str
    organization: str
    year: int
    number: int
    label: str  # 2026年第1期
    published_on: datetime.date
    editor: str
    cover_note: str
    status: str
    sections: list[Section]

    @property
    def articles(self) -> list[Article]:
        return [a for s in self.sections for a in s.articles]

    @property
    def date_text(self) -> str:
        return formats.date_format(self.published_on, "DATE_FORMAT")


# --- Portal pages, read without knowing their models ---


def _value(obj, names) -> object:
    for name in names:
        value = getattr(obj, name, None)
        if callable(value) and not hasattr(value, "all"):
            try:
                value = value()
            except TypeError:
                continue
        if value not in (None, ""):
            return value
    return None


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "display_name"):
        return str(value.display_name)
    return str(value).strip()


def page_byline(page) -> str:
    """The byline of a portal page: its own, else author, unit and title put together."""
    byline = _text(_value(page, BYLINE_FIELDS))
    if byline:
        return byline
    parts = [_text(_value(page, names)) for names in (AUTHOR_UNIT_FIELDS, AUTHOR_FIELDS,
                                                       AUTHOR_TITLE_FIELDS)]
    return " ".join(p for p in parts if p)


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) or (
        isinstance(value, str) and value.isdigit())


def _block_kind(block) -> str:
    """What a StreamField block is, by its class (without importing anything optional)."""
    if block is None:
        return ""
    names = [c.__name__ for c in type(block).__mro__]
    for kind, cls in (("image", "ImageBlock"), ("image", "ImageChooserBlock"),
                      ("rich", "RichTextBlock"), ("struct", "StructBlock"),
                      ("list", "ListBlock"), ("stream", "StreamBlock"),
                      ("text", "CharBlock"), ("text", "TextBlock"), ("text", "BlockQuoteBlock")):
        if cls in names:
            return kind
    return "other"


def _text_html(name: str, value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    text = escape(value)
    if "heading" in name or name in ("title", "subheading"):
        return f"<h3>{text}</h3>"
    if "quote" in name:
        return f"<blockquote>{text}</blockquote>"
    return richtext.text_to_html(value)


CAPTION_KEYS = ("caption", "title", "alt_text", "alt", "description")


def _struct_html(block, raw: dict) -> str:
    children = getattr(block, "child_blocks", {}) or {}
    image_key = next((k for k, b in children.items() if _block_kind(b) == "image"), None)
    if image_key is None and _is_id(raw.get("image")):
        image_key = "image"
    if image_key is not None:
        image = raw.get(image_key)
        if isinstance(image, dict):  # an ImageBlock inside: {"image": id, "alt_text": …}
            alt = image.get("alt_text") or ""
            image = image.get("image")
        else:
            alt = ""
        caption_key = next((k for k in CAPTION_KEYS if isinstance(raw.get(k), str) and raw[k].strip()),
                           None)
        caption = raw[caption_key].strip() if caption_key else alt
        out = [richtext.image_embed(image, caption)] if _is_id(image) else []
        for key, value in raw.items():
            if key not in (image_key, caption_key):
                out.append(_raw_html(children.get(key), key, value))
        return "".join(out)
    return "".join(_raw_html(children.get(k), k, v) for k, v in raw.items())


def _raw_html(block, name: str, raw) -> str:
    """HTML (in Wagtail's database format) of one block's raw JSON value."""
    kind = _block_kind(block)
    if kind == "image" or (kind in ("", "other") and "image" in name and _is_id(raw)):
        if isinstance(raw, dict):
            image = raw.get("image")
            return richtext.image_embed(image, raw.get("alt_text") or "") if _is_id(image) else ""
        return richtext.image_embed(raw) if _is_id(raw) else ""
    if isinstance(raw, str):
        return raw if kind == "rich" else _text_html(name, raw)
    if isinstance(raw, dict):
        if "type" in raw and "value" in raw:  # a child of a stream or of a list
            child = None
            if kind == "stream":
                child = block.child_blocks.get(raw["type"])
            elif kind == "list":
                child = block.child_block
            return _raw_html(child, str(raw["type"]), raw["value"])
        return _struct_html(block, raw)
    if isinstance(raw, list):
        if kind == "list":
            return "".join(_raw_html(block.child_block, name, item) for item in raw)
        return "".join(_raw_html(block, name, item) for item in raw)
    return ""


def stream_html(stream_value) -> str:
    """A StreamField's content as rich text, read from its raw JSON (no query for images)."""
    block = getattr(stream_value, "stream_block", None)
    children = getattr(block, "child_blocks", {}) or {}
    out = []
    for item in stream_value.raw_data:
        if not item:
            continue
        out.append(_raw_html(children.get(item.get("type")), str(item.get("type", "")),
                             item.get("value")))
    return "".join(out)


def page_body(page) -> str:
    """The body of a portal page as rich text (database format)."""
    for name in BODY_FIELDS:
        value = getattr(page, name, None)
        if value in (None, ""):
            continue
        if hasattr(value, "raw_data") and hasattr(value, "stream_block"):
            html = stream_html(value)
        elif hasattr(value, "source"):  # wagtail.rich_text.RichText
            html = value.source or ""
        elif isinstance(value, str):
            html = value if "<" in value else _text_html("", value)
        else:
            continue
        if html.strip():
            return html
    return ""


# --- The snapshot ---


def _person_name(person) -> str:
    return person.display_name if person is not None else ""


def _entries_queryset():
    return JournalEntry.objects.order_by("order", "pk")


def issue_content(issue: JournalIssue) -> IssueContent:
    """Everything the issue shows, in a constant number of queries."""
    from wagtail.models import Page

    sections = list(
        JournalSection.objects.filter(issue=issue).order_by("order", "pk")
        .prefetch_related(Prefetch("entries", queryset=_entries_queryset()))
    )
    page_ids = {e.page_id for s in sections for e in s.entries.all() if e.page_id}
    pages = Page.objects.filter(pk__in=page_ids).specific().in_bulk() if page_ids else {}
    out_sections = []
    number = 0
    for section in sections:
        articles = []
        for entry in section.entries.all():
            if entry.page_id:
                page = pages.get(entry.page_id)
                if page is None:
                    continue  # the page was deleted: nothing left to show
                live = bool(page.live)
                article = Article(
                    entry_id=entry.pk, number=0, title=page.title,
                    subtitle=_text(_value(page, SUBTITLE_FIELDS)), byline=page_byline(page),
                    html=sanitize(page_body(page)) if live else "", page_id=page.pk,
                    withdrawn=not live, new_page=entry.new_page,
                )
            else:
                if not entry.title.strip():
                    continue
                article = Article(entry_id=entry.pk, number=0, title=entry.title.strip(),
                                  subtitle="", byline=entry.author.strip(),
                                  html=sanitize(entry.body or ""), new_page=entry.new_page)
            number += 1
            article.number = number
            articles.append(article)
        out_sections.append(Section(section_id=section.pk, title=section.title, articles=articles))
    journal = issue.journal
    return IssueContent(
        issue=issue,
        journal_name=journal.display_name,
        organization=journal.organization.display_name,
        year=issue.year,
        number=issue.number,
        label=issue.label,
        published_on=issue.published_on,
        editor=_person_name(issue.editor),
        cover_note=issue.cover_note,
        status=issue.status,
        sections=out_sections,
    )


def load_issue(issue_id: int) -> JournalIssue | None:
    return (JournalIssue.objects.select_related("journal__organization", "editor")
            .filter(pk=issue_id).first())


def sanitize(html: str) -> str:
    """Rich text reduced to the stored subset plus Wagtail's page links and image embeds (the
    WAGTAIL profile of core.richtext); text without markup is left as it is."""
    if not html or not richtext.has_markup(html):
        return html or ""
    return richtext.sanitize(html, richtext.WAGTAIL)


def fingerprint(content: IssueContent) -> str:
    """A digest of what the PDF shows: text, order, the images' files, layout and language."""
    from wagtail.images import get_image_model

    ids = sorted({i for a in content.articles for i in richtext.embedded_image_ids(a.html)})
    files = []
    if ids:
        files = list(get_image_model().objects.filter(pk__in=ids).order_by("pk")
                     .values_list("pk", "file", "file_size"))
    payload = {
        "journal": content.journal_name, "organization": content.organization,
        "year": content.year, "number": content.number, "date": content.published_on.isoformat(),
        "editor": content.editor, "note": content.cover_note, "status": content.status,
        "sections": [
            {"title": s.title, "articles": [
                {k: v for k, v in asdict(a).items() if k != "entry_id"} for a in s.articles]}
            for s in content.sections
        ],
        "images": [list(f) for f in files],
        "language": settings.LANGUAGE_CODE,
        "template": hashlib.sha256(TEMPLATE.read_bytes() + COMMON.read_bytes()).hexdigest(),
        "format": 1,
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


# --- The web version ---

_SPLIT = "<!--journal-article-split-->"


WEB_IMAGE_BOX = (1200, 1200)


def fitted_size(image) -> tuple[int, int]:
    """Width and height of `image` served at WEB_IMAGE_SPEC, without making the rendition."""
    box_w, box_h = WEB_IMAGE_BOX
    width, height = image.width or box_w, image.height or box_h
    scale = min(1.0, box_w / width, box_h / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _figure(image, alt: str, url: str) -> str:
    caption = escape(alt or "")
    if image is None:
        return f'<p class="journal-missing-image">[{caption}]</p>' if caption else ""
    width, height = fitted_size(image)
    img = (f'<img src="{escape(url, quote=True)}" width="{width}" height="{height}" '
           f'alt="{escape(alt or image.title, quote=True)}" loading="lazy">')
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure class="journal-figure">{img}{figcaption}</figure>'


def web_bodies(articles: list[Article], image_url) -> dict[int, SafeString]:
    """entry id → the article's body as HTML for the page, for all articles in one pass.
    `image_url(image_id)` is where the page fetches a picture (a permission-checked view)."""
    from wagtail.images import get_image_model
    from wagtail.rich_text import expand_db_html

    ids = sorted({i for a in articles for i in richtext.embedded_image_ids(a.html)})
    images = get_image_model().objects.in_bulk(ids) if ids else {}

    def replace(match: re.Match) -> str:
        attrs = richtext.embed_attrs(match.group(1))
        if attrs.get("embedtype") != "image":
            return match.group(0)
        image_id = attrs.get("id", "")
        image = images.get(int(image_id)) if image_id.isdigit() else None
        return _figure(image, attrs.get("alt", ""), image_url(image.pk) if image else "")

    joined = _SPLIT.join(richtext.EMBED.sub(replace, a.html or "") for a in articles)
    parts = expand_db_html(joined).split(_SPLIT) if joined else []
    return {a.entry_id: mark_safe(part) for a, part in zip(articles, parts)}  # noqa: S308


def language_is_english() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).lower().startswith("en")
