"""Import of an existing archive of articles (JSON Lines) into a channel: all or nothing.

One JSON object a line (docs/PUBLISHING.md has the full description):

    {"title": "…", "body": "<p>…</p>", "published_at": "2019-07-01 09:30", "visibility": "public",
     "lang": "zh", "author": "王博", "subtitle": "…", "source": "…", "summary": "…", "tags": ["…"]}

title, body, published_at and visibility are required; the rest are optional. Every line is
checked first; when anything is wrong the file is refused whole, with every problem named by its
line (counted from 1, as editors show it) and field, and nothing is written. Otherwise the
articles are written and published in one transaction with their original publication time.

    parse(data)                 → [(line number, object)]   (raises ImportRefused)
    validate(channel, records)  → ImportPlan (articles to write, and every error)
    run_import(by=…, channel=…, data=…, dry_run=False, organization=None) → ImportResult (raises ImportRefused)
    resolve_channel("/jiceng/fengcai/") → ChannelPage      (raises ValueError)
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from branchwork.core import audit, validators
from branchwork.core.models import AuditAction, Person
from branchwork.core.richtext import text_to_html
from branchwork.publishing import services
from branchwork.publishing.models import ArticleLanguage, ArticlePage, ChannelPage, Visibility
from branchwork.publishing.richtext import html_to_stream, looks_like_html

MAX_LINES = 20000
MAX_BYTES = 50 * 1024 * 1024
REQUIRED = ("title", "body", "published_at", "visibility")
OPTIONAL = ("lang", "author", "subtitle", "source", "summary", "tags")
LANGUAGES = {
    "zh": ArticleLanguage.CHINESE, "zh-hans": ArticleLanguage.CHINESE, "zh-cn": ArticleLanguage.CHINESE,
    "zh_cn": ArticleLanguage.CHINESE, "zh-sg": ArticleLanguage.CHINESE, "chinese": ArticleLanguage.CHINESE,
    "中文": ArticleLanguage.CHINESE, "en": ArticleLanguage.ENGLISH, "en-us": ArticleLanguage.ENGLISH,
    "en-gb": ArticleLanguage.ENGLISH, "english": ArticleLanguage.ENGLISH, "英文": ArticleLanguage.ENGLISH,
}
VISIBILITIES = {
    "public": Visibility.PUBLIC, "公开": Visibility.PUBLIC,
    "internal": Visibility.INTERNAL, "内部": Visibility.INTERNAL,
}
_EMBED_ID = re.compile(r"<embed\b[^>]*\bembedtype=\"image\"[^>]*>", re.I)
_ID = re.compile(r"\bid=\"(\d+)\"")


@dataclass(frozen=True)
class LineError:
    line: int | None
    field: str
    problem: str
    message: str

    def __str__(self) -> str:
        return self.message


def _error(line: int | None, field_name: str, problem: str) -> LineError:
    if line is not None and field_name:
        message = _("Line %(line)s, field “%(field)s”: %(problem)s") % {
            "line": line, "field": field_name, "problem": problem}
    elif line is not None:
        message = _("Line %(line)s: %(problem)s") % {"line": line, "problem": problem}
    else:
        message = problem
    return LineError(line=line, field=field_name, problem=problem, message=message)


class ImportRefused(Exception):
    """The file is refused whole; `errors` says why, line by line. Nothing was written."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(e.message for e in self.errors))


@dataclass
class PlannedArticle:
    line: int
    title: str
    body: list[dict]
    published_at: datetime.datetime
    language: str
    visibility: str
    author: Person | None = None
    author_name: str = ""
    subtitle: str = ""
    source: str = ""
    summary: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    articles: list[PlannedArticle] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


@dataclass
class ImportResult:
    articles: list[ArticlePage]
    planned: int
    dry_run: bool = False


def resolve_channel(path: str) -> ChannelPage:
    """The channel at a URL path ("/jiceng/fengcai/") or slug path ("jiceng/fengcai") of the site."""
    from wagtail.models import Site

    parts = [p for p in unquote((path or "").strip()).strip("/").split("/") if p]
    if not parts:
        raise ValueError(_("Name a channel by its address, e.g. /jiceng/ or jiceng/fengcai."))
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise ValueError(_("The site has no home page."))
    url_path = site.root_page.url_path + "/".join(parts) + "/"
    channel = ChannelPage.objects.filter(url_path=url_path).first()
    if channel is None:
        raise ValueError(_("There is no channel at “%(path)s”.") % {"path": "/" + "/".join(parts) + "/"})
    return channel


