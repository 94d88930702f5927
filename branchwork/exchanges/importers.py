"""Importers of the party knowledge base: Party Facts' core party table (with its Wikidata link
table) and ParlGov's party table (with its country table, and optionally its party families).

All or nothing: the whole file is read and checked first; any problem refuses the file, naming
the row (as a spreadsheet numbers it: the header is row 1) and the column, and nothing is
written. Re-runnable: a party is found again by its identifier in the source (Party Facts id,
ParlGov id) and updated; the same file imported twice changes nothing. A field staff have edited
by hand (`Party.staff_edited`) is never overwritten: when the source says otherwise, the report
lists the conflict (party, field, our value, theirs) and our value stays.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from branchwork.core import audit, imports
from branchwork.exchanges import countries
from branchwork.exchanges.models import Party, PartyFamily

PARTYFACTS = "partyfacts"
PARLGOV = "parlgov"
SOURCES = (PARTYFACTS, PARLGOV)

PARTYFACTS_COLUMNS = ("country", "partyfacts_id", "technical", "name_short", "name",
                      "name_english", "name_other", "year_first", "year_last", "wikipedia")
WIKIDATA_COLUMNS = ("partyfacts_id", "wikidata_id")
PARLGOV_COLUMNS = ("id", "country_id", "family_id", "name_short", "name_english", "name",
                   "name_nonlatin", "wikipedia")
PARLGOV_COUNTRY_COLUMNS = ("id", "name_short")
PARLGOV_FAMILY_COLUMNS = ("id", "name_short")
# ParlGov's family short names → ours.
PARLGOV_FAMILIES = {
    "com": PartyFamily.COMMUNIST, "soc": PartyFamily.SOCIAL_DEMOCRATIC, "eco": PartyFamily.GREEN,
    "lib": PartyFamily.LIBERAL, "chr": PartyFamily.CHRISTIAN_DEMOCRATIC,
    "con": PartyFamily.CONSERVATIVE, "agr": PartyFamily.AGRARIAN, "right": PartyFamily.RIGHT_WING,
    "spec": PartyFamily.SPECIAL_ISSUE, "none": PartyFamily.OTHER,
}
MAX_LENGTHS = {"name_native": 300, "name_en": 300, "name_short": 60, "wikipedia": 500}
YEARS = (1600, 2100)
_LANGUAGE_PREFIX = re.compile(r"^\s*[A-Za-z][A-Za-z .()-]{1,40}:\s*")
_DIRECTION_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("%(file)s, row %(row)s, column %(column)s: %(message)s") % {
            "file": self.file, "row": self.row, "column": self.column, "message": self.message}


class ImportRefused(Exception):
    """The file was refused whole; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class FieldConflict:
    party: Party
    field: str
    ours: object
    theirs: object

    def __str__(self) -> str:
        return _("%(party)s (%(country)s), %(field)s: kept ours %(ours)r, the source says %(theirs)r") % {
            "party": self.party.display_name, "country": self.party.country,
            "field": self.field, "ours": self.ours, "theirs": self.theirs}


@dataclass
class Report:
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # placeholder rows of the source ("other", "independents")
    conflicts: list[FieldConflict] = field(default_factory=list)


# --- Reading ---


