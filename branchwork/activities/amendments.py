"""Amendments as structured changes, rendered in the reader's language.

An amendment stores what changed as data, never as sentences: a list of entries
`{"field": name, "old": value, "new": value}`, where people are person ids, attendance is
`{"status": code, "reason": text}` with the person's id (or the typed name of a guest), times are
ISO strings and the minutes are their stored HTML. Pages, the ledger and the API turn these into
words when they are read, in the language of whoever reads them; the minutes as a paragraph diff.

Amendments recorded before this (frozen sentences in one language) were converted by migration
0003 where their labels could be read back; what could not be is kept as `legacy_note`.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from branchwork.core.richtext import html_to_text

PERSON_FIELDS = ("host", "recorder", "lecturer")
TIME_FIELDS = ("starts_at", "ends_at")


def field_label(name: str) -> str:
    """The field's name in the active language."""
    from branchwork.activities.models import Activity, AttendanceStatus  # noqa: F401

    if name == "attendance":
        return _("attendance")
    if name == "resolutions":
        return _("resolutions")
    try:
        return str(Activity._meta.get_field(name).verbose_name)
    except Exception:  # an unknown name from an older version: show it as stored
        return name


def to_json(name: str, value):
    """A field's value as stored in an entry."""
    from branchwork.core.models import Person

    if isinstance(value, Person):
        return value.pk
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if name in PERSON_FIELDS and value is not None and not isinstance(value, int):
        return getattr(value, "pk", None)
    return value


@dataclass
class Paragraph:
    op: str  # "same", "added", "removed", "changed", "skipped"
    text: str = ""
    parts: list[tuple[str, str]] = field(default_factory=list)  # for "changed": (op, text) runs
    count: int = 0  # for "skipped": unchanged paragraphs not shown


@dataclass
class Line:
    field: str
    label: str
    old: str = ""
    new: str = ""
    paragraphs: list[Paragraph] = field(default_factory=list)
    items_removed: list[str] = field(default_factory=list)
    items_added: list[str] = field(default_factory=list)

    @property
    def is_diff(self) -> bool:
        return bool(self.paragraphs)

    @property
    def is_list(self) -> bool:
        return self.field == "resolutions"


def paragraphs_of(html_or_text: str) -> list[str]:
    text = html_to_text(html_or_text or "") if "<" in (html_or_text or "") else (html_or_text or "")
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n") if p.strip()]


def paragraph_diff(old: str, new: str, *, context: int = 1) -> list[Paragraph]:
    """What changed between two texts, paragraph by paragraph: unchanged ones far from a change
    are folded into a count; a paragraph changed in place shows its deleted and inserted runs."""
    a, b = paragraphs_of(old), paragraphs_of(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    out: list[Paragraph] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            same = a[i1:i2]
            if len(same) > 2 * context + 1:
                head = same[:context] if out else []
                tail = same[-context:] if (i2 < len(a) or j2 < len(b)) else []
                out += [Paragraph("same", p) for p in head]
                out.append(Paragraph("skipped", count=len(same) - len(head) - len(tail)))
                out += [Paragraph("same", p) for p in tail]
            else:
                out += [Paragraph("same", p) for p in same]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        # Paragraphs edited in place (same position, mostly the same text) show inline runs.
        while olds and news and difflib.SequenceMatcher(a=olds[0], b=news[0]).ratio() >= 0.5:
            out.append(Paragraph("changed", parts=_runs(olds.pop(0), news.pop(0))))
        out += [Paragraph("removed", p) for p in olds]
        out += [Paragraph("added", p) for p in news]
    if all(p.op in ("same", "skipped") for p in out):
        return []  # nothing changed
    return out


def _runs(old: str, new: str) -> list[tuple[str, str]]:
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", old[i1:i2]))
            continue
        if i2 > i1:
            runs.append(("removed", old[i1:i2]))
        if j2 > j1:
            runs.append(("added", new[j1:j2]))
    return runs


def _status_text(value) -> str:
    from branchwork.activities.models import AttendanceStatus

    if not isinstance(value, dict):
        return str(value or "")
    status = value.get("status") or ""
    label = str(AttendanceStatus(status).label) if status in AttendanceStatus.values else status
    reason = value.get("reason") or ""
    return _("%(status)s (%(reason)s)") % {"status": label, "reason": reason} if reason else label


def _time_text(value) -> str:
    if not value:
        return ""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return str(value)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _resolution_texts(value) -> list[str]:
    if isinstance(value, str):
        return [line for line in value.splitlines() if line.strip()]
    return [str(v) for v in (value or [])]


def people_of(amendments) -> dict[int, object]:
    """The people the amendments name, in one query."""
    from branchwork.core.models import Person

    ids = set()
    for m in amendments:
        for e in m.entries or []:
            if e.get("field") in PERSON_FIELDS:
                ids.update(v for v in (e.get("old"), e.get("new")) if isinstance(v, int))
            if e.get("field") == "attendance" and isinstance(e.get("person"), int):
                ids.add(e["person"])
    return Person.objects.in_bulk(ids) if ids else {}


def lines(amendment, people: dict | None = None) -> list[Line]:
    """The amendment's entries as lines in the active language."""
    if people is None:
        people = people_of([amendment])

    def person(pk) -> str:
        if pk is None:
            return ""
        p = people.get(pk)
        return p.display_name if p else _("(person no longer recorded)")

    result = []
    for e in amendment.entries or []:
        name = e.get("field", "")
        old, new = e.get("old"), e.get("new")
        if name == "attendance":
            who = person(e["person"]) if e.get("person") is not None else (e.get("name") or "")
            result.append(Line(name, _("Attendance: %(name)s") % {"name": who},
                               _status_text(old), _status_text(new)))
        elif name in PERSON_FIELDS:
            result.append(Line(name, field_label(name), person(old), person(new)))
        elif name in TIME_FIELDS:
            result.append(Line(name, field_label(name), _time_text(old), _time_text(new)))
        elif name == "minutes":
            line = Line(name, field_label(name), html_to_text(old or ""), html_to_text(new or ""))
            line.paragraphs = paragraph_diff(old or "", new or "")
            result.append(line)
        elif name == "resolutions":
            before, after = _resolution_texts(old), _resolution_texts(new)
            line = Line(name, field_label(name), "\n".join(before), "\n".join(after))
            line.items_removed = [t for t in before if t not in after]
            line.items_added = [t for t in after if t not in before]
            result.append(line)
        else:
            result.append(Line(name, field_label(name),
                               "" if old is None else str(old), "" if new is None else str(new)))
    return result


def with_lines(amendments) -> list:
    """Amendments for a page: each with `.lines` (one query for all the people they name)."""
    amendments = list(amendments)
    people = people_of(amendments)
    for m in amendments:
        m.lines = lines(m, people)
    return amendments
