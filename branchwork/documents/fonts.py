"""Fonts for every document, and the order in which they stand in for one another.

Typst picks a font per character: for each character it takes the first family of the list
that has a glyph for it. So one list serves text in any mix of scripts, and its order is the
fallback order:

1. Chinese (the serif or sans CJK faces: Noto CJK, as Debian's fonts-noto-cjk installs it, or
   Source Han, or the faces Windows and macOS ship). Noto CJK also covers Latin, Greek and
   Cyrillic, so Latin text inside Chinese keeps one face.
2. The other face of CJK, so that a missing serif falls back to the sans rather than to boxes.
3. The scripts CJK fonts lack, in SCRIPTS' order: Arabic, Devanagari, Thai, Khmer (Noto's faces
   of each; Cyrillic needs none of its own, CJK and the last resort cover it).
4. Typst's own embedded fonts (Libertinus Serif, New Computer Modern), which are always there:
   Latin, Greek and Cyrillic when no CJK font is installed at all.

A family that is not installed is skipped. Fonts are found in the system's folders (Typst
searches them itself), in the folders of settings.TYPST_FONT_DIRS, and in the folders of the
Python packages named in FONT_PACKAGES: an OFL font package from PyPI is added by naming its
module there (one line) and declaring it in pyproject.toml; its families then join the lists
above by name.

Word picks fonts per kind of script instead (w:ascii and w:hAnsi for Latin, w:eastAsia for
Chinese, w:cs for complex scripts such as Arabic and Thai): DOCX_BODY and DOCX_HEADING say which.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

SERIF_CJK = ("Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", "Noto Serif SC",
             "SimSun", "Songti SC")
SANS_CJK = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC",
            "SimHei", "Heiti SC")


@dataclass(frozen=True)
class Script:
    name: str
    serif: tuple[str, ...]
    sans: tuple[str, ...]


SCRIPTS = (
    Script("arabic", ("Noto Naskh Arabic", "Noto Sans Arabic"), ("Noto Sans Arabic", "Noto Naskh Arabic")),
    Script("devanagari", ("Noto Serif Devanagari", "Noto Sans Devanagari"), ("Noto Sans Devanagari",)),
    Script("thai", ("Noto Serif Thai", "Noto Sans Thai"), ("Noto Sans Thai", "Noto Sans Thai Looped")),
    Script("khmer", ("Noto Serif Khmer", "Noto Sans Khmer"), ("Noto Sans Khmer",)),
)
# Embedded in the Typst compiler: always available.
LAST_RESORT_SERIF = ("Libertinus Serif",)
LAST_RESORT_SANS = ("New Computer Modern",)

# Python packages (module names) whose folders hold OFL font files (.ttf, .otf, .ttc): Noto's
# faces of Latin/Cyrillic, Arabic, Devanagari, Thai and Khmer from PyPI (fontpkg), so that these
# scripts print without any system font. Chinese still comes from the system's Noto CJK.
FONT_PACKAGES: tuple[str, ...] = (
    "fontpkg_noto_sans", "fontpkg_noto_sans_arabic", "fontpkg_noto_sans_devanagari",
    "fontpkg_noto_sans_thai", "fontpkg_noto_sans_khmer",
)
# Latin, Greek and Cyrillic when no CJK font is installed (before the compiler's own faces).
LATIN_SANS = ("Noto Sans",)
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")

# Word: (Latin face, East Asian face, complex-script face).
DOCX_BODY = ("Times New Roman", "宋体", "Times New Roman")
DOCX_HEADING = ("Arial", "黑体", "Arial")


def serif() -> list[str]:
    """Families for body text, in fallback order (see the module doc)."""
    return [*SERIF_CJK, *SANS_CJK, *(f for s in SCRIPTS for f in s.serif), *LAST_RESORT_SERIF]


def sans() -> list[str]:
    """Families for headings and labels, in fallback order."""
    return [*SANS_CJK, *SERIF_CJK, *(f for s in SCRIPTS for f in s.sans), *LATIN_SANS,
            *LAST_RESORT_SANS]


def _package_dirs(packages: tuple[str, ...]) -> list[str]:
    dirs = []
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            folders = {p.parent for p in Path(location).rglob("*") if p.suffix.lower() in FONT_SUFFIXES}
            dirs.extend(str(f) for f in sorted(folders))
    return dirs


@cache
def _packaged(packages: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_package_dirs(packages))


def font_dirs() -> list[str]:
    """Folders Typst searches besides the system's: settings.TYPST_FONT_DIRS (those that exist)
    and the font packages' folders."""
    configured = [str(d) for d in getattr(settings, "TYPST_FONT_DIRS", ()) or () if Path(d).is_dir()]
    return configured + [d for d in _packaged(FONT_PACKAGES) if d not in configured]
