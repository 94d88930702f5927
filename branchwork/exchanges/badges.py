"""Badges and table cards as print-ready PDF (Typst), in every script.

Typst sets each character in the first font of the list (`documents.fonts.sans()`) that has it,
so one list serves Chinese, Latin, Cyrillic, Arabic (right to left), Devanagari, Thai and Khmer.
A character no font of the list has would come out as a box, silently: `missing_glyphs` reads
the fonts' own character maps first and names such characters, and `badges_pdf` refuses to print
them (`MissingGlyphs`), so a badge never carries a box where a name should be.

Long names are fitted: set smaller until they fit the badge's width, wrapped below a least size,
never clipped. The QR code holds the badge code that check-in reads (segno, as for activities).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import segno
import typst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from branchwork.core.language import is_chinese
from branchwork.documents import fonts
from branchwork.documents.typst import TypstRoot
from branchwork.exchanges import countries
from branchwork.exchanges.models import Event, Participant

TEMPLATE = Path(__file__).resolve().parent / "typst" / "badges.typ"
SHEET, SINGLE, TABLE_CARD = "sheet", "single", "table_card"
KINDS = (SHEET, SINGLE, TABLE_CARD)
# Characters that are never drawn (spaces, joiners, direction marks): no font need have them.
_INVISIBLE = {"Zs", "Zl", "Zp", "Cc", "Cf"}


class MissingGlyphs(ValueError):
    """Characters that no font of the list can draw: {character: [texts holding it]}."""

    def __init__(self, missing: dict[str, list[str]]):
        self.missing = missing
        listed = ", ".join(f"U+{ord(ch):04X} {ch!r}" for ch in sorted(missing))
        super().__init__(_("No font can print these characters: %(chars)s") % {"chars": listed})


@cache
def _font_files(families: tuple[str, ...], dirs: tuple[str, ...]) -> tuple[tuple[str, str, int], ...]:
    """(family, path, index) of each installed face of `families`, in the list's order."""
    found = typst.Fonts(include_system_fonts=True, font_paths=list(dirs)).fonts()
    faces = []
    for family in families:
        for info in found:
            if info.family == family and info.path:
                faces.append((family, str(info.path), int(info.index)))
                break  # one face of a family has its character map
    return tuple(faces)


@cache
def _codepoints(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def covered(families: Sequence[str] | None = None) -> list[tuple[str, frozenset[int]]]:
    families = tuple(families if families is not None else fonts.sans())
    return [(family, _codepoints(path, index))
            for family, path, index in _font_files(families, tuple(fonts.font_dirs()))]


def missing_glyphs(texts: Iterable[str], families: Sequence[str] | None = None) -> dict[str, list[str]]:
    """The characters of `texts` that no font of `families` (default: the badges' list) has."""
    maps = [cps for _family, cps in covered(families)]
    missing: dict[str, list[str]] = {}
    for text in texts:
        for ch in set(text or ""):
            if unicodedata.category(ch) in _INVISIBLE:
                continue
            if not any(ord(ch) in cps for cps in maps):
                missing.setdefault(ch, []).append(text)
    return missing


def badge_data(participant: Participant) -> dict[str, str]:
    contact = participant.contact
    delegation = participant.delegation
    country = delegation.country if delegation else (contact.party.country if contact.party_id else "")
    return {
        "native": contact.name_native or contact.name_latin,
        "zh": contact.name_zh,
        "latin": contact.name_latin,
        "delegation": delegation.party.display_name if delegation and delegation.party_id else "",
        "country": countries.name(country) if country else "",
        "code": participant.badge_code,
        "qr": "",
    }


def badges_pdf(event: Event, participants: Sequence[Participant], *, kind: str = SHEET) -> bytes:
    """The badges (or table cards) of `participants` as one PDF."""
    if kind not in KINDS:
        raise ValueError(kind)
    badges = [badge_data(p) for p in participants]
    texts = [b[k] for b in badges for k in ("native", "zh", "latin", "delegation", "country")]
    texts.append(event.title)
    missing = missing_glyphs(texts)
    if missing:
        raise MissingGlyphs(missing)
    with TypstRoot(TEMPLATE, prefix="badges-") as root:
        if kind != TABLE_CARD:
            qr_dir = root.path / "qr"
            qr_dir.mkdir()
            for badge in badges:
                name = f"qr/{badge['code']}.svg"
                segno.make(badge["code"], error="m").save(str(root.path / name), scale=4, border=1)
                badge["qr"] = name
        return root.compile(lambda usable: {
            "kind": kind, "lang": "zh" if is_chinese(get_language()) else "en",
            "event": event.title, "badges": badges})
