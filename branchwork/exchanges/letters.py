"""Visa invitation letters as PDF (Typst, through the document toolkit), bilingual: the Chinese
letter first, the English one below it, with the guest's names in every form (own script, Latin
as in the passport, Chinese), the event, its dates and place, and the passport data while the
event keeps it. Names are set in the badges' font list with per-character fallback, and a name
no font can print is refused (`badges.MissingGlyphs`) rather than printed as boxes.

Only approved letters are built for download or mail (`services_letters`); this module builds
whatever it is given.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from django.utils import timezone

from branchwork.documents.typst import TypstRoot
from branchwork.exchanges import countries
from branchwork.exchanges.badges import MissingGlyphs, missing_glyphs
from branchwork.exchanges.models import Event, Participant
from branchwork.exchanges.programme_models import Letter, LetterTemplate
from branchwork.exchanges.services_programme import dates_en, dates_zh, fill

TEMPLATE = Path(__file__).resolve().parent / "typst" / "letters.typ"

DEFAULT_BODY_ZH = ("{name}：\n\n兹邀请您于{dates}来华出席{event}，地点：{place}。"
                   "您在华期间的会务安排由我方负责。\n\n请凭此函向中国驻外使领馆申请签证。")
DEFAULT_BODY_EN = ("Dear {name},\n\nWe are pleased to invite you to China to attend {event}, "
                   "held in {place} on {dates}. We shall be responsible for your programme during the visit.\n\n"
                   "Please present this letter to the Chinese embassy or consulate when applying for your visa.")


def letter_template(event: Event) -> LetterTemplate:
    """The event's letter template, or the default texts (unsaved)."""
    try:
        return event.letter_template
    except LetterTemplate.DoesNotExist:
        return LetterTemplate(event=event, body_zh=DEFAULT_BODY_ZH, body_en=DEFAULT_BODY_EN,
                              signatory_zh=event.host or "", signatory_en=event.host or "")


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _date_zh(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def letter_data(letter: Letter, template: LetterTemplate, *, today: datetime.date) -> dict:
    participant: Participant = letter.participant
    event, contact, delegation = participant.event, participant.contact, participant.delegation
    day = timezone.localdate(letter.approved_at) if letter.approved_at else today
    country = countries.get(delegation.country) if delegation else None
    party = delegation.party if delegation and delegation.party_id else None
    zh = {"name": contact.name_zh or contact.name_latin, "event": event.title_zh,
          "dates": dates_zh(event.starts_on, event.ends_on), "place": event.place}
    en = {"name": contact.name_latin, "event": event.title_en or event.title_zh,
          "dates": dates_en(event.starts_on, event.ends_on), "place": event.place}
    facts = [["姓名 Name", contact.name_native or contact.name_latin]]
    if contact.name_native and contact.name_native != contact.name_latin:
        facts.append(["护照姓名 Name in passport", contact.name_latin])
    if contact.name_zh:
        facts.append(["中文译名 Chinese name", contact.name_zh])
    if country is not None:
        facts.append(["国家 Country", f"{country.name_zh} {country.name_en}"])
    if party is not None:
        facts.append(["政党 Party", " ".join(x for x in (party.name_zh, party.name_en or party.name_native) if x)])
    if participant.passport_number:
        facts.append(["护照号码 Passport No.", participant.passport_number])
    if participant.date_of_birth:
        facts.append(["出生日期 Date of birth", participant.date_of_birth.isoformat()])
    facts.append(["会议 Event", " ".join(x for x in (event.title_zh, event.title_en) if x)])
    facts.append(["日期 Dates", f"{dates_zh(event.starts_on, event.ends_on)} {dates_en(event.starts_on, event.ends_on)}"])
    return {
        "host": event.host,
        "heading_zh": "邀请函", "heading_en": "Letter of Invitation",
        "number": f"No. {event.pk}-{letter.pk:04d}",
        "facts": facts,
        "body_zh": _paragraphs(fill(template.body_zh, zh)),
        "body_en": _paragraphs(fill(template.body_en, en)),
        "signatory_zh": template.signatory_zh, "signatory_en": template.signatory_en,
        "date_zh": _date_zh(day), "date_en": f"{day.day} {dates_en(day, day).split(' ', 1)[1]}",
    }


def letters_pdf(letters: Sequence[Letter], *, today: datetime.date | None = None) -> bytes:
    """The letters as one PDF, a page (or more) each; all of one event."""
    today = today or timezone.localdate()
    if not letters:
        raise ValueError("no letters")
    template = letter_template(letters[0].participant.event)
    pages = [letter_data(letter, template, today=today) for letter in letters]
    texts = [v for page in pages for v in (*(r[1] for r in page["facts"]), *page["body_zh"], *page["body_en"],
                                           page["signatory_zh"], page["signatory_en"], page["host"])]
    missing = missing_glyphs(texts)
    if missing:
        raise MissingGlyphs(missing)
    event = letters[0].participant.event
    with TypstRoot(TEMPLATE, prefix="letters-") as root:
        return root.compile(lambda usable: {"title": f"邀请函 Letter of Invitation — {event.title_zh}",
                                            "letters": pages})
