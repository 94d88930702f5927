"""The journal's part of the demo: 《研究室党建通讯》 of the Research Office Party branch, with two
published issues of articles written for them (sections 理论学习, 支部动态, 调研札记), two of them
with a picture and its caption.

Everything is keyed on stable values (the journal's short name; an issue's year and number; a
section's title; an article's title; a picture's title), so loading again changes nothing. The
issues are recorded as published without mailing anyone (the demo's addresses are made up); their
PDFs are requested from the task worker.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from branchwork.core import audit
from branchwork.core import demo as core_demo
from branchwork.core.models import Organization, Person
from branchwork.journal.models import (
    IssueStatus,
    Journal,
    JournalEntry,
    JournalIssue,
    JournalSection,
)

_DATA = core_demo.read_data(__file__, "journal.yaml")
SLUG = _DATA["slug"]
ORG = _DATA["org"]
EDITOR = _DATA["editor"]


@dataclass(frozen=True)
class ArticleSpec:
    title: str
    author: str  # a key of core.demo.PEOPLE
    paragraphs: tuple[str, ...]
    picture: str = ""  # the caption of a picture drawn for the article
    heading_after: int = -1  # a subheading after this paragraph
    heading: str = ""


@dataclass(frozen=True)
class IssueSpec:
    year: int
    number: int
    published_on: datetime.date
    cover_note: str
    sections: tuple[tuple[str, tuple[ArticleSpec, ...]], ...]


def _issue(row: dict) -> IssueSpec:
    sections = tuple(
        (section["title"], tuple(ArticleSpec(**{**a, "paragraphs": tuple(a["paragraphs"])})
                                 for a in section["articles"]))
        for section in row["sections"]
    )
    return IssueSpec(year=row["year"], number=row["number"], published_on=row["published_on"],
                     cover_note=row["cover_note"], sections=sections)


# The text is in demo/journal.yaml beside this module.
ISSUES = tuple(_issue(row) for row in _DATA["issues"])


def _picture(caption: str, seed: int) -> bytes:
    """A simple illustration drawn for the demo: a framed scene of bars and a sun."""
    from PIL import Image, ImageDraw

    w, h = 1400, 900
    img = Image.new("RGB", (w, h), (246, 241, 234))
    draw = ImageDraw.Draw(img)
    draw.rectangle([40, 40, w - 40, h - 40], outline=(163, 22, 27), width=10)
    draw.ellipse([w - 330, 110, w - 150, 290], fill=(230, 170, 40))
    for i in range(7):
        height = 140 + (seed * 97 + i * 131) % 460
        x = 140 + i * 160
        draw.rectangle([x, h - 110 - height, x + 100, h - 110], fill=(163, 22, 27))
    draw.line([(100, h - 110), (w - 100, h - 110)], fill=(60, 60, 60), width=6)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def _image(caption: str, seed: int, tally: dict):
    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    Image = get_image_model()
    title = f"演示：{caption}"
    image = Image.objects.filter(title=title).first()
    if image is None:
        image = Image(title=title)
        image.file = ImageFile(io.BytesIO(_picture(caption, seed)), name=f"journal-demo-{seed}.jpg")
        image.save()
        tally["images"] += 1
    return image


def _body(spec: ArticleSpec, image) -> str:
    parts = []
    for i, text in enumerate(spec.paragraphs):
        parts.append(f"<p>{text}</p>")
        if i == spec.heading_after and spec.heading:
            parts.append(f"<h3>{spec.heading}</h3>")
        if i == 0 and image is not None:
            parts.append(f'<embed embedtype="image" id="{image.pk}" format="fullwidth" '
                         f'alt="{spec.picture}"/>')
    return "".join(parts)


def _author(spec: ArticleSpec, people: dict[str, Person]) -> str:
    person = people.get(spec.author)
    if person is None:
        return ""
    unit = person.unit.name_zh if person.unit_id else ""
    return " ".join(x for x in (unit, person.name) if x)


def _save(obj, wanted: dict, tally: dict, kind: str) -> None:
    changed = [k for k, v in wanted.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, wanted[k])
        obj.full_clean()
        obj.save()
        tally[kind] += 1


def load_demo(*, stdout=None) -> None:
    from branchwork.journal import services

    org = Organization.objects.filter(code=ORG).first()
    if org is None:
        raise ValueError(f"Load core's demo first: no organization {ORG}.")
    emails = {p.key: p.email for p in core_demo.PEOPLE}
    by_email = {p.email: p for p in Person.objects.select_related("unit").filter(email__in=emails.values())}
    people = {key: by_email[email] for key, email in emails.items() if email in by_email}
    tally = {"journals": 0, "issues": 0, "sections": 0, "articles": 0, "images": 0, "changed": 0}
    published = []
    with transaction.atomic(), audit.acting_as(None, source="demo"):
        journal = Journal.objects.filter(slug=SLUG).first()
        wanted = {"name_zh": "研究室党建通讯", "name_en": "Research Office Party Building Bulletin",
                  "organization": org,
                  "description": "研究室党支部编印的内部刊物，每年出版若干期，刊发党员学习体会、支部工作动态和调研札记。"}
        if journal is None:
            journal = Journal.objects.create(slug=SLUG, **wanted)
            tally["journals"] += 1
        else:
            _save(journal, wanted, tally, "changed")
        seed = 0
        for spec in ISSUES:
            issue = JournalIssue.objects.filter(journal=journal, year=spec.year, number=spec.number).first()
            wanted = {"published_on": spec.published_on, "editor": people.get(EDITOR),
                      "cover_note": spec.cover_note}
            if issue is None:
                issue = services.issue_create(by=None, journal=journal, year=spec.year,
                                              number=spec.number, distribution=[org], **wanted)
                tally["issues"] += 1
            else:
                _save(issue, wanted, tally, "changed")
            for order, (title, articles) in enumerate(spec.sections):
                section = JournalSection.objects.filter(issue=issue, title=title).first()
                if section is None:
                    section = services.section_add(by=None, issue=issue, title=title, order=order)
                    tally["sections"] += 1
                else:
                    _save(section, {"order": order}, tally, "changed")
                for position, article in enumerate(articles):
                    seed += 1
                    image = _image(article.picture, seed, tally) if article.picture else None
                    wanted = {"order": position, "author": _author(article, people),
                              "body": _body(article, image)}
                    entry = JournalEntry.objects.filter(section__issue=issue, title=article.title).first()
                    if entry is None:
                        services.entry_add(by=None, section=section, title=article.title, **wanted)
                        tally["articles"] += 1
                    else:
                        _save(entry, {"section": section, **wanted}, tally, "changed")
            if issue.status != IssueStatus.PUBLISHED:
                # Published as of the issue's date, without mailing the demo's made-up addresses.
                at = timezone.make_aware(datetime.datetime.combine(spec.published_on, datetime.time(10)))
                JournalIssue.objects.filter(pk=issue.pk).update(
                    status=IssueStatus.PUBLISHED, published_at=at, notified_at=at)
                tally["changed"] += 1
            published.append(issue.pk)

        def request_pdfs() -> None:
            for issue in JournalIssue.objects.filter(pk__in=published).select_related(
                    "journal__organization", "editor"):
                services.pdf_request(issue=issue, by=None)

        transaction.on_commit(request_pdfs)
    if stdout is not None:
        if any(tally.values()):
            stdout.write(
                "内部刊物 Journal: 新建 created "
                f"{tally['journals']} 刊物 journals, {tally['issues']} 期 issues, "
                f"{tally['sections']} 栏目 sections, {tally['articles']} 篇 articles, "
                f"{tally['images']} 图片 pictures; 更新 updated {tally['changed']}\n")
        else:
            stdout.write("内部刊物演示数据已是最新。 Demo journal already up to date: nothing changed.\n")