class _Reader:
    def __init__(self, name: str, data: bytes | str, required: tuple[str, ...]):
        self.name = name
        self.problems: list[Problem] = []
        if isinstance(data, bytes):
            imports.check_size(data)
            data = imports.decode(data).text
        reader = csv.DictReader(io.StringIO(data, newline=""))
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        for column in missing:
            self.problems.append(Problem(name, 1, column, _("the column is missing")))
        reader.fieldnames = header
        self.rows = [] if missing else list(enumerate(reader, start=2))
        if len(self.rows) > imports.limits()["rows"] * 2:
            raise imports.TooMuch(_("The file has more than %(max)s rows.") % {"max": imports.limits()["rows"] * 2})

    def problem(self, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(self.name, row, column, message))

    def text(self, row_no: int, row: dict, column: str, target: str | None = None) -> str:
        value = _DIRECTION_MARKS.sub("", (row.get(column) or "")).strip()
        limit = MAX_LENGTHS.get(target or column)
        if limit and len(value) > limit:
            self.problem(row_no, column, _("longer than %(max)s characters") % {"max": limit})
        return value

    def integer(self, row_no: int, row: dict, column: str, *, required: bool = False) -> int | None:
        value = (row.get(column) or "").strip()
        if not value:
            if required:
                self.problem(row_no, column, _("a value is required"))
            return None
        try:
            number = int(value)
        except ValueError:
            self.problem(row_no, column, _("%(value)r is not a whole number") % {"value": value})
            return None
        if number < 0:
            self.problem(row_no, column, _("%(value)r is negative") % {"value": value})
            return None
        return number

    def year(self, row_no: int, row: dict, column: str) -> int | None:
        year = self.integer(row_no, row, column)
        if year is not None and not YEARS[0] <= year <= YEARS[1]:
            self.problem(row_no, column, _("%(value)s is not a year") % {"value": year})
            return None
        return year

    def country(self, row_no: int, column: str, code: str) -> str:
        code = (code or "").strip().upper()
        if countries.get(code) is None:
            self.problem(row_no, column, _("unknown country code %(code)r") % {"code": code})
        return code

    def url(self, row_no: int, row: dict, column: str) -> str:
        value = self.text(row_no, row, column, "wikipedia")
        if value:
            try:
                URLValidator()(value)
            except ValidationError:
                self.problem(row_no, column, _("%(value)r is not a web address") % {"value": value})
        return value

    def unique(self, seen: dict, row_no: int, column: str, key) -> None:
        if key is None:
            return
        if key in seen:
            self.problem(row_no, column, _("%(value)s appears again (first in row %(row)s)")
                         % {"value": key, "row": seen[key]})
        else:
            seen[key] = row_no


def _native(name: str, other: str) -> str:
    """The name in its own script: Party Facts' `name_other` ("Pashto: … / …"), first form,
    without the language label; else the name as the source gives it."""
    if other:
        first = other.split(" / ")[0].split(";")[0]
        first = _LANGUAGE_PREFIX.sub("", first).strip()
        if first:
            return first[:300]
    return name


def read_partyfacts(data: bytes | str, *, wikidata: bytes | str | None = None,
                    name: str = "partyfacts") -> tuple[list[dict], int]:
    """(records, placeholders skipped); raises ImportRefused naming every problem."""
    reader = _Reader(name, data, PARTYFACTS_COLUMNS)
    links: dict[int, str] = {}
    link_reader = None
    if wikidata is not None:
        link_reader = _Reader(f"{name} (Wikidata)", wikidata, WIKIDATA_COLUMNS)
        for row_no, row in link_reader.rows:
            pf = link_reader.integer(row_no, row, "partyfacts_id", required=True)
            qid = (row.get("wikidata_id") or "").strip()
            if qid and not re.fullmatch(r"Q[1-9][0-9]*", qid):
                link_reader.problem(row_no, "wikidata_id", _("%(value)r is not a Wikidata id") % {"value": qid})
            elif pf is not None and qid:
                links[pf] = qid
    records, seen, skipped = [], {}, 0
    for row_no, row in reader.rows:
        pf = reader.integer(row_no, row, "partyfacts_id", required=True)
        reader.unique(seen, row_no, "partyfacts_id", pf)
        if (row.get("technical") or "").strip():
            skipped += 1
            continue
        country = reader.country(row_no, "country", row.get("country", ""))
        founded = reader.year(row_no, row, "year_first")
        dissolved = reader.year(row_no, row, "year_last")
        if founded and dissolved and dissolved < founded:
            reader.problem(row_no, "year_last", _("before the first year (%(year)s)") % {"year": founded})
        native_name = reader.text(row_no, row, "name", "name_native")
        record = {
            "partyfacts_id": pf,
            "country": country,
            "name_native": _native(native_name, reader.text(row_no, row, "name_other", "name_native")),
            "name_en": reader.text(row_no, row, "name_english", "name_en"),
            "name_short": reader.text(row_no, row, "name_short"),
            "founded": founded,
            "dissolved": dissolved,
            "wikipedia": reader.url(row_no, row, "wikipedia"),
        }
        if not (record["name_native"] or record["name_en"] or record["name_short"]):
            reader.problem(row_no, "name", _("the party has no name"))
        if wikidata is not None:
            record["wikidata_id"] = links.get(pf, "")
        records.append(record)
    problems = reader.problems + (link_reader.problems if link_reader else [])
    if problems:
        raise ImportRefused(problems)
    return records, skipped


