"""Badges and table cards: every name in its own script, read back from the PDF; no character
without a font; long names fitted; a sheet rendered to PNG for people to look at."""

import subprocess
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings

from branchwork.documents import fonts
from branchwork.exchanges import badges, services
from branchwork.exchanges.testing import NAMES, exchanges_world

SCREENSHOTS = Path(settings.REPO_DIR) / "test-artifacts" / "screenshots"


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "badges.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def in_order(word: str, text: str) -> bool:
    """`word`'s characters in order within a stretch of `text` at most three times its length.
    Poppler reads a cluster of a complex script (Thai, Khmer, Arabic, Devanagari: a consonant
    with its marks) twice from Typst's PDF, once from the glyphs and once from the cluster's
    text, so "ใจดี" comes out "ใจดีดี"; the name's letters are all there, in order."""
    for start in (i for i, ch in enumerate(text) if ch == word[0]):
        window, pos = text[start:start + 3 * len(word)], 0
        for ch in window:
            if pos < len(word) and ch == word[pos]:
                pos += 1
        if pos == len(word):
            return True
    return False


def squeeze(text: str) -> str:
    """Text as a reader compares it: NFC, without spaces and line breaks (a fitted name may wrap,
    pdftotext puts Arabic words in visual order: words are compared one by one)."""
    return "".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture
def world(personas):
    return exchanges_world(personas)


def test_every_name_is_in_the_pdf_in_its_own_script(world, tmp_path):
    pdf = badges.badges_pdf(world.event, world.participants)
    text = squeeze(pdf_text(pdf, tmp_path))
    for native, latin, zh, _country in NAMES:
        for word in native.split():
            if word.isascii() or all(unicodedata.name(ch).startswith(("CYRILLIC", "CJK", "LATIN"))
                                     for ch in word if ch.isalpha()):
                assert squeeze(word) in text, (native, word)  # exactly as stored
            else:
                assert in_order(squeeze(word), text), (native, word)
        assert squeeze(zh) in text
        assert squeeze(latin) in text
    for participant in world.participants:
        assert participant.badge_code in text


def test_no_stored_name_lacks_a_font(world):
    stored = [t for p in world.participants for t in (p.contact.name_native, p.contact.name_zh, p.contact.name_latin)]
    assert badges.missing_glyphs(stored) == {}


def test_a_font_list_without_khmer_is_caught(world):
    without_khmer = [f for f in fonts.sans() if "Khmer" not in f]
    missing = badges.missing_glyphs(["សុខ ចាន់ថា", "Anna"], families=without_khmer)
    assert set(missing) == set("សុខចាន់ថា") - {" "}


def test_a_name_no_font_can_print_is_refused(world):
    contact = world.participants[0].contact
    services.contact_update(by=None, contact=contact, name_native="𓀀𓀁 Somchai")  # Egyptian hieroglyphs
    world.participants[0].contact.refresh_from_db()
    with pytest.raises(badges.MissingGlyphs) as refused:
        badges.badges_pdf(world.event, world.participants)
    assert set(refused.value.missing) == {"𓀀", "𓀁"}


def test_table_cards_and_single_badges_carry_the_names(world, tmp_path):
    for kind in (badges.TABLE_CARD, badges.SINGLE):
        text = squeeze(pdf_text(badges.badges_pdf(world.event, world.participants, kind=kind), tmp_path))
        assert squeeze("颂猜·再迪") in text
        assert squeeze("Анна") in text


def test_a_badge_sheet_rendered_to_png(world, tmp_path):
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(badges.badges_pdf(world.event, world.participants))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "exchanges-badge-sheet"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(target)], check=True)
    assert (SCREENSHOTS / "exchanges-badge-sheet.png").stat().st_size > 10_000
