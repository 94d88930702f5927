"""The Chinese catalogue is complete and the compiled .mo matches the .po."""

import gettext
import re
from dataclasses import dataclass
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: str = ""  # msgstr, or msgstr[0] of a plural entry (Chinese has one form)


def po_entries(path: Path) -> list[Entry]:
    """The entries of a .po file (enough of the format for what makemessages writes):
    contexts, plurals and continued lines; fuzzy entries and the header are left out."""
    entries: list[Entry] = []
    current, field, fuzzy = Entry(), None, False

    def flush():
        if current.msgid and not fuzzy:
            entries.append(current)

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            current.msgctxt, field = _unquote(line[8:]), "msgctxt"
        elif line.startswith("msgid_plural "):
            current.msgid_plural, field = _unquote(line[13:]), "msgid_plural"
        elif line.startswith("msgid "):
            current.msgid, field = _unquote(line[6:]), "msgid"
        elif line.startswith("msgstr[0] "):
            current.msgstr, field = _unquote(line[10:]), "msgstr"
        elif line.startswith("msgstr["):
            field = None  # further plural forms: Chinese needs none
        elif line.startswith("msgstr "):
            current.msgstr, field = _unquote(line[7:]), "msgstr"
        elif line.startswith('"') and field:
            setattr(current, field, (getattr(current, field) or "") + _unquote(line))
        elif not line.strip():
            flush()
            current, field, fuzzy = Entry(), None, False
    return entries


def _unquote(text: str) -> str:
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text.strip()[1:-1])


def _placeholders(text: str | None) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", text or ""))


def test_every_message_is_translated_into_chinese():
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 100
    assert any(e.msgctxt for e in entries) and any(e.msgid_plural for e in entries)
    untranslated = [e.msgid for e in entries if not e.msgstr]
    assert not untranslated, untranslated


def test_the_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for e in po_entries(LOCALE / "django.po"):
        if e.msgid_plural is not None:
            got = (compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 1) if e.msgctxt
                   else compiled.ngettext(e.msgid, e.msgid_plural, 1))
        else:
            got = compiled.pgettext(e.msgctxt, e.msgid) if e.msgctxt else compiled.gettext(e.msgid)
        if got != e.msgstr:
            stale.append(e.msgid)
    assert not stale, f"run `make messages`: {stale[:5]}"


def test_placeholders_survive_translation():
    for e in po_entries(LOCALE / "django.po"):
        if e.msgid_plural is not None:
            # The one Chinese form stands for the plural: it has the plural's placeholders.
            assert _placeholders(e.msgstr) == _placeholders(e.msgid_plural), e.msgid
        else:
            assert _placeholders(e.msgstr) == _placeholders(e.msgid), e.msgid