def read_parlgov(data: bytes | str, *, countries_data: bytes | str,
                 families_data: bytes | str | None = None, name: str = "party.csv",
                 countries_name: str = "country.csv") -> list[dict]:
    country_reader = _Reader(countries_name, countries_data, PARLGOV_COUNTRY_COLUMNS)
    country_codes: dict[int, str] = {}
    for row_no, row in country_reader.rows:
        cid = country_reader.integer(row_no, row, "id", required=True)
        code = country_reader.country(row_no, "name_short", row.get("name_short", ""))
        if cid is not None:
            country_codes[cid] = code
    family_codes: dict[int, str] = {}
    family_reader = None
    if families_data is not None:
        family_reader = _Reader("party_family.csv", families_data, PARLGOV_FAMILY_COLUMNS)
        for row_no, row in family_reader.rows:
            fid = family_reader.integer(row_no, row, "id", required=True)
            short = (row.get("name_short") or "").strip().lower()
            if short not in PARLGOV_FAMILIES:
                family_reader.problem(row_no, "name_short", _("unknown party family %(value)r") % {"value": short})
            elif fid is not None:
                family_codes[fid] = PARLGOV_FAMILIES[short]
    reader = _Reader(name, data, PARLGOV_COLUMNS)
    records, seen = [], {}
    for row_no, row in reader.rows:
        pid = reader.integer(row_no, row, "id", required=True)
        reader.unique(seen, row_no, "id", pid)
        cid = reader.integer(row_no, row, "country_id", required=True)
        if cid is not None and cid not in country_codes:
            reader.problem(row_no, "country_id", _("no country with id %(value)s in %(file)s")
                           % {"value": cid, "file": countries_name})
        fid = reader.integer(row_no, row, "family_id")
        if family_reader is not None and fid is not None and fid not in family_codes:
            reader.problem(row_no, "family_id", _("no party family with id %(value)s") % {"value": fid})
        name_latin = reader.text(row_no, row, "name", "name_native")
        record = {
            "parlgov_id": pid,
            "country": country_codes.get(cid, ""),
            "name_native": reader.text(row_no, row, "name_nonlatin", "name_native") or name_latin,
            "name_en": reader.text(row_no, row, "name_english", "name_en"),
            "name_short": reader.text(row_no, row, "name_short"),
            "wikipedia": reader.url(row_no, row, "wikipedia"),
        }
        if family_reader is not None:
            record["family"] = family_codes.get(fid, "")
        if not (record["name_native"] or record["name_en"]):
            reader.problem(row_no, "name", _("the party has no name"))
        records.append(record)
    problems = country_reader.problems + (family_reader.problems if family_reader else []) + reader.problems
    if problems:
        raise ImportRefused(problems)
    return records


# --- Writing ---


@transaction.atomic
def apply(records: list[dict], *, key: str, source: str, by=None) -> Report:
    """Create or update the parties of `records`, found by `key`; staff edits kept."""
    report = Report(source=source)
    with audit.acting_as(by, source=f"import:{source}"):
        existing = {getattr(p, key): p for p in Party.objects.filter(
            **{f"{key}__in": [r[key] for r in records]})}
        new, changed, fields_changed = [], [], set()
        for record in records:
            party = existing.get(record[key])
            if party is None:
                party = Party(**record)
                party.full_clean(validate_unique=False, validate_constraints=False)
                new.append(party)
                continue
            dirty = False
            for name, theirs in record.items():
                if name == key:
                    continue
                ours = getattr(party, name)
                if ours == theirs:
                    continue
                if name in party.staff_edited:
                    report.conflicts.append(FieldConflict(party, name, ours, theirs))
                    continue
                setattr(party, name, theirs)
                fields_changed.add(name)
                dirty = True
            if dirty:
                party.full_clean(validate_unique=False, validate_constraints=False)
                changed.append(party)
            else:
                report.unchanged += 1
        audit.bulk_create(Party, new)
        if changed:
            audit.bulk_update(changed, sorted(fields_changed))
        report.created, report.updated = len(new), len(changed)
    return report


def import_partyfacts(data: bytes | str, *, wikidata: bytes | str | None = None, by=None) -> Report:
    records, skipped = read_partyfacts(data, wikidata=wikidata)
    report = apply(records, key="partyfacts_id", source=PARTYFACTS, by=by)
    report.skipped = skipped
    return report


def import_parlgov(data: bytes | str, *, countries_data: bytes | str,
                   families_data: bytes | str | None = None, by=None) -> Report:
    records = read_parlgov(data, countries_data=countries_data, families_data=families_data)
    return apply(records, key="parlgov_id", source=PARLGOV, by=by)
