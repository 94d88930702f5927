"""Checking every row against the organization's people and the rulebook: an ImportPlan."""


from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.activities import services
from branchwork.activities.models import (
    Activity,
    ActivityStatus,
    Attendance,
)
from branchwork.core import imports, validators
from branchwork.core.models import Organization, Person
from branchwork.rulebook.loader import get_rulebook
from branchwork.activities.importer.columns import COLUMNS, IGNORED_HEADERS, RowError, _error, _norm, column_key
from branchwork.activities.importer.files import _blank
from branchwork.activities.importer.values import _text, parse_absence, parse_resolution, parse_when, split_list


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


