"""Import of past outputs from a spreadsheet (CSV or XLSX): `branchwork import_outputs FILE`.

One output a row; headers in Chinese or English (COLUMNS); all or nothing: every row is checked
first, and any problem, named by its row and column, refuses the whole file with nothing
written. Then the rows are written through research.services, as a coordinator would, in one
transaction. The file's limits and text encodings are core.imports'. Columns are documented in
docs/IMPORT.md.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branchwork.core import audit, imports
from branchwork.core.models import Organization, Person
from branchwork.research import services
from branchwork.research.models import Level, Outlet, OutputKind, Topic

# field → the headers that name it (English, Chinese), compared without case or spaces.
COLUMNS = {
    "org": ("organization", "组织代码"),
    "kind": ("kind", "类别"),
    "title": ("title", "标题"),
    "title_en": ("title in english", "英文标题"),
    "date": ("date", "日期"),
    "authors": ("authors", "作者"),
    "classification": ("classification", "密级"),
    "topic": ("topic", "课题"),
    "recipient": ("submitted to", "报送对象"),
    "level": ("level", "报送层级"),
    "submitted_on": ("submitted on", "报送日期"),
    "outlet": ("outlet", "发表媒体"),
    "published_on": ("published on", "发表日期"),
    "page": ("page or address", "版面或网址"),
}
REQUIRED = ("org", "kind", "title", "date", "authors")
CLASSIFICATIONS = {"public": "public", "公开": "public", "internal": "internal", "内部": "internal",
                   "restricted": "restricted", "限定范围": "restricted", "classified": "classified",
                   "涉密": "classified"}
LEVELS = {"central": Level.CENTRAL, "中央": Level.CENTRAL, "ministry": Level.MINISTRY,
          "部委": Level.MINISTRY, "other": Level.OTHER, "其他": Level.OTHER}
AUTHOR_SEPARATORS = re.compile(r"[、,，;；]")


@dataclass
class Problem:
    row: int  # as the spreadsheet numbers it (the header is row 1)
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Result:
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    encoding: str = ""


class Refused(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _key(header) -> str:
    return re.sub(r"\s+", " ", str(header or "")).strip().lower()


_BY_HEADER = {_key(h): name for name, headers in COLUMNS.items() for h in headers}


def read_table(data: bytes, filename: str) -> tuple[list[list[str]], str]:
    """The rows of the file as text (header first), and the encoding (\"xlsx\" for a workbook)."""
    imports.check_size(data)
    lim = imports.limits()
    if filename.lower().endswith(".xlsx"):
        import openpyxl

        imports.check_zip(data)
        try:
            sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            raise Refused([Problem(1, "-", _("The file is not a readable XLSX workbook."))]) from exc
        rows = []
        for row in sheet.iter_rows(values_only=True):
            if len(rows) > lim["rows"]:
                raise imports.TooMuch(_("The file has more than %(max)s rows.") % {"max": lim["rows"]})
            rows.append(["" if v is None else (v.isoformat()[:10] if isinstance(v, (datetime.date, datetime.datetime)) else str(v))
                         for v in row[:lim["columns"]]])
        return rows, "xlsx"
    decoded = imports.decode(data)
    rows = list(csv.reader(io.StringIO(decoded.text)))
    if len(rows) > lim["rows"]:
        raise imports.TooMuch(_("The file has more than %(max)s rows.") % {"max": lim["rows"]})
    return rows, decoded.encoding


def _day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value.strip().replace("/", "-"))


