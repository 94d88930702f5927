"""The Chinese catalogue is complete and the compiled .mo matches the .po."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (enough of the format for what makemessages writes)."""
    entries, current, field = {}, {"msgid": "", "msgstr": ""}, None
    fuzzy = False

    def flush():
        if current["msgid"] and not fuzzy:
            entries[current["msgid"]] = current["msgstr"]

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            flush()
            current, field = {"msgid": "", "msgstr": ""}, "msgid"
            current[field] = _unquote(line[6:])
        elif line.startswith("msgstr "):
            field = "msgstr"
            current[field] = _unquote(line[7:])
        elif line.startswith('"') and field:
            current[field] += _unquote(line)
        elif not line.strip():
            flush()
            current, field, fuzzy = {"msgid": "", "msgstr": ""}, None, False
    return entries


def _unquote(text: str) -> str:
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text.strip()[1:-1])


def test_every_message_is_translated_into_chinese():
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert not untranslated, untranslated


def test_the_compiled_catalogue_matches_the_source():
    entries = po_entries(LOCALE / "django.po")
    with open(LOCALE / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [msgid for msgid, msgstr in entries.items() if compiled.gettext(msgid) != msgstr]
    assert not stale, f"run `make messages`: {stale[:5]}"


def test_placeholders_survive_translation():
    for msgid, msgstr in po_entries(LOCALE / "django.po").items():
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr)), msgid
