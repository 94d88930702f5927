"""An issue as a print-ready PDF, typeset by Typst (typst/issue.typ).

Cover (journal, year and number, date, editor, cover note), contents with the page each article
starts on (Typst looks up where each article's heading landed, so the number printed is the
page's own), a running header (journal and issue) and page numbers on every page after the cover,
and each article on a new page: title, byline, body. Bodies go through the tested rich text
converter (`reports.richtext`): its Typst markup escapes every typed character. Images embedded
in the rich text are Wagtail images: their files are copied into the compile root (large ones
scaled down first) and set as figures with their captions.

Fonts: the system's Noto CJK (or the folders named in settings.TYPST_FONT_DIRS), as for ledgers.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from branchwork.journal.content import TEMPLATE, IssueContent, language_is_english
from branchwork.reports import richtext

Progress = Callable[[int], None] | None

# Images wider or taller than this (pixels) are scaled down before typesetting: a 2000-pixel
# image fills an A4 text column at 300 dpi, and Typst embeds smaller files faster.
MAX_IMAGE_SIDE = 2000
MAX_IMAGE_BYTES = 2_500_000
_PASSTHROUGH = {"JPEG": "jpg", "PNG": "png", "GIF": "gif"}


def _font_paths() -> list[str]:
    return [str(d) for d in getattr(settings, "TYPST_FONT_DIRS", ()) or () if Path(d).is_dir()]


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


def prepare_image(data: bytes) -> tuple[bytes, str] | None:
    """Image bytes Typst reads (PNG, JPEG or GIF), scaled down when large; None if unreadable."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            ext = _PASSTHROUGH.get(img.format or "")
            big = max(img.size) > MAX_IMAGE_SIDE or len(data) > MAX_IMAGE_BYTES
            if ext and not big:
                return data, ext
            img.load()
            img = ImageOps.exif_transpose(img)
            if big:
                img.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
            out = io.BytesIO()
            if img.mode in ("RGBA", "LA", "P") and ext == "png":
                img.save(out, "PNG", optimize=False)
                return out.getvalue(), "png"
            if img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            img.save(out, "JPEG", quality=85)
            return out.getvalue(), "jpg"
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def _read(image) -> bytes | None:
    try:
        with image.file.open("rb") as fh:
            return fh.read()
    except (OSError, ValueError):
        return None


def _write_images(root: Path, blocks: list[richtext.Block]) -> dict[int, str]:
    """Copy the Wagtail images the blocks embed into root/images; image id → path in the root."""
    paths = {}
    for image_id, image in richtext.wagtail_images(blocks).items():
        data = _read(image)
        prepared = prepare_image(data) if data else None
        if prepared is None:
            continue
        path = f"images/{image_id}.{prepared[1]}"
        (root / path).write_bytes(prepared[0])
        paths[image_id] = path
    return paths


def _compile(root: Path, data: dict) -> bytes:
    import typst

    (root / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return typst.compile(str(root / "issue.typ"), root=str(root), format="pdf",
                         font_paths=_font_paths())


def _typst_reads(root: Path, path: str) -> bool:
    import typst

    probe = root / "probe.typ"
    probe.write_text(f"#image({richtext.typst_string(path)}, width: 1cm)", encoding="utf-8")
    try:
        typst.compile(str(probe), root=str(root), format="pdf")
    except Exception:
        return False
    return True


def cover_facts(content: IssueContent, L: dict) -> list[list[str]]:
    rows = [[L["date"], content.date_text]]
    if content.editor:
        rows.append([L["editor"], content.editor])
    return rows


def build_pdf(content: IssueContent, progress: Progress = None) -> bytes:
    L = labels()
    english = language_is_english()
    articles = content.articles
    parsed = {a.entry_id: richtext.parse(a.html) for a in articles}
    if progress:
        progress(20)
    with tempfile.TemporaryDirectory(prefix="journal-") as tmp:
        root = Path(tmp)
        (root / "images").mkdir()
        paths = _write_images(root, [b for blocks in parsed.values() for b in blocks])
        if progress:
            progress(40)

        def data(usable: dict[int, str]) -> dict:
            def image_path(block: richtext.Block) -> str | None:
                image_id = richtext.wagtail_image_id(block)
                return usable.get(image_id) if image_id is not None else None

            sections = []
            for s in content.sections:
                sections.append({"title": s.title, "articles": [
                    {"n": a.number, "title": a.title, "subtitle": a.subtitle, "byline": a.byline,
                     "withdrawn": a.withdrawn,
                     "body": richtext.to_typst(parsed[a.entry_id], heading_offset=1,
                                               image_path=image_path)}
                    for a in s.articles
                ]})
            return {
                "lang": "en" if english else "zh",
                "region": "us" if english else "cn",
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

        shutil.copyfile(TEMPLATE, root / "issue.typ")
        if progress:
            progress(55)
        try:
            pdf = _compile(root, data(paths))
        except Exception:
            # Pillow reads only an image's header; one broken further in stops Typst. The issue
            # is still owed: describe such images by their captions and build it again.
            usable = {k: p for k, p in paths.items() if _typst_reads(root, p)}
            if usable == paths:
                raise
            pdf = _compile(root, data(usable))
    if progress:
        progress(95)
    return pdf


def filename(content: IssueContent) -> str:
    issue = content.issue
    return f"{issue.journal.slug}-{issue.year}-{issue.number:02d}.pdf"
