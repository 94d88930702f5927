"""A participant list from Excel, all or nothing.

The first sheet's first row names the columns, in Chinese or English (the export's headers are
accepted as they are); `name_latin` and `country` are required. Every row is checked before
anything is written; any problem refuses the whole file, naming the row (as Excel numbers it)
and the column. Each row becomes a contact (an existing one is reused when the Latin name and
email match), the delegation of its party (or country) in the event, and the participant.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

import openpyxl
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from branchwork.core import imports
from branchwork.exchanges import countries, services
from branchwork.exchanges.models import Contact, Event, ParticipantStatus, Party

# key → the column's English header (its Chinese one comes from the catalogue).
COLUMNS = {
    "name_native": gettext_noop("Name in own script"),
    "name_latin": gettext_noop("Name in Latin letters"),
    "name_zh": gettext_noop("Chinese rendering"),
    "country": gettext_noop("Country"),
    "party": gettext_noop("Party"),
    "status": gettext_noop("Status"),
    "interpretation": gettext_noop("Interpretation language"),
    "dietary": gettext_noop("Dietary needs"),
    "access": gettext_noop("Access needs"),
    "email": gettext_noop("Email"),
    "passport_number": gettext_noop("Passport number"),
    "date_of_birth": gettext_noop("Date of birth"),
}
REQUIRED = ("name_latin", "country")
IGNORED = (gettext_noop("Badge code"),)  # the export's column, not read back


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str


class Refused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def _headers() -> dict[str, str]:
    names = {}
    for key, english in COLUMNS.items():
        names[english.casefold()] = key
        names[key] = key
        with translation.override("zh-hans"):
            names[_(english)] = key
    for english in IGNORED:
        names[english.casefold()] = ""
        with translation.override("zh-hans"):
            names[_(english)] = ""
    return names


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _country_lookup() -> dict[str, str]:
    table = {}
    for c in countries.current_countries():
        for key in (c.alpha3, c.alpha2, c.name_zh, c.name_en):
            if key:
                table[key.casefold()] = c.alpha3
    return table


def _statuses() -> dict[str, str]:
    table = {}
    for value, label in ParticipantStatus.choices:
        table[value] = value
        with translation.override("en"):
            table[str(label).casefold()] = value
        with translation.override("zh-hans"):
            table[str(label)] = value
    return table


def read(data: bytes) -> list[dict]:
    """The rows as dicts of checked values; raises Refused with every problem."""
    imports.check_size(data)
    imports.check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise Refused([Problem(1, "", _("The file is not an Excel workbook (.xlsx)."))]) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    known = _headers()
    keys, problems = [], []
    for name in header:
        text = _text(name)
        key = known.get(text, known.get(text.casefold()))
        if key is None and text:
            problems.append(Problem(1, text, _("unknown column")))
        keys.append(key or "")
    for required in REQUIRED:
        if required not in keys:
            problems.append(Problem(1, _(COLUMNS[required]), _("the column is missing")))
    if problems:
        raise Refused(problems)
    country_of, status_of = _country_lookup(), _statuses()
    records = []
    limit = imports.limits()["rows"]
    for row_no, values in enumerate(rows, start=2):
        if row_no > limit + 1:
            raise Refused([Problem(row_no, "", _("The file has more than %(max)s rows.") % {"max": limit})])
        cells = {k: v for k, v in zip(keys, values) if k}
        if not any(_text(v) for v in cells.values()):
            continue
        record = {k: _text(cells.get(k)) for k in COLUMNS if k != "date_of_birth"}

        def problem(key, message, row_no=row_no):
            problems.append(Problem(row_no, _(COLUMNS[key]), message))

        if not record["name_latin"]:
            problem("name_latin", _("a value is required"))
        code = country_of.get(record["country"].casefold())
        if code is None:
            problem("country", _("unknown country %(value)r") % {"value": record["country"]})
        record["country"] = code or ""
        if record["status"]:
            status = status_of.get(record["status"], status_of.get(record["status"].casefold()))
            if status is None:
                problem("status", _("unknown status %(value)r") % {"value": record["status"]})
            record["status"] = status or ""
        else:
            record["status"] = ParticipantStatus.INVITED
        born = cells.get("date_of_birth")
        if isinstance(born, datetime.datetime):
            born = born.date()
        elif born not in (None, ""):
            try:
                born = datetime.date.fromisoformat(_text(born))
            except ValueError:
                problem("date_of_birth", _("%(value)r is not a date (YYYY-MM-DD)") % {"value": _text(born)})
                born = None
        record["date_of_birth"] = born or None
        for key, limit_chars in (("name_native", 200), ("name_latin", 200), ("name_zh", 100),
                                 ("passport_number", 30), ("dietary", 200), ("access", 200),
                                 ("interpretation", 50)):
            if len(record[key]) > limit_chars:
                problem(key, _("longer than %(max)s characters") % {"max": limit_chars})
        record["row"] = row_no
        records.append(record)
    _resolve_parties(records, problems)
    if problems:
        raise Refused(problems)
    return records


def _resolve_parties(records: list[dict], problems: list[Problem]) -> None:
    named = {r["party"] for r in records if r["party"]}
    if not named:  # no party named (or no such column): every delegation is its country's
        for record in records:
            record["party"] = None
        return
    parties = Party.objects.filter(country__in={r["country"] for r in records})
    index: dict[tuple[str, str], list[Party]] = {}
    for party in parties:
        for name in {party.name_zh, party.name_en, party.name_native, party.name_short} - {""}:
            index.setdefault((party.country, name.casefold()), []).append(party)
    for record in records:
        if not record["party"]:
            record["party"] = None
            continue
        found = index.get((record["country"], record["party"].casefold()), [])
        if len(found) != 1:
            message = (_("no party of that name in this country") if not found
                       else _("several parties have this name; use the full name"))
            problems.append(Problem(record["row"], _(COLUMNS["party"]), message))
            record["party"] = None
        else:
            record["party"] = found[0]


@transaction.atomic
def import_participants(*, by, event: Event, data: bytes) -> int:
    """Add the file's participants to the event; returns how many. All or nothing."""
    records = read(data)
    delegations = {(d.party_id, d.country if d.party_id is None else ""): d
                   for d in event.delegations.all()}
    seen = set(event.participants.values_list("contact_id", flat=True))
    problems = []
    for record in records:
        party = record["party"]
        key = (party.pk if party else None, "" if party else record["country"])
        delegation = delegations.get(key)
        if delegation is None:
            delegation = services.delegation_add(by=by, event=event, country=record["country"], party=party)
            delegations[key] = delegation
        contact = None
        if record["email"]:
            contact = Contact.objects.filter(name_latin=record["name_latin"], email=record["email"]).first()
        if contact is None:
            contact = services.contact_create(
                by=by, name_native=record["name_native"], name_latin=record["name_latin"],
                name_zh=record["name_zh"], party=party, email=record["email"])
        if contact.pk in seen:
            problems.append(Problem(record["row"], _(COLUMNS["name_latin"]),
                                    _("this guest is already a participant of the event")))
            continue
        seen.add(contact.pk)
        services.participant_add(
            by=by, event=event, contact=contact, delegation=delegation, status=record["status"],
            interpretation=record["interpretation"], dietary=record["dietary"],
            access_needs=record["access"], passport_number=record["passport_number"],
            date_of_birth=record["date_of_birth"])
    if problems:
        raise Refused(problems)
    return len(records)


