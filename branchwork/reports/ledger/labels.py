"""The ledger's words, shared by its builders: labels from the translation catalogue and the
rulebook in the active language, dates as the language writes them, and the rows each format
lays out its own way (facts, attendance, resolutions, sign-off).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable

from django.conf import settings
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from branchwork.activities.models import (
    Activity,
    Amendment,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Resolution,
)
from branchwork.reports.ledger.data import (
    AmendmentItem,
    AttendanceRow,
    Ledger,
    Progress,
    QuorumItem,
    Section,
)



def date_text(value: datetime.date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def datetime_text(value: datetime.datetime | None) -> str:
    return f"{date_text(value.date())} {value:%H:%M}" if value else ""


def when(s: Section) -> str:
    text = datetime_text(s.starts_at)
    if s.ends_at:
        end = f"{s.ends_at:%H:%M}" if s.ends_at.date() == s.starts_at.date() else datetime_text(s.ends_at)
        text += f"–{end}"
    return text


def field_label(model, name: str) -> str:
    """A model field's name, capitalized, in the active language (translated once per
    language: a ledger asks for the same few on every one of its sections)."""
    return _field_label(model, name, get_language())


@functools.lru_cache(maxsize=256)
def _field_label(model, name: str, language: str | None) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def is_english() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).lower().startswith("en")


def labels() -> dict[str, str]:
    return {
        "contents": _("Contents"),
        "attendance": _("Attendance"),
        "agenda": _("Agenda"),
        "discussion": _("Discussion"),
        "resolutions": _("Resolutions"),
        "photos": _("Photos"),
        "quorum": _("Quorum"),
        "signoff": _("Sign-off"),
        "amendments": _("Amendments"),
        "none": _("None recorded."),
        "empty": _("No activity is recorded for this year."),
        "photo_missing": _("Photo not available:"),
        "reason": field_label(Amendment, "reason"),
        "colon": ": " if is_english() else "：",
        "types": _("Types"),
        "date_time": _("Date and time"),
        "organizations": _("Held by"),
        "observers": capfirst(str(AttendanceRole.OBSERVER.label)),
        "expected": _("Expected to attend"),
        "present": _("Attended"),
        "unmarked": capfirst(str(AttendanceStatus.UNMARKED.label)),
        "absentees": _("Absentees and reasons"),
        "makeup": _("Make-up study"),
        "submitted": _("Submitted by the recorder"),
        "locked": _("Approved and locked"),
        "not_yet": _("not yet"),
        "number": _("No."),
        "what": _("What changed"),
        "before": _("Before"),
        "after": _("After"),
        "generated": _("Generated on"),
        "rulebook": _("Rulebook"),
        "code": _("Code"),
        "excused_list": _("Excused and reasons"),
        "absent_list": _("Absent and reasons"),
        "result": pgettext("resolution", "Result"),
        "passed": pgettext("resolution", "passed"),
        "not_passed": pgettext("resolution", "not passed"),
        "signatures": _("Signatures"),
        "host_sign": _("Host (signature)"),
        "recorder_sign": _("Recorder (signature)"),
        "sign_date": _("Date"),
        "signin": _("Attendance sign-in sheet"),
        "signin_note": _("Signed in person at the meeting; a scanned signed copy is attached to "
                         "the record."),
        "name": field_label(Attendance, "name"),
        "voting_rights": _("Voting rights"),
        "signature": _("Signature"),
        "note": _("Note"),
        "yes": _("yes"),
        "paper_signed": _("Paper minutes signed on"),
    }


def counts_labels() -> list[tuple[str, str]]:
    """(label, Section attribute) of the counts an inspector reads: expected with voting rights,
    expected, present, excused, absent (excused and absent kept apart), observers."""
    return [
        (pgettext("ledger count", "Expected with voting rights"), "voting_expected"),
        (pgettext("ledger count", "Expected"), "expected"),
        (pgettext("ledger count", "Present"), "present"),
        (pgettext("ledger count", "Excused"), "excused"),
        (pgettext("ledger count", "Absent"), "absent"),
        (pgettext("ledger count", "Observers"), "observers"),
    ]


def counts(s: Section) -> list[tuple[str, str]]:
    return [(label, str(len(getattr(s, name)))) for label, name in counts_labels()]


def summary(s: Section) -> str:
    sep = ": " if is_english() else "："
    return ("; " if is_english() else "；").join(f"{label}{sep}{n}" for label, n in counts(s))


def facts(s: Section, L: dict) -> list[tuple[str, str]]:
    rows = [
        (field_label(Activity, "title"), s.title),
        (L["types"], "、".join(s.type_labels)),
    ]
    if s.session_number is not None:
        rows.append((field_label(Activity, "session_number"), str(s.session_number)))
    rows.append((L["date_time"], when(s)))
    rows.append((field_label(Activity, "place"), s.place))
    rows.append((L["organizations"], "、".join([s.organization, *s.co_organizers])))
    rows.append((field_label(Activity, "host"), s.host))
    rows.append((field_label(Activity, "recorder"), s.recorder))
    if s.lecturer:
        rows.append((field_label(Activity, "lecturer"), s.lecturer))
    rows.append((field_label(Activity, "status"), s.status_label))
    return rows


def paren(text: str, inner) -> str:
    """`text (inner)`, with full-width parentheses in Chinese."""
    return f"{text} ({inner})" if is_english() else f"{text}（{inner}）"


def names(rows: list[AttendanceRow], describe: Callable[[AttendanceRow], str]) -> str:
    """Names as typed, joined; grouped by organization when several hold the activity."""
    orgs = list(dict.fromkeys(a.organization for a in rows))
    if len(orgs) <= 1:
        return "、".join(describe(a) for a in rows)
    return "；".join(
        f"{org or '—'}：" + "、".join(describe(a) for a in rows if a.organization == org) for org in orgs)


def attendance(s: Section, L: dict) -> list[tuple[str, str]]:
    """The minute book's attendance table, one row each: who should attend, who attended,
    observers, absentees with reasons, make-up study."""
    sep = ": " if is_english() else "："

    def plain(a: AttendanceRow) -> str:
        return a.name

    def with_status(a: AttendanceRow) -> str:
        if a.status == AttendanceStatus.PRESENT:
            return a.name
        return paren(a.name, a.status_label)  # 王博（迟到）

    def with_reason(a: AttendanceRow) -> str:
        return paren(a.name, a.status_label + (sep + a.reason if a.reason else ""))

    def reason_only(a: AttendanceRow) -> str:
        return paren(a.name, a.reason) if a.reason else a.name

    unmarked = [a for a in s.expected if a.status == AttendanceStatus.UNMARKED]
    rows = [
        (paren(L["expected"], len(s.expected)), names(s.expected, plain) or "—"),
        (paren(L["present"], len(s.present)), names(s.present, with_status) or "—"),
        (paren(L["observers"], len(s.observers)), names(s.observers, plain) or "—"),
        (paren(L["excused_list"], len(s.excused)), names(s.excused, reason_only) or "—"),
        (paren(L["absent_list"], len(s.absent)), names(s.absent, reason_only) or "—"),
    ]
    if unmarked:
        rows.append((paren(L["unmarked"], len(unmarked)), names(unmarked, plain)))
    rows.append((L["makeup"], "；".join(f"{a.name}{sep}{a.makeup}" for a in s.makeups) or "—"))
    return rows


def votes(value: int | None) -> str:
    return "—" if value is None else str(value)


def resolution_table(s: Section, L: dict) -> tuple[list[str], list[list[str]]]:
    headers = [L["number"], field_label(Resolution, "text"), field_label(Resolution, "votes_for"),
               field_label(Resolution, "votes_against"), field_label(Resolution, "votes_abstain"),
               L["result"]]

    def result(r) -> str:
        return "—" if r.passed is None else (L["passed"] if r.passed else L["not_passed"])

    rows = [[str(i), r.text, votes(r.votes_for), votes(r.votes_against), votes(r.votes_abstain),
             result(r)]
            for i, r in enumerate(s.resolutions, start=1)]
    return headers, rows


def signoff(s: Section, L: dict) -> list[tuple[str, str]]:
    """Each step with the person who actually took it and their role in the record; a record
    entered from signed paper minutes shows the day of the paper signature, not of the entry."""
    sep = "，"

    def who(name: str, role: str) -> str:
        return paren(name, role) if name and role else name

    def who_when(name: str, role: str, at) -> str:
        when_text = "" if s.paper_signed_on else datetime_text(at)
        return sep.join(x for x in (who(name, role), when_text) if x) or L["not_yet"]

    rows = [
        (field_label(Activity, "status"), s.status_label),
        (pgettext("sign-off", "Submitted by"), who_when(s.submitted_by, s.submitted_role, s.submitted_at)),
        (pgettext("sign-off", "Approved by"), who_when(s.locked_by, s.locked_role, s.locked_at)),
    ]
    if s.paper_signed_on:
        rows.append((L["paper_signed"], date_text(s.paper_signed_on)))
    return rows


def signature_lines(s: Section, L: dict) -> list[tuple[str, str]]:
    """The host's and the recorder's signature lines, with the printed name beside each."""
    return [(L["host_sign"], s.host), (L["recorder_sign"], s.recorder)]


def signin_table(s: Section, L: dict) -> tuple[list[str], list[list[str]]]:
    """The sign-in sheet (签到表): everyone expected, then observers, with an empty signature
    column to sign on paper."""
    headers = [L["number"], L["name"], L["voting_rights"], L["signature"], L["note"]]
    rows = []
    several = len({x.organization for x in s.expected}) > 1  # then each row names its own
    for i, a in enumerate([*s.expected, *s.observers], start=1):
        note = L["observers"] if a.is_observer else ""
        if a.organization and several:
            note = "、".join(x for x in (a.organization, note) if x)
        rows.append([str(i), a.name, L["yes"] if a.voting and not a.is_observer else "—", "", note])
    return headers, rows


def amendment_head(m: AmendmentItem) -> str:
    return f"{datetime_text(m.at)}　{m.by}"


def quorum_line(q: QuorumItem) -> str:
    text = _("%(organization)s · %(type)s: %(present)s of %(base)s present") % {
        "organization": q.organization, "type": q.type, "present": q.present, "base": q.base}
    return paren(text, _("quorum met") if q.met else _("no quorum"))


def heading(s: Section) -> str:
    return f"{date_text(s.date)}　{s.title}"


def cover_title(ledger: Ledger) -> str:
    return _("%(year)s ledger of organizational life") % {"year": ledger.year}


def page_label() -> str:
    return _("Page %(page)s of %(total)s") % {"page": "{page}", "total": "{total}"}


def cover_facts(ledger: Ledger, L: dict) -> list[tuple[str, str]]:
    rows = [(L["code"], ledger.org_code), (L["rulebook"], ledger.rulebook_name)]
    if ledger.type_label:
        rows.append((L["types"], ledger.type_label))
    rows.append((L["generated"], datetime_text(ledger.generated_at)))
    return rows


def step(progress: Progress, start: int, end: int, total: int):
    """A function reporting section i of `total` as a percentage between start and end."""
    last = [-1]

    def report(i: int) -> None:
        if progress is None:
            return
        pct = start + (end - start) * i // max(total, 1)
        if pct >= last[0] + 5 or i == total:
            last[0] = pct
            progress(pct)

    return report


def running_title(ledger: Ledger) -> str:
    """The running header's title: the year's ledger, and the type when there is one."""
    return cover_title(ledger) + (f" · {ledger.type_label}" if ledger.type_label else "")
