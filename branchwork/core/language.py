"""Punctuation by the rules of the language being shown.

Chinese puts a full-width colon after a label and no space after it ("地点：三楼"), lists with the
enumeration comma ("李爱丽、王博") and brackets with full-width brackets ("（出差）"); English uses
": ", ", " and " (…)". Code that writes a line for people uses these instead of typing the
marks, so an English page never shows Chinese punctuation, nor a Chinese page Latin commas.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import get_language, gettext_noop

# Django's forms end each label with gettext(":"); Django's own Chinese catalogue gives a Latin
# colon. Our catalogue, which comes first (LOCALE_PATHS), gives the full-width one.
LABEL_SUFFIX = gettext_noop(":")


def is_chinese(language: str | None = None) -> bool:
    return (language or get_language() or "").lower().startswith("zh")


def in_language(zh: str, en: str, language: str | None = None) -> str:
    """A name kept in both languages, as the page's language shows it: the English one on an
    English page when there is one, otherwise the Chinese (or whichever exists)."""
    if (language or get_language() or "zh-hans").lower().startswith("en") and en:
        return en
    return zh or en


def colon(language: str | None = None) -> str:
    return "：" if is_chinese(language) else ": "


def list_separator(language: str | None = None) -> str:
    return "、" if is_chinese(language) else ", "


def join_list(items: Iterable, language: str | None = None) -> str:
    """"李爱丽、王博" in Chinese, "Li Aili, Wang Bo" in English; empty items left out."""
    return list_separator(language).join(str(i) for i in items if str(i).strip())


def bracketed(text, language: str | None = None) -> str:
    """Text followed by a remark in brackets: "讲座（研究室党支部）", "Lecture (Research branch)"."""
    return f"（{text}）" if is_chinese(language) else f" ({text})"


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Paragraphs run on in one line (a search snippet) by the rules of their own script: a
    Chinese paragraph ends with its full stop ("。", added if it had no end mark) and the next
    follows without a space; an English one ends with "." and a space. Empty ones are left out."""
    parts = [p.strip() for p in paragraphs if p and p.strip()]
    text = ""
    for i, part in enumerate(parts):
        if i < len(parts) - 1 and part[-1] not in ENDS:
            part += "。" if _ends_han(part) else "."
        if text and not (_ends_han(text) or _starts_han(part)):
            text += " "
        text += part
    return text


ENDS = ".!?;:…。！？；：”』」）)"


def _is_han(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"


def _ends_han(text: str) -> bool:
    return bool(text) and _is_han(text[-1])


def _starts_han(text: str) -> bool:
    return bool(text) and _is_han(text[0])
