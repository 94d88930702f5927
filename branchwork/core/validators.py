"""Text that may be stored: no control characters, no lone surrogates.

One rule for every way text comes in (forms, the API, the importers): a NUL or another control
character is refused with a message naming it, because such text breaks what comes after it
(PostgreSQL refuses NUL outright; Excel and XML refuse the C0 controls, so an export of a record
holding one fails; a lone surrogate cannot be encoded as UTF-8 at all). Tab, line feed and
carriage return are ordinary text and stay allowed.

    control_characters(text)   → the offending characters, in order of appearance (none: [])
    validate_plain_text(value) → raises django.core.exceptions.ValidationError
    problem(text)              → the translated sentence, or "" when the text is fine
    clean_text(text)           → the text with the offending characters removed (for mail,
                                 which is cleaned rather than refused: a sender cannot retype it)
    find_in(data)              → (path, problem) for every string nested in parsed JSON

Where it is wired: every forms.CharField (core.apps), every API request body (api.parsers),
the activity importer (each cell) and the article importer (each field).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# C0 controls except tab, LF and CR; DEL; the C1 controls; lone surrogates; the two
# non-characters U+FFFE and U+FFFF (XML refuses them too).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def control_characters(text: str) -> list[str]:
    return _CONTROL.findall(text) if isinstance(text, str) else []


def _name(char: str) -> str:
    return f"U+{ord(char):04X}"


def problem(text) -> str:
    """The translated sentence saying what is wrong with `text`, or ""."""
    found = control_characters(text)
    if not found:
        return ""
    names = ", ".join(dict.fromkeys(_name(c) for c in found))
    return ngettext(
        "contains a control character (%(names)s) that cannot be stored; retype the text or "
        "remove the character.",
        "contains %(count)s control characters (%(names)s) that cannot be stored; retype the "
        "text or remove them.",
        len(found),
    ) % {"count": len(found), "names": names}


def validate_plain_text(value) -> None:
    """A validator for forms and serializers: refuses text with control characters."""
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValidationError(
            _("This text %(problem)s") % {"problem": problem(value)}, code="control_characters"
        )


def clean_text(text: str) -> str:
    return _CONTROL.sub("", text)


def find_in(data, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in parsed JSON (keys included) that holds a control character."""
    if isinstance(data, str):
        if why := problem(data):
            yield path, why
    elif isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (why := problem(key)):
                yield where, why
            yield from find_in(value, where)
    elif isinstance(data, (list, tuple)):
        for index, value in enumerate(data):
            yield from find_in(value, f"{path}[{index}]" if path else str(index))


# --- Numbers and dates that come in as text ---

# The largest id a database key holds (PostgreSQL bigint, SQLite INTEGER): a larger number in a
# query or an address names nothing, and must not reach the database, which answers with an
# error rather than with no rows.
MAX_ID = 2**63 - 1
# The earliest year a moment is accepted in: before it, the time zone database gives local mean
# time (Asia/Shanghai: +08:05:43), an offset no client reads, and no record of ours is that old.
MIN_YEAR = 1900


def parse_id(value) -> int | None:
    """A database id from text or a number, or None ("12" → 12; "²", "-1", "1e3", huge → None)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
        return number if 0 < number <= MAX_ID else None
    return None


def validate_year(value) -> None:
    """Refuses a date or moment before MIN_YEAR."""
    if value is not None and value.year < MIN_YEAR:
        raise ValidationError(_("Dates before %(year)s cannot be recorded.") % {"year": MIN_YEAR},
                              code="too_early")
