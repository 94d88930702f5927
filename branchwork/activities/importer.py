"""Import of past records from a spreadsheet (CSV or XLSX): all or nothing per file.

A branch that starts using Branchwork has years of meetings on paper and in Excel. This module
reads such a file (one activity per row; the columns are described in `COLUMNS` and in
docs/IMPORT.md), checks every row against the organization's people and the rulebook, and only
when nothing at all is wrong writes the activities, through the services, in one transaction.

    parse_file(name, data)          → rows (dicts keyed by the headers as written in the file)
    validate(org, rows, by=…)       → an ImportPlan: what would be written, and every error
    run_import(by=…, organization=…, name=…, data=…)
                                    → an ImportResult, or ImportRefused carrying every error

Errors name the row as a spreadsheet shows it (the header is row 1, the first record row 2) and
the column as its header is written in the file, in the user's language.

Imported records are past records: they are written as held, with their minutes in draft, for
the secretary to review, submit and lock like any other record. Nothing is sent to anybody.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchwork.activities import services
from branchwork.activities.models import (
    Activity,
    ActivitySource,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    MarkedVia,
)
from branchwork.core import audit, imports, validators
from branchwork.core.models import AuditAction, Organization, Person
from branchwork.rulebook.loader import get_rulebook

# The limits of a file (rows, columns, size, …) are settings: core.imports.limits().
DEFAULT_TIME = datetime.time(14, 30)


# --- The columns ---


@dataclass(frozen=True)
class Column:
    key: str
    zh: str  # the header of the template, in Chinese
    en: str  # and in English
    required: bool
    help: str  # lazy: shown on the import page in the user's language
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How an error names a column the file does not have: both headers."""
        return f"{self.zh}/{self.en}"


COLUMNS: tuple[Column, ...] = (
    Column("date", "日期", "date", True, gettext_lazy(
        "YYYY-MM-DD or YYYY-MM-DD HH:MM, local time; an Excel date cell also works. Without a "
        "time, 14:30 is assumed. Only past dates."),
        ("日期时间", "时间", "datetime", "date and time")),
    Column("types", "类型", "types", True, gettext_lazy(
        "One or more activity types, by code or by name (e.g. 主题党日、集体学习), separated "
        "by 、 , or ;."),
        ("活动类型", "会议类型", "type")),
    Column("title", "标题", "title", True, gettext_lazy("The name of the activity."),
           ("名称", "活动名称", "会议名称", "主题")),
    Column("place", "地点", "place", False, gettext_lazy("Where it was held."),
           ("location", "venue")),
    Column("host", "主持人", "host", False, gettext_lazy("One person, by name."), ("chair",)),
    Column("recorder", "记录人", "recorder", False, gettext_lazy("One person, by name."),
           ("minute taker",)),
    Column("lecturer", "主讲人", "lecturer", False, gettext_lazy(
        "A person by name; a name that matches nobody is kept as a guest lecturer."),
        ("授课人", "speaker")),
    Column("attendees", "出席", "attendees", False, gettext_lazy(
        "Who attended, by name, separated by 、 , or ; (Chinese names also by spaces)."),
        ("出席人员", "参会人员", "到会人员", "present")),
    Column("absentees", "缺席", "absentees", False, gettext_lazy(
        "Who was absent, with the reason in brackets: 姓名（病假） or name (reason). A reason "
        "with 请假, 事假, 病假, 出差 or 公差 (or starting with “excused:”) counts as excused."),
        ("缺席人员", "缺席人员及原因", "absent")),
    Column("observers", "列席", "observers", False, gettext_lazy(
        "Observers (列席), by name; a name that matches nobody is kept as typed."),
        ("列席人员",)),
    Column("agenda", "议程", "agenda", False, gettext_lazy(
        "Agenda items, one per line or separated by ；."), ("议题",)),
    Column("resolutions", "决议", "resolutions", False, gettext_lazy(
        "One resolution per line, optionally with the vote: （同意12，反对0，弃权1） or "
        "(for 12, against 0, abstain 1)."), ("决议事项", "decisions")),
    Column("minutes", "纪要", "minutes", False, gettext_lazy(
        "The minutes as text; a blank line starts a new paragraph."),
        ("会议纪要", "会议记录", "记录")),
    Column("co_organizers", "联合单位", "co_organizers", False, gettext_lazy(
        "Organizations holding it jointly (联学共建), by code or by name."),
        ("共建单位", "联合组织", "co-organizers")),
    Column("paper_signed_on", "签字日期", "paper signed on", False, gettext_lazy(
        "The day the paper minutes were signed (YYYY-MM-DD): the ledger prints it instead of "
        "the day of the import."),
        ("原件签字日期", "纸质签字日期", "paper_signed_on", "signed on")),
)
# Headers of columns that carry nothing to import (a spreadsheet's running number).
IGNORED_HEADERS = frozenset({"序号", "编号", "no", "no.", "#"})