def parse(data: bytes) -> list[tuple[int, dict]]:
    if not data or not data.strip():
        raise ImportRefused([_error(None, "", _("The file is empty."))])
    if len(data) > MAX_BYTES:
        raise ImportRefused([_error(None, "", _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // 2**20})])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportRefused([_error(None, "", _("The file is not UTF-8 text."))]) from None
    records, errors = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if number > MAX_LINES:  # blank lines count: they cost reading too
            raise ImportRefused([_error(None, "", _("The file has more than %(max)s lines; split it.") % {"max": MAX_LINES})])
        if not raw.strip():
            continue
        if len(records) + len(errors) >= MAX_LINES:
            raise ImportRefused([_error(None, "", _("The file has more than %(max)s lines; split it.") % {"max": MAX_LINES})])
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.append(_error(number, "", _("not valid JSON (%(detail)s).") % {"detail": exc.msg}))
            continue
        if not isinstance(value, dict):
            errors.append(_error(number, "", _("each line must be one JSON object {…}.")))
            continue
        # One rule for typed and imported text (core.validators): no control characters.
        problems = list(validators.find_in(value))
        if problems:
            errors.extend(_error(number, path, why) for path, why in problems)
            continue
        records.append((number, value))
    if errors:
        raise ImportRefused(errors)
    if not records:
        raise ImportRefused([_error(None, "", _("The file is empty."))])
    return records


def _text_field(obj: dict, name: str, line: int, errors: list, *, required: bool, max_length: int | None) -> str:
    value = obj.get(name)
    if value is None:
        if required:
            errors.append(_error(line, name, _("missing; it is required.")))
        return ""
    if not isinstance(value, str):
        errors.append(_error(line, name, _("must be text.")))
        return ""
    value = value.strip()
    if required and not value:
        errors.append(_error(line, name, _("is empty.")))
    if max_length and len(value) > max_length:
        errors.append(_error(line, name, _("at most %(max)s characters (this has %(length)s).")
                             % {"max": max_length, "length": len(value)}))
    return value


def parse_published_at(value) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    moment = parse_datetime(value.replace(" ", "T", 1)) if len(value) > 10 else None
    if moment is None:
        day = parse_date(value) if len(value) == 10 else None
        if day is None:
            return None
        moment = datetime.datetime.combine(day, datetime.time(0, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def validate(channel: ChannelPage, records: list[tuple[int, dict]]) -> ImportPlan:
    plan = ImportPlan()
    names = set()
    for _line, obj in records:
        if isinstance(obj.get("author"), str) and obj["author"].strip():
            names.add(obj["author"].strip())
    people: dict[str, list[Person]] = {}
    if names:
        for person in Person.objects.filter(Q(name__in=names) | Q(name_en__in=names)):
            for key in {person.name, person.name_en} & names:
                people.setdefault(key, []).append(person)
    existing = {
        (title, moment.replace(second=0, microsecond=0) if moment else None)
        for title, moment in ArticlePage.objects.child_of(channel).values_list("title", "first_published_at")
    }
    seen: dict[tuple, int] = {}
    now = timezone.now()
    image_ids: dict[int, set[int]] = {}

    for line, obj in records:
        errors: list[LineError] = []
        for name in sorted(set(obj) - set(REQUIRED) - set(OPTIONAL)):
            errors.append(_error(line, name, _("unknown field; the fields are %(fields)s.")
                                 % {"fields": ", ".join(REQUIRED + OPTIONAL)}))
        title = _text_field(obj, "title", line, errors, required=True, max_length=255)
        body_text = _text_field(obj, "body", line, errors, required=True, max_length=None)
        subtitle = _text_field(obj, "subtitle", line, errors, required=False, max_length=255)
        source = _text_field(obj, "source", line, errors, required=False, max_length=200)
        summary = _text_field(obj, "summary", line, errors, required=False, max_length=2000)
        author_name = _text_field(obj, "author", line, errors, required=False, max_length=120)

        published_at = None
        if "published_at" not in obj or obj.get("published_at") in (None, ""):
            errors.append(_error(line, "published_at", _("missing; it is required.")))
        else:
            published_at = parse_published_at(obj["published_at"])
            if published_at is None:
                errors.append(_error(line, "published_at", _(
                    "“%(value)s” is not a date; write YYYY-MM-DD, YYYY-MM-DD HH:MM or ISO 8601.")
                    % {"value": obj["published_at"]}))
            elif published_at.year < validators.MIN_YEAR:
                errors.append(_error(line, "published_at", _(
                    "Dates before %(year)s cannot be recorded.") % {"year": validators.MIN_YEAR}))
                published_at = None
            elif published_at > now:
                errors.append(_error(line, "published_at", _(
                    "%(value)s is in the future; only articles already published are imported.")
                    % {"value": obj["published_at"]}))

        visibility = None
        raw_visibility = obj.get("visibility")
        if raw_visibility is None or raw_visibility == "":
            errors.append(_error(line, "visibility", _("missing; write public or internal.")))
        elif not isinstance(raw_visibility, str) or raw_visibility.strip().lower() not in VISIBILITIES:
            errors.append(_error(line, "visibility", _("“%(value)s” is neither public nor internal.")
                                 % {"value": raw_visibility}))
        else:
            visibility = VISIBILITIES[raw_visibility.strip().lower()]

        language = None
        raw_lang = obj.get("lang")
        if raw_lang not in (None, ""):
            if not isinstance(raw_lang, str) or raw_lang.strip().lower() not in LANGUAGES:
                errors.append(_error(line, "lang", _("“%(value)s” is not a language here; write zh or en.")
                                     % {"value": raw_lang}))
            else:
                language = LANGUAGES[raw_lang.strip().lower()]

        tags: list[str] = []
        raw_tags = obj.get("tags")
        if isinstance(raw_tags, str):
            tags = [t.strip() for t in re.split(r"[,，、;；]", raw_tags) if t.strip()]
        elif isinstance(raw_tags, list) and all(isinstance(t, str) for t in raw_tags):
            tags = [t.strip() for t in raw_tags if t.strip()]
        elif raw_tags is not None:
            errors.append(_error(line, "tags", _("must be a list of words, or words separated by commas.")))
        if any(len(t) > 100 for t in tags):
            errors.append(_error(line, "tags", _("a tag is longer than 100 characters.")))

        body: list[dict] = []
        if body_text:
            if looks_like_html(body_text):
                ids = {int(m) for tag in _EMBED_ID.findall(body_text) for m in _ID.findall(tag)}
                if ids:
                    image_ids[line] = ids
                body = html_to_stream(body_text)
            else:
                body = html_to_stream(text_to_html(body_text))
            if not body:
                errors.append(_error(line, "body", _("has no text.")))

        if title and published_at is not None:
            key = (title, published_at.replace(second=0, microsecond=0))
            if key in existing:
                errors.append(_error(line, "title", _(
                    "an article with this title and publication time is already in the channel.")))
            elif key in seen:
                errors.append(_error(line, "title", _("same title and publication time as line %(other)s.")
                                     % {"other": seen[key]}))
            else:
                seen[key] = line

        if errors:
            plan.errors.extend(errors)
            continue
        matches = people.get(author_name, []) if author_name else []
        author = matches[0] if len(matches) == 1 else None
        plan.articles.append(PlannedArticle(
            line=line, title=title, body=body, published_at=published_at,
            language=language or services.guess_language(title + " " + body_text[:2000]),
            visibility=visibility, author=author, author_name="" if author else author_name,
            subtitle=subtitle, source=source, summary=summary, tags=tags,
        ))

    if image_ids:
        from wagtail.images import get_image_model

        wanted = set().union(*image_ids.values())
        found = set(get_image_model().objects.filter(pk__in=wanted).values_list("pk", flat=True))
        for line, ids in sorted(image_ids.items()):
            missing = sorted(ids - found)
            if missing:
                plan.errors.append(_error(line, "body", _("no image with id %(ids)s in the library.")
                                          % {"ids": ", ".join(map(str, missing))}))
        if plan.errors:
            bad = {e.line for e in plan.errors}
            plan.articles = [a for a in plan.articles if a.line not in bad]
    plan.errors.sort(key=lambda e: (e.line or 0))
    return plan


def run_import(*, by, channel: ChannelPage, data: bytes, dry_run: bool = False,
               organization=None) -> ImportResult:
    """Check the whole file, then (unless `dry_run`) write and publish it in one transaction.
    The articles belong to `organization` (whose members read the internal ones; None: the whole
    institution).

    Raises ImportRefused with every problem found; then nothing has been written.
    """
    plan = validate(channel, parse(data))
    if plan.errors:
        raise ImportRefused(plan.errors)
    if dry_run:
        return ImportResult(articles=[], planned=len(plan.articles), dry_run=True)
    created = []
    with transaction.atomic(), audit.acting_as(by, source=audit.current_actor().source):
        for item in plan.articles:
            created.append(services.article_publish_imported(
                by=by, channel=channel, title=item.title, body=item.body,
                published_at=item.published_at, language=item.language, visibility=item.visibility,
                author=item.author, author_name=item.author_name, subtitle=item.subtitle,
                source=item.source, summary=item.summary, tags=item.tags, organization=organization,
            ))
        audit.log_event(channel, AuditAction.IMPORT, {"file": {
            "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
            "articles": [{"id": page.pk, "repr": page.title[:200]} for page in created]}},
            organization_id=getattr(organization, "pk", None))
    return ImportResult(articles=created, planned=len(plan.articles))