def check(rows: list[list[str]]) -> Result:
    """Every row read and checked against the database; nothing written."""
    result = Result()
    if not rows:
        result.problems.append(Problem(1, "-", _("The file is empty.")))
        return result
    header = [_BY_HEADER.get(_key(h)) for h in rows[0]]
    for i, raw in enumerate(rows[0]):
        if header[i] is None and _key(raw):
            result.problems.append(Problem(1, str(raw), _("Unknown column.")))
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in header]
    for name in missing:
        result.problems.append(Problem(1, name, _("This column is required.")))
    if result.problems:
        return result
    orgs = {o.code: o for o in Organization.objects.all()}
    kinds = {}
    for k in OutputKind.objects.all():
        for label in (k.code, k.name_zh, k.name_en):
            kinds[_key(label)] = k
    outlets = {}
    for o in Outlet.objects.all():
        outlets[_key(o.name)] = o
        if o.name_en:
            outlets[_key(o.name_en)] = o
    for number, raw in enumerate(rows[1:], start=2):
        if not any((v or "").strip() for v in raw):
            continue
        values = {name: (raw[i] if i < len(raw) else "").strip() for i, name in enumerate(header) if name}
        problems = []

        def refuse(name, message):
            problems.append(Problem(number, COLUMNS[name][0], message))

        for name in REQUIRED:
            if not values.get(name):
                refuse(name, _("A value is required."))
        row = {"values": values, "row": number}
        org = orgs.get(values.get("org", ""))
        if values.get("org") and org is None:
            refuse("org", _("No organization has this code."))
        row["org"] = org
        row["kind"] = kinds.get(_key(values.get("kind", "")))
        if values.get("kind") and row["kind"] is None:
            refuse("kind", _("Not a kind of output here (give its code or its name)."))
        for name in ("date", "submitted_on", "published_on"):
            if values.get(name):
                try:
                    row[name] = _day(values[name])
                except ValueError:
                    refuse(name, _("Not a date (write YYYY-MM-DD)."))
        label = values.get("classification", "") or "internal"
        row["classification"] = CLASSIFICATIONS.get(_key(label))
        if row["classification"] is None:
            refuse("classification", _("Write public, internal, restricted or classified."))
        if values.get("recipient"):
            row["level"] = LEVELS.get(_key(values.get("level", "")))
            if row["level"] is None:
                refuse("level", _("Write central, ministry or other."))
            if not values.get("submitted_on"):
                refuse("submitted_on", _("A submission needs its date."))
        if values.get("outlet"):
            row["outlet"] = outlets.get(_key(values["outlet"]))
            if row["outlet"] is None:
                refuse("outlet", _("Not in the list of outlets; add it there first."))
            if not values.get("published_on"):
                refuse("published_on", _("A publication needs its date."))
        row["topic"] = None
        if values.get("topic") and org is not None:
            row["topic"] = Topic.objects.filter(organization=org, title=values["topic"]).first()
            if row["topic"] is None:
                refuse("topic", _("The organization has no topic with this title."))
        result.problems.extend(problems)
        result.rows.append(row)
    if len(result.rows) > imports.limits()["records"]:
        result.problems.append(Problem(1, "-", _("The file has more than %(max)s records.")
                                       % {"max": imports.limits()["records"]}))
    return result


def _authors(names: str, org: Organization) -> list[Person | str]:
    """Names in order; a person of the organization when one (and only one) has the name."""
    wanted = [n.strip() for n in AUTHOR_SEPARATORS.split(names) if n.strip()]
    found: dict[str, list[Person]] = {}
    for person in Person.objects.filter(name__in=wanted, memberships__organization__path__startswith=org.path).distinct():
        found.setdefault(person.name, []).append(person)
    return [found[n][0] if len(found.get(n, [])) == 1 else n for n in wanted]


def run(data: bytes, filename: str, *, by, dry_run: bool = False) -> Result:
    """Check the whole file, then write every row (or, with a problem, none: raises Refused)."""
    try:
        rows, encoding = read_table(data, filename)
    except imports.TooMuch as exc:
        raise Refused([Problem(1, "-", str(exc))]) from None
    except imports.Undecodable:
        raise Refused([Problem(1, "-", _("The file's text encoding could not be recognized; save "
                                         "it as UTF-8."))]) from None
    result = check(rows)
    result.encoding = encoding
    if result.problems:
        raise Refused(result.problems)
    if dry_run:
        return result
    with transaction.atomic(), audit.acting_as(by, source="import"):
        for row in result.rows:
            v = row["values"]
            try:
                output = services.output_create(
                    by=by, organization=row["org"], kind=row["kind"], title=v["title"],
                    title_en=v.get("title_en", ""), completed_on=row["date"], topic=row["topic"],
                    classification=row["classification"], authors=_authors(v["authors"], row["org"]))
                if v.get("recipient"):
                    services.submission_create(by=by, output=output, recipient=v["recipient"],
                                               level=row["level"], submitted_on=row["submitted_on"])
                if v.get("outlet"):
                    services.publication_add(by=by, output=output, outlet=row["outlet"],
                                             published_on=row["published_on"], page_or_url=v.get("page", ""))
            except ValidationError as exc:  # the transaction is rolled back: nothing is kept
                raise Refused([Problem(row["row"], "-", "; ".join(exc.messages))]) from None
            result.created += 1
    return result