def _norm(text: str) -> str:
    text = text.strip().rstrip("*＊").strip().casefold()
    return re.sub(r"[\s_\-]+", " ", text)


_ALIASES: dict[str, str] = {}
for _column in COLUMNS:
    for _alias in (_column.key, _column.zh, _column.en, *_column.aliases):
        _ALIASES[_norm(_alias)] = _column.key


def column_key(header: str) -> str | None:
    """The column a header names: "日期", "Date", "日期/date" and "日期（date）" all name date."""
    norm = _norm(header)
    if norm in _ALIASES:
        return _ALIASES[norm]
    parts = [p for p in (_norm(p) for p in re.split(r"[/／|｜()（）]", header)) if p]
    keys = {_ALIASES.get(p) for p in parts}
    if len(parts) > 1 and len(keys) == 1 and None not in keys:
        return keys.pop()
    return None


# --- Errors ---


@dataclass(frozen=True)
class RowError:
    """One problem: the row (None for the whole file), the column as headed in the file ("" for
    the whole row), the problem itself, and the whole sentence naming both."""

    row: int | None
    column: str
    problem: str
    message: str

    def __str__(self) -> str:
        return self.message


def _error(row: int | None, column: str, problem: str) -> RowError:
    if row is not None and column:
        message = _("Row %(row)s, column “%(column)s”: %(problem)s") % {
            "row": row, "column": column, "problem": problem}
    elif row is not None:
        message = _("Row %(row)s: %(problem)s") % {"row": row, "problem": problem}
    elif column:
        message = _("Column “%(column)s”: %(problem)s") % {"column": column, "problem": problem}
    else:
        message = problem
    return RowError(row=row, column=column, problem=problem, message=message)


