"""An issue as a print-ready PDF, typeset by Typst (typst/issue.typ) with the document toolkit.

Cover (journal, year and number, date, editor, cover note), contents with the page each article
starts on (Typst looks up where each article's heading landed, so the number printed is the
page's own), a running header (journal and issue) and page numbers on every page after the cover,
and each article on a new page: title, byline, body. Bodies are read as rich-text blocks
(`core.richtext`) and written as Typst markup that escapes every typed character. Images embedded
in the rich text are Wagtail images: their files are prepared by the toolkit (turned upright,
large ones scaled down) into the compile root and set as figures with their captions.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from branchwork.core import richtext
from branchwork.documents.typst import TypstRoot, blocks_to_typst, language
from branchwork.journal.content import TEMPLATE, IssueContent, language_is_english

Progress = Callable[[int], None] | None


def labels() -> dict[str, str]:
    return {
        "contents": _("Contents"),
        "editor": _("Editor"),
        "date": _("Date of issue"),
        "internal": _("Internal material · keep safe"),
        "withdrawn": _("This article has been withdrawn from the portal."),
        "empty": _("This issue has no articles yet."),
        "colon": ": " if language_is_english() else "：",
    }


def _read(image) -> bytes | None:
    try:
        with image.file.open("rb") as fh:
            return fh.read()
    except (OSError, ValueError):
        return None


def cover_facts(content: IssueContent, L: dict) -> list[list[str]]:
    rows = [[L["date"], content.date_text]]
    if content.editor:
        rows.append([L["editor"], content.editor])
    return rows


def build_pdf(content: IssueContent, progress: Progress = None) -> bytes:
    L = labels()
    articles = content.articles
    parsed = {a.entry_id: richtext.parse(a.html) for a in articles}
    if progress:
        progress(20)
    with TypstRoot(TEMPLATE, prefix="journal-") as root:
        blocks = [b for bs in parsed.values() for b in bs]
        paths = {image_id: root.add_image(_read(image), f"images/{image_id}")
                 for image_id, image in richtext.wagtail_images(blocks).items()}
        if progress:
            progress(40)

        def data(usable: frozenset[str]) -> dict:
            def image_path(block: richtext.Block) -> str | None:
                path = paths.get(richtext.wagtail_image_id(block))
                return path if path in usable else None

            sections = [{"title": s.title, "articles": [
                {"n": a.number, "title": a.title, "subtitle": a.subtitle, "byline": a.byline,
                 "withdrawn": a.withdrawn, "new_page": a.new_page,
                 "body": blocks_to_typst(parsed[a.entry_id], heading_offset=1, image_path=image_path)}
                for a in s.articles
            ]} for s in content.sections]
            return {
                **language(language_is_english()),
                "labels": L,
                "journal": content.journal_name,
                "organization": content.organization,
                "issue": content.label,
                "title": f"{content.journal_name} {content.label}",
                "cover": cover_facts(content, L),
                "edited_by": _("Edited by %(organization)s") % {"organization": content.organization},
                "note": content.cover_note,
                "sections": sections,
                "count": len(articles),
            }

        if progress:
            progress(55)
        pdf = root.compile(data)
    if progress:
        progress(95)
    return pdf


def filename(content: IssueContent) -> str:
    issue = content.issue
    return f"{issue.journal.slug}-{issue.year}-{issue.number:02d}.pdf"