class ImportRefused(Exception):
    """The file is refused whole; `errors` says why, row by row. Nothing was written."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__("\n".join(e.message for e in self.errors))


# --- Reading the file ---


class Row(dict):
    """One record of the file: header as written → value; `number` is its row in the file."""

    def __init__(self, values: dict, number: int):
        super().__init__(values)
        self.number = number


class Rows(list):
    """The records of a file, and the encoding its text was in ("" for a workbook)."""

    encoding = ""


def _refuse(problem: str) -> ImportRefused:
    return ImportRefused([_error(None, "", problem)])


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Past this many errors of one kind in the cells, reading stops: the file is refused anyway.
_MAX_CELL_ERRORS = 100


def _records(header: list, body: Iterable[tuple[int, Sequence]]) -> Rows:
    """The records under `header`, reading `body` lazily and stopping at the first limit passed
    (settings.IMPORT_LIMITS: rows read with blank ones, records, columns, cell length)."""
    lim = imports.limits()

    def too_wide(cells: Sequence) -> ImportRefused:
        return _refuse(_("The file has %(count)s columns, more than the %(max)s an import "
                         "reads.") % {"count": len(cells), "max": lim["columns"]})

    if len(header) > lim["columns"]:
        raise too_wide(header)
    headers = ["" if h is None else str(h).strip() for h in header]
    if not any(headers):
        raise _refuse(_("The first row must hold the column headers."))
    for h in headers:
        if why := validators.problem(h):
            raise ImportRefused([_error(1, h.encode("unicode_escape").decode(), why)])
    seen: dict[str, int] = {}
    for index, h in enumerate(headers):
        if not h:
            continue
        key = column_key(h) or _norm(h)
        if key in seen:
            raise ImportRefused([_error(1, h, _("this column appears twice (also as “%(other)s”).")
                                        % {"other": headers[seen[key]]})])
        seen[key] = index
    rows, cell_errors, read = Rows(), [], 1
    for number, cells in body:
        read += 1
        if read > lim["rows"]:
            raise _refuse(_("The file has more than %(max)s rows (blank rows count too); delete "
                            "the empty rows at its end or split it into smaller files.")
                          % {"max": lim["rows"]})
        if len(cells) > lim["columns"]:
            raise too_wide(cells)
        if all(_blank(c) for c in cells):
            continue  # blank lines, and the formatted but empty rows Excel leaves at the end
        if len(rows) >= lim["records"]:
            raise _refuse(_("The file has more than %(max)s rows; split it into smaller files.")
                          % {"max": lim["records"]})
        values = {}
        for index, value in enumerate(cells):
            header = headers[index] if index < len(headers) else ""
            if not header:
                if not _blank(value):
                    raise ImportRefused([_error(number, "", _(
                        "column %(index)s has a value but no header.") % {"index": index + 1})])
                continue
            if isinstance(value, str):
                if len(value) > lim["cell_chars"]:
                    raise ImportRefused([_error(number, header, _(
                        "the cell holds %(length)s characters, more than the %(max)s an import "
                        "reads.") % {"length": len(value), "max": lim["cell_chars"]})])
                if why := validators.problem(value):
                    cell_errors.append(_error(number, header, why))
                    if len(cell_errors) >= _MAX_CELL_ERRORS:
                        raise ImportRefused(cell_errors)
                value = value.strip()
            values[header] = value
        for header in headers:
            if header:
                values.setdefault(header, None)
        rows.append(Row(values, number))
    if cell_errors:
        raise ImportRefused(cell_errors)
    return rows


def encoding_label(encoding: str) -> str:
    """How the dry-run report names an encoding: UTF-8, GB18030, Big5, …"""
    return {"big5": "Big5", "big5hkscs": "Big5-HKSCS", "cp950": "Big5 (cp950)"}.get(
        encoding, encoding.upper())


def _parse_csv(data: bytes) -> Rows:
    try:
        decoded = imports.decode(data)
    except imports.Undecodable:
        raise _refuse(_("The file is not text in UTF-8, GB18030 or Big5; save it as CSV UTF-8 "
                        "or as an Excel workbook (.xlsx).")) from None
    text = decoded.text
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first and "，" not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise _refuse(_("The file is empty."))
        rows = _records(header, ((i + 2, r) for i, r in enumerate(reader)))
    except csv.Error as exc:
        raise _refuse(_("The CSV file cannot be read (near row %(row)s).")
                      % {"row": reader.line_num}) from exc
    rows.encoding = encoding_label(decoded.encoding)
    return rows


def _parse_xlsx(data: bytes) -> Rows:
    import openpyxl

    try:
        imports.check_zip(data)
    except imports.TooMuch as exc:
        raise _refuse(str(exc)) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike: the file is not usable
        raise _refuse(_("The file cannot be read as an Excel workbook (.xlsx).")) from exc
    try:
        if not book.worksheets:
            raise _refuse(_("The file is empty."))
        sheet = book.worksheets[0]
        # The sheet's declared dimension is not trusted: openpyxl would pad every row to a
        # declared width (16,384 columns) and stop at a declared height, silently dropping
        # the rows below it. Without it, each row is as long as its cells and all are read.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        try:
            header = next(rows, None)
            if header is None:
                raise _refuse(_("The file is empty."))
            return _records(list(header), ((i + 2, r) for i, r in enumerate(rows)))
        except ImportRefused:
            raise
        except Exception as exc:  # broken XML inside an otherwise valid zip
            raise _refuse(_("The file cannot be read as an Excel workbook (.xlsx).")) from exc
    finally:
        book.close()


def parse_file(name: str, data: bytes) -> Rows:
    """The records of a CSV or XLSX file, keyed by its headers (raises ImportRefused)."""
    if not data:
        raise _refuse(_("The file is empty."))
    try:
        imports.check_size(data)
    except imports.TooMuch as exc:
        raise _refuse(str(exc)) from None
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in ("xlsx", "xlsm") or (suffix not in ("csv", "txt") and data[:4] == b"PK\x03\x04"):
        return _parse_xlsx(data)
    if suffix in ("csv", "txt"):
        return _parse_csv(data)
    if suffix == "xls":
        raise _refuse(_("Old Excel files (.xls) cannot be read; save it as .xlsx or as CSV UTF-8."))
    raise _refuse(_("Upload a CSV or an Excel (.xlsx) file."))


# --- Reading the values ---

_LIST_SEPARATORS = "、,;，；\n"
_OPEN, _CLOSE = "(（", ")）"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def split_list(text: str, separators: str = _LIST_SEPARATORS) -> list[str]:
    """Items separated by 、,;，； or new lines, never inside brackets; Chinese names may also be
    separated by spaces ("王博 陈可乐"), Latin names keep theirs ("Bob Wang")."""
    items, current, depth = [], [], 0
    for i, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
        if depth == 0 and char in separators:
            items.append("".join(current))
            current = []
            continue
        if depth == 0 and char.isspace():
            before = "".join(current).rstrip()
            after = text[i + 1:].lstrip()
            if before and after and (_CJK.match(before[-1]) or before[-1] in _CLOSE) \
                    and _CJK.match(after[0]):
                items.append(before)
                current = []
                continue
        current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T\s]\s*(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?)?$"
)


def parse_when(value) -> datetime.datetime | None:
    """A moment in the current time zone, from text, an Excel date cell or an Excel serial."""
    tz = timezone.get_current_timezone()
    # A number is an Excel date serial when it is plausibly one (1954–2146), not a bare year.
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 <= value < 90000:
        from openpyxl.utils.datetime import from_excel

        try:
            value = from_excel(value)
        except (ValueError, OverflowError):
            return None
    if isinstance(value, datetime.datetime):
        naive = value.replace(tzinfo=None)
        if naive.time() == datetime.time(0, 0):
            naive = datetime.datetime.combine(naive.date(), DEFAULT_TIME)
        return naive.replace(tzinfo=tz)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, DEFAULT_TIME, tzinfo=tz)
    match = _DATE.match(_text(value))
    if not match:
        return None
    y, m, d, hh, mm, ss = match.groups()
    try:
        return datetime.datetime(
            int(y), int(m), int(d), int(hh) if hh else DEFAULT_TIME.hour,
            int(mm) if mm else DEFAULT_TIME.minute, int(ss) if ss else 0, tzinfo=tz)
    except ValueError:
        return None


# Reasons that make an absence excused (请假): leave of any kind and official business.
EXCUSED_WORDS = ("请假", "事假", "病假", "出差", "公差", "公务", "休假", "产假", "婚假", "丧假",
                 "探亲", "年假")
EXCUSED_PREFIX = re.compile(r"^excused\s*[:：]\s*", re.I)
_WITH_REASON = re.compile(r"^(.+?)\s*[(（]\s*(.*?)\s*[)）]$", re.S)


def parse_absence(item: str) -> tuple[str, str, str]:
    """"王博（病假）" → ("王博", excused, "病假"); "Bob (no reason)" → ("Bob", absent, …)."""
    match = _WITH_REASON.match(item)
    name, reason = (match.group(1).strip(), match.group(2).strip()) if match else (item.strip(), "")
    if EXCUSED_PREFIX.match(reason):
        return name, AttendanceStatus.EXCUSED, EXCUSED_PREFIX.sub("", reason).strip()
    if any(word in reason for word in EXCUSED_WORDS):
        return name, AttendanceStatus.EXCUSED, reason
    return name, AttendanceStatus.ABSENT, reason


_VOTE_WORDS = {
    "同意": "votes_for", "赞成": "votes_for", "for": "votes_for", "yes": "votes_for",
    "反对": "votes_against", "against": "votes_against", "no": "votes_against",
    "弃权": "votes_abstain", "abstain": "votes_abstain", "abstained": "votes_abstain",
    "abstention": "votes_abstain", "abstentions": "votes_abstain",
}
_VOTE = (r"(?<![A-Za-z])(同意|赞成|反对|弃权|for|yes|against|no|abstain|abstained|abstentions?)"
         r"\s*[:：]?\s*(\d+)\s*(?:票|votes?)?")
_VOTE_ONE = re.compile(_VOTE, re.I)
_VOTES_ALL = re.compile(rf"^\s*{_VOTE}(?:\s*[,，、;；]?\s*{_VOTE})*\s*$", re.I)
_TRAILING_GROUP = re.compile(r"^(.*?)\s*[(（]([^()（）]*)[)）]\s*[。.]?$", re.S)


def parse_resolution(line: str) -> dict:
    """A resolution with its vote counts, if it ends with them (raises ValueError if unreadable)."""
    result = {"text": line.strip(), "votes_for": None, "votes_against": None,
              "votes_abstain": None}
    match = _TRAILING_GROUP.match(line.strip())
    if not match:
        return result
    inner = match.group(2)
    if not (_VOTE_ONE.search(inner) and re.search(r"\d", inner)):
        return result  # a bracket that says something else: part of the text
    if not _VOTES_ALL.match(inner):
        raise ValueError(inner)
    for word, count in _VOTE_ONE.findall(inner):
        key = _VOTE_WORDS[word.lower()]
        if result[key] is not None:
            raise ValueError(inner)
        result[key] = int(count)
    result["text"] = match.group(1).strip()
    return result


# --- Matching people and organizations ---


_WITH_EMAIL = re.compile(r"^(.*?)\s*[<＜]\s*([^<>＜＞\s]+)\s*[>＞]$")


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip()).casefold()


class _People:
    """Everyone who holds or held a role in the given organizations, by name."""

    def __init__(self, orgs: Sequence[Organization]):
        self.by_name: dict[str, dict[int, Person]] = {}
        people = Person.objects.filter(
            pk__in=Person.objects.filter(memberships__organization__in=orgs).values("pk"))
        for person in people:
            for name in {person.name, person.name_en, person.name_native}:
                if name and name.strip():
                    self.by_name.setdefault(_key(name), {})[person.pk] = person

    def find(self, text: str) -> tuple[Person | None, str]:
        """The person a name means, or "unknown" / "ambiguous"."""
        email = ""
        match = _WITH_EMAIL.match(text)
        if match:
            text, email = match.group(1), match.group(2).casefold()
        found = list(self.by_name.get(_key(text), {}).values())
        if email:
            found = [p for p in found if p.email.casefold() == email]
        if len(found) == 1:
            return found[0], ""
        return None, "ambiguous" if found else "unknown"


class _Organizations:
    def __init__(self):
        self.by_key: dict[str, dict[int, Organization]] = {}
        for org in Organization.objects.all():
            for name in (org.code, org.name_zh, org.name_en):
                if name:
                    self.by_key.setdefault(_key(name), {})[org.pk] = org

    def find(self, text: str) -> list[Organization]:
        return list(self.by_key.get(_key(text), {}).values())


# --- Validation ---


@dataclass
class PlannedActivity:
    """One row, read and checked: what will be written."""

    row: int
    starts_at: datetime.datetime
    types: list[str]
    title: str
    place: str = ""
    host: Person | None = None
    recorder: Person | None = None
    lecturer: Person | None = None
    lecturer_name: str = ""
    co_organizers: list[Organization] = field(default_factory=list)
    present: list[Person] = field(default_factory=list)
    absent: list[tuple[Person, str, str]] = field(default_factory=list)  # person, status, reason
    observers: list[Person | str] = field(default_factory=list)
    agenda: str = ""
    resolutions: list[dict] = field(default_factory=list)
    minutes: str = ""
    paper_signed_on: datetime.date | None = None

    @property
    def has_attendance(self) -> bool:
        return bool(self.present or self.absent)


@dataclass
class ImportPlan:
    activities: list[PlannedActivity] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    activities: list[Activity]
    planned: int
    dry_run: bool = False
    encoding: str = ""  # of a text file: UTF-8, GB18030, Big5, … ("" for a workbook)


def _length_problem(value: str, model, name: str) -> str:
    limit = model._meta.get_field(name).max_length
    if len(value) > limit:
        return _("at most %(max)s characters (this has %(length)s).") % {
            "max": limit, "length": len(value)}
    return ""


class _RowReader:
    """Reads one row, collecting its errors against the headers as written."""

    def __init__(self, plan: ImportPlan, number: int, headers: dict[str, str], values: dict):
        self.plan, self.number, self.headers, self.values = plan, number, headers, values
        self.failed = False

    def text(self, key: str) -> str:
        return _text(self.values.get(key))

    def fail(self, key: str, problem: str) -> None:
        self.failed = True
        self.plan.errors.append(_error(self.number, self.headers.get(key, ""), problem))

    def person(self, people: _People, key: str, name: str) -> Person | None:
        person, why = people.find(name)
        if why == "unknown":
            self.fail(key, _("unknown person “%(name)s”: nobody of that name holds or held a role "
                             "in the organizations holding the activity.") % {"name": name})
        elif why == "ambiguous":
            self.fail(key, _("“%(name)s” matches more than one person; add the email as "
                             "“%(name)s <email>”.") % {"name": name})
        return person


def validate(org: Organization, rows: Sequence[dict], *, by) -> ImportPlan:
    """Check every row; the plan holds what would be written and every error found.

    `by` is who imports: validation is the same for everyone (the view checks permission).
    """
    plan = ImportPlan()
    if not rows:
        plan.errors.append(_error(None, "", _("The file has no rows to import.")))
        return plan
    if len(rows) > imports.limits()["records"]:
        plan.errors.append(_error(None, "", _(
            "The file has more than %(max)s rows; split it into smaller files.")
            % {"max": imports.limits()["records"]}))
        return plan

    headers: dict[str, str] = {}  # column key → header as written
    for header in rows[0]:
        key = column_key(header)
        if key is None:
            if _norm(header) not in IGNORED_HEADERS:
                plan.errors.append(_error(1, header, _(
                    "unknown column; the known columns are listed on the import page and in "
                    "docs/IMPORT.md.")))
        elif key in headers:
            plan.errors.append(_error(1, header, _(
                "this column appears twice (also as “%(other)s”).") % {"other": headers[key]}))
        else:
            headers[key] = header
    for column in COLUMNS:
        if column.required and column.key not in headers:
            plan.errors.append(_error(None, column.label, _("this column is missing.")))

    rulebook = get_rulebook()
    type_names: dict[str, str] = {}
    for t in rulebook.types.values():
        for name in (t.code, t.name_zh, t.name_en):
            type_names[_key(name)] = t.code
    orgs = _Organizations()
    pools: dict[frozenset[int], _People] = {}
    now = timezone.now()
    first_row_of: dict[tuple[datetime.date, str], int] = {}

    for index, raw in enumerate(rows):
        number = getattr(raw, "number", index + 2)
        values = {key: raw.get(header) for key, header in headers.items()}
        r = _RowReader(plan, number, headers, values)

        starts_at = None
        if "date" in headers:
            if _blank(values["date"]):
                r.fail("date", _("a date is needed."))
            else:
                starts_at = parse_when(values["date"])
                if starts_at is None:
                    r.fail("date", _("“%(value)s” is not a date; write YYYY-MM-DD or "
                                     "YYYY-MM-DD HH:MM.") % {"value": r.text("date")})
                elif starts_at.year < validators.MIN_YEAR:
                    r.fail("date", _("Dates before %(year)s cannot be recorded.")
                           % {"year": validators.MIN_YEAR})
                    starts_at = None
                elif starts_at > now:
                    r.fail("date", _("%(value)s is in the future; only past activities are "
                                     "imported.") % {"value": timezone.localtime(starts_at)
                                                     .strftime("%Y-%m-%d %H:%M")})
                    starts_at = None

        codes: list[str] = []
        if "types" in headers:
            items = split_list(r.text("types"), "、,;，；\n")
            if not items:
                r.fail("types", _("at least one activity type is needed."))
            for item in items:
                code = type_names.get(_key(item))
                if code is None:
                    r.fail("types", _("unknown activity type “%(value)s”.") % {"value": item})
                elif not rulebook.type(code).applies(org.kind):
                    r.fail("types", _("the type “%(value)s” is not kept by a %(kind)s.") % {
                        "value": item, "kind": org.get_kind_display()})
                elif code not in codes:
                    codes.append(code)

        title = r.text("title")
        if "title" in headers:
            if not title:
                r.fail("title", _("a title is needed."))
            elif problem := _length_problem(title, Activity, "title"):
                r.fail("title", problem)
        place = r.text("place")
        if problem := _length_problem(place, Activity, "place"):
            r.fail("place", problem)

        co: list[Organization] = []
        for item in split_list(r.text("co_organizers"), "、,;，；\n"):
            found = orgs.find(item)
            if len(found) != 1:
                r.fail("co_organizers", (_("unknown organization “%(value)s”.") if not found
                                         else _("“%(value)s” matches more than one organization; "
                                                "use its code.")) % {"value": item})
            elif found[0].pk != org.pk and found[0] not in co:
                co.append(found[0])
        pool_key = frozenset([org.pk, *(o.pk for o in co)])
        if pool_key not in pools:
            pools[pool_key] = _People([org, *co])
        people = pools[pool_key]

        def one(key: str) -> Person | None:
            name = r.text(key)
            return r.person(people, key, name) if name else None

        host, recorder = one("host"), one("recorder")
        lecturer, lecturer_name = None, ""
        if name := r.text("lecturer"):
            lecturer, why = people.find(name)
            if why == "ambiguous":
                r.person(people, "lecturer", name)
            elif lecturer is None:
                lecturer_name = name
                if problem := _length_problem(name, Activity, "lecturer_name"):
                    r.fail("lecturer", problem)

        present: list[Person] = []
        for name in split_list(r.text("attendees")):
            person = r.person(people, "attendees", name)
            if person is not None and person not in present:
                present.append(person)
        absent: list[tuple[Person, str, str]] = []
        for item in split_list(r.text("absentees")):
            name, status, reason = parse_absence(item)
            person = r.person(people, "absentees", name)
            if person is None:
                continue
            if person in present:
                r.fail("absentees", _("“%(name)s” is listed both as present and as absent.")
                       % {"name": name})
            elif any(p == person for p, _s, _r in absent):
                r.fail("absentees", _("“%(name)s” is listed twice.") % {"name": name})
            elif problem := _length_problem(reason, Attendance, "reason"):
                r.fail("absentees", problem)
            else:
                absent.append((person, status, reason))
        listed = set(present) | {p for p, _s, _r in absent}
        observers: list[Person | str] = []
        for name in split_list(r.text("observers")):
            person, why = people.find(name)
            if why == "ambiguous":
                r.person(people, "observers", name)
            elif person is not None and person in listed:
                r.fail("observers", _("“%(name)s” is also listed as present or absent.")
                       % {"name": name})
            elif (person or name) not in observers:
                if person is None and (problem := _length_problem(name, Attendance, "name")):
                    r.fail("observers", problem)
                observers.append(person or name)
        if starts_at is not None and codes and any(isinstance(o, Person) for o in observers):
            expected = {e.person.pk for e in services.expected_attendees(
                organization=org, co_organizers=co, type_codes=codes,
                on=timezone.localtime(starts_at).date())}
            for o in observers:
                if isinstance(o, Person) and o.pk in expected:
                    r.fail("observers", _("“%(name)s” is expected at this activity as a member; "
                                          "list them under attendees or absentees.")
                           % {"name": o.display_name})

        agenda = "\n".join(split_list(r.text("agenda"), "；;\n"))
        resolutions = []
        for line in r.text("resolutions").split("\n"):
            if not line.strip():
                continue
            try:
                resolutions.append(parse_resolution(line))
            except ValueError as exc:
                r.fail("resolutions", _("the vote counts “%(value)s” cannot be read; write them "
                                        "as （同意12，反对0，弃权1） or (for 12, against 0, "
                                        "abstain 1).") % {"value": exc.args[0]})
        if any(not res["text"] for res in resolutions):
            r.fail("resolutions", _("a resolution has vote counts but no text."))

        paper_signed_on = None
        if not _blank(values.get("paper_signed_on")):
            signed = parse_when(values["paper_signed_on"])
            if signed is None:
                r.fail("paper_signed_on", _("not a date; write YYYY-MM-DD."))
            elif signed > now:
                r.fail("paper_signed_on", _("the paper cannot be signed in the future."))
            elif starts_at is not None and signed.date() < timezone.localtime(starts_at).date():
                r.fail("paper_signed_on", _("the paper cannot be signed before the activity."))
            else:
                paper_signed_on = signed.date()

        if starts_at is not None and title:
            key = (timezone.localtime(starts_at).date(), _key(title))
            if key in first_row_of:
                plan.errors.append(_error(number, "", _(
                    "same date and title as row %(other)s; an activity is imported once.")
                    % {"other": first_row_of[key]}))
                r.failed = True
            else:
                first_row_of[key] = number

        if not r.failed and starts_at is not None and codes and title:
            plan.activities.append(PlannedActivity(
                row=number, starts_at=starts_at, types=codes, title=title, place=place, host=host,
                recorder=recorder, lecturer=lecturer, lecturer_name=lecturer_name,
                co_organizers=co, present=present, absent=absent, observers=observers,
                agenda=agenda, resolutions=resolutions, minutes=r.text("minutes"),
                paper_signed_on=paper_signed_on,
            ))

    _check_already_recorded(org, plan, first_row_of)
    plan.errors.sort(key=lambda e: -1 if e.row is None else e.row)
    return plan


def _check_already_recorded(org: Organization, plan: ImportPlan,
                            rows_by_key: dict[tuple[datetime.date, str], int]) -> None:
    """A file imported twice is refused the second time: same organization, date and title."""
    if not rows_by_key:
        return
    tz = timezone.get_current_timezone()
    days = [day for day, _title in rows_by_key]
    start = datetime.datetime.combine(min(days), datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(max(days) + datetime.timedelta(days=1), datetime.time.min,
                                    tzinfo=tz)
    existing = (
        Activity.objects.filter(organization=org, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=ActivityStatus.CANCELLED)
        .only("starts_at", "title")
    )
    for activity in existing:
        key = (activity.local_date, _key(activity.title))
        if key in rows_by_key:
            row = rows_by_key[key]
            plan.errors.append(_error(row, "", _(
                "an activity with this date and title is already recorded (%(activity)s).")
                % {"activity": str(activity)}))
            plan.activities = [a for a in plan.activities if a.row != row]


# --- Writing ---


def _write(item: PlannedActivity, *, by, organization: Organization) -> Activity:
    activity = services.activity_schedule(
        by=by, organization=organization, types=item.types, title=item.title,
        starts_at=item.starts_at, place=item.place, host=item.host, recorder=item.recorder,
        lecturer=item.lecturer, lecturer_name=item.lecturer_name, agenda=item.agenda,
        co_organizers=item.co_organizers, source=ActivitySource.IMPORT, notify=False,
        paper_signed_on=item.paper_signed_on,
    )
    rows = {a.person_id: a for a in activity.attendance.all() if a.person_id is not None}

    def row_of(person: Person | None = None, name: str = "",
               role: str = AttendanceRole.EXPECTED) -> Attendance:
        if person is not None and person.pk in rows:
            return rows[person.pk]
        row = services.attendance_add(by=by, activity=activity, person=person, name=name,
                                      role=role, status=AttendanceStatus.UNMARKED)
        if person is not None:
            rows[person.pk] = row
        return row

    marks: dict[int, tuple[str, str]] = {}
    if item.has_attendance:
        expected_rows = list(rows.values())
        for person in item.present:
            marks[row_of(person).pk] = (AttendanceStatus.PRESENT, "")
        for person, status, reason in item.absent:
            marks[row_of(person).pk] = (status, reason)
        for row in expected_rows:  # expected but in neither list: not there
            marks.setdefault(row.pk, (AttendanceStatus.ABSENT, ""))
    for observer in item.observers:
        if isinstance(observer, Person):
            row = row_of(observer, role=AttendanceRole.OBSERVER)
        else:
            row = row_of(name=observer, role=AttendanceRole.OBSERVER)
        marks[row.pk] = (AttendanceStatus.PRESENT, "")
    if marks:
        services.attendance_mark(by=by, activity=activity, marks=marks, via=MarkedVia.IMPORT)
    return services.minutes_save(by=by, activity=activity, minutes=item.minutes,
                                 resolutions=item.resolutions)


def run_import(*, by, organization: Organization, name: str, data: bytes,
               dry_run: bool = False, on_stage=None) -> ImportResult:
    """Read, check and (unless `dry_run`) write a file, all or nothing.

    Raises ImportRefused with every error found; then nothing has been written. A failure while
    writing rolls the whole file back too.
    """
    rows = parse_file(name, data)
    if on_stage:
        on_stage("checking", rows)
    plan = validate(organization, rows, by=by)
    if plan.errors:
        raise ImportRefused(plan.errors)
    if on_stage and not dry_run:
        on_stage("writing", rows)
    if dry_run:
        return ImportResult(activities=[], planned=len(plan.activities), dry_run=True,
                            encoding=getattr(rows, "encoding", ""))
    created: list[Activity] = []
    with transaction.atomic(), audit.acting_as(by, source=audit.current_actor().source):
        for item in plan.activities:
            try:
                created.append(_write(item, by=by, organization=organization))
            except ValidationError as exc:
                raise ImportRefused([_error(item.row, "", " ".join(exc.messages))]) from exc
        # Each record's rows are in the trail already; this says which file brought them.
        audit.log_event(organization, AuditAction.IMPORT, {"file": {
            "name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
            "activities": [{"id": a.pk, "repr": str(a)[:200]} for a in created]}})
    return ImportResult(activities=created, planned=len(plan.activities),
                        encoding=getattr(rows, "encoding", ""))


__all__ = [
    "COLUMNS", "Column", "ImportPlan", "ImportRefused", "ImportResult",
    "PlannedActivity", "Row", "RowError", "column_key", "parse_file", "parse_when", "run_import",
    "validate",
]


# --- Imports run as a task, from the web page ---


def start_job(*, by, organization: Organization, name: str, data: bytes):
    """Keep the file as an ImportJob and queue its import; returns the job (the page follows
    it). The caller has checked the permission and the file's size, and is not inside a
    transaction: the job's row must be committed before a worker looks for it."""
    from branchwork.activities.models import ImportJob
    from branchwork.activities.tasks import run_activity_import

    job = ImportJob.objects.create(organization=organization, requested_by=by, name=name[:255],
                                   data=data, language=translation.get_language() or "")
    run_activity_import.enqueue(job_id=job.pk)
    job.refresh_from_db()  # run at once by the immediate backend (tests, TASKS_BACKEND)
    return job


def _job_save(job, **fields) -> None:
    for key, value in fields.items():
        setattr(job, key, value)
    job.save(update_fields=list(fields))


def run_job(job_id: int) -> str:
    """Run a queued ImportJob: read the file, check every row, write them in one transaction
    (all or nothing). Each stage is saved as it starts (5, 20, 50, 100 %), outside the writing
    transaction, so the page shows it while the task runs.
    A refused file keeps every error; a failure keeps its message; the file itself is dropped
    once the job ends."""
    from branchwork.activities.models import ImportJob, ImportStatus

    job = ImportJob.objects.select_related("organization", "requested_by").get(pk=job_id)
    if job.finished:
        return job.status
    _job_save(job, status=ImportStatus.CHECKING, progress=5)

    def on_stage(stage: str, rows) -> None:
        if stage == "checking":
            _job_save(job, rows=len(rows), encoding=getattr(rows, "encoding", ""), progress=20)
        else:
            _job_save(job, status=ImportStatus.WRITING, progress=50)

    try:
        with translation.override(job.language or settings.LANGUAGE_CODE), \
                audit.acting_as(job.requested_by, source="web"):
            result = run_import(by=job.requested_by, organization=job.organization,
                                name=job.name, data=bytes(job.data), on_stage=on_stage)
    except ImportRefused as refused:
        _job_save(job, status=ImportStatus.REFUSED, data=b"", finished_at=timezone.now(),
                  errors=[{"row": e.row, "column": e.column, "problem": e.problem,
                           "message": e.message} for e in refused.errors])
    except Exception as exc:
        _job_save(job, status=ImportStatus.FAILED, data=b"", finished_at=timezone.now(),
                  errors=[{"row": None, "column": "", "problem": str(exc)[:500],
                           "message": str(exc)[:500]}])
        raise
    else:
        _job_save(job, status=ImportStatus.DONE, progress=100, data=b"",
                  imported=len(result.activities), finished_at=timezone.now())
    return job.status
