"""The ledger (台账) of an organization's year: every activity in the minute format, as DOCX
(editable), PDF (Typst, print-ready) and XLSX (a sheet of activities, a sheet of attendance).

`ledger_data()` reads everything once, in a fixed number of queries however many activities
there are, into a plain snapshot; the builders read only the snapshot (and photo files), so they
produce the same record in all three formats. Labels come from the translation catalogue and the
rulebook in the active language; what users typed stays as typed.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from branchwork.activities.models import (
    HELD_STATES,
    PRESENT_STATES,
    Activity,
    Amendment,
    Attachment,
    AttachmentKind,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Credit,
    Resolution,
)
from branchwork.core.html import html_to_text
from branchwork.core.models import Organization
from branchwork.reports import richtext
from branchwork.rulebook.loader import get_rulebook

FORMATS = ("pdf", "docx", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TEMPLATE = Path(__file__).resolve().parent / "typst" / "ledger.typ"
# Fonts Word and WPS show for Chinese text (w:eastAsia); Latin text keeps a Latin face.
DOCX_BODY_FONT = ("Times New Roman", "宋体")
DOCX_HEADING_FONT = ("Arial", "黑体")
# Typst finds the system's fonts itself (Noto CJK from the distribution, for one); a deployment
# without them may name directories of OFL CJK fonts in settings.TYPST_FONT_DIRS.

Progress = Callable[[int], None] | None


class LedgerError(ValueError):
    """The request cannot be built (unknown type or format); the message says why."""


# --- The snapshot ---


@dataclass(frozen=True)
class AttendanceRow:
    name: str
    organization: str
    role: str
    role_label: str
    status: str
    status_label: str
    reason: str
    voting: bool
    makeup_on: datetime.date | None
    makeup_note: str

    @property
    def is_present(self) -> bool:
        return self.status in PRESENT_STATES

    @property
    def is_observer(self) -> bool:
        return self.role == AttendanceRole.OBSERVER

    @property
    def makeup(self) -> str:
        if self.makeup_on is None:
            return self.makeup_note
        return " ".join(x for x in (_date(self.makeup_on), self.makeup_note) if x)


@dataclass(frozen=True)
class ResolutionItem:
    text: str
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None

    @property
    def has_votes(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against, self.votes_abstain))


@dataclass(frozen=True)
class PhotoItem:
    name: str  # in the default storage
    filename: str
    caption: str

    def read(self) -> bytes:
        with default_storage.open(self.name, "rb") as fh:
            return fh.read()


@dataclass(frozen=True)
class AmendmentItem:
    at: datetime.datetime  # local
    by: str
    reason: str
    changes: tuple[tuple[str, str, str], ...]  # (what, before, after)


@dataclass(frozen=True)
class QuorumItem:
    organization: str
    type: str
    present: int
    base: int
    met: bool


@dataclass
class Section:
    """One activity in the minute format."""

    pk: int
    title: str
    session_number: int | None
    starts_at: datetime.datetime  # local
    ends_at: datetime.datetime | None
    place: str
    host: str
    recorder: str
    lecturer: str
    organization: str
    co_organizers: list[str]
    type_codes: list[str]
    type_labels: list[str]
    status: str
    status_label: str
    agenda: list[str]
    minutes: list[richtext.Block]
    attendance: list[AttendanceRow]
    resolutions: list[ResolutionItem]
    photos: list[PhotoItem]
    amendments: list[AmendmentItem]
    quorum: list[QuorumItem]
    submitted_by: str
    submitted_at: datetime.datetime | None
    locked_by: str
    locked_at: datetime.datetime | None

    @property
    def date(self) -> datetime.date:
        return self.starts_at.date()

    @cached_property
    def expected(self) -> list[AttendanceRow]:
        return [a for a in self.attendance if not a.is_observer]

    @cached_property
    def observers(self) -> list[AttendanceRow]:
        return [a for a in self.attendance if a.is_observer]

    @cached_property
    def present(self) -> list[AttendanceRow]:
        return [a for a in self.expected if a.is_present]

    @cached_property
    def excused(self) -> list[AttendanceRow]:
        return [a for a in self.expected if a.status == AttendanceStatus.EXCUSED]

    @cached_property
    def absent(self) -> list[AttendanceRow]:
        return [a for a in self.expected if a.status == AttendanceStatus.ABSENT]

    @cached_property
    def makeups(self) -> list[AttendanceRow]:
        return [a for a in self.attendance if a.makeup_on or a.makeup_note]


@dataclass
class Ledger:
    organization: Organization
    org_name: str
    org_code: str
    year: int
    type_code: str | None
    type_label: str
    rulebook_name: str
    generated_at: datetime.datetime
    sections: list[Section] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.sections


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(value, _tz()) if value is not None else None


def _user_name(user) -> str:
    if user is None:
        return ""
    try:
        person = user.person
    except Exception:  # no linked Person (RelatedObjectDoesNotExist)
        person = None
    if person is not None:
        return person.display_name
    return user.get_full_name() or user.get_username()


def _plain_change(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if "<" in text and ">" in text:
        text = html_to_text(text)
    return text


def _section(activity: Activity, labels: dict[str, dict[str, str]]) -> Section:
    rulebook = get_rulebook()
    roles, statuses = labels["role"], labels["status"]
    codes = [t.code for t in activity.type_tags.all()]
    quorum = []
    for credit in sorted(activity.credits.all(), key=lambda c: (c.organization_id, c.code)):
        t = rulebook.types.get(credit.code)
        if t is None or t.quorum is None:
            continue
        quorum.append(QuorumItem(
            organization=credit.organization.display_name, type=rulebook.label(credit.code),
            present=credit.present, base=credit.base,
            met=t.quorum.is_met(present=credit.present, base=credit.base),
        ))
    return Section(
        pk=activity.pk,
        title=activity.title,
        session_number=activity.session_number,
        starts_at=_local(activity.starts_at),
        ends_at=_local(activity.ends_at),
        place=activity.place,
        host=activity.host.display_name if activity.host else "",
        recorder=activity.recorder.display_name if activity.recorder else "",
        lecturer=activity.lecturer.display_name if activity.lecturer else activity.lecturer_name,
        organization=activity.organization.display_name,
        co_organizers=[o.display_name for o in activity.co_organizers.all()],
        type_codes=codes,
        type_labels=[rulebook.label(c) for c in codes],
        status=activity.status,
        status_label=str(activity.get_status_display()),
        agenda=activity.agenda_items(),
        minutes=richtext.parse(activity.minutes),
        attendance=[
            AttendanceRow(
                name=a.display_name,
                organization=a.organization.display_name if a.organization else "",
                role=a.role, role_label=roles.get(a.role, a.role),
                status=a.status, status_label=statuses.get(a.status, a.status),
                reason=a.reason, voting=a.voting, makeup_on=a.makeup_on, makeup_note=a.makeup_note,
            )
            for a in activity.attendance.all()
        ],
        resolutions=[
            ResolutionItem(text=r.text, votes_for=r.votes_for, votes_against=r.votes_against,
                           votes_abstain=r.votes_abstain)
            for r in activity.resolutions.all()
        ],
        photos=[
            PhotoItem(name=p.file.name, filename=p.filename, caption=p.caption)
            for p in activity.attachments.all()
        ],
        amendments=[
            AmendmentItem(
                at=_local(m.at), by=m.by_name, reason=m.reason,
                changes=tuple(
                    (capfirst(str(what)), _plain_change(pair[0] if isinstance(pair, list) and pair else ""),
                     _plain_change(pair[1] if isinstance(pair, list) and len(pair) > 1 else pair))
                    for what, pair in (m.changes or {}).items()
                ),
            )
            for m in activity.amendments.all()
        ],
        quorum=quorum,
        submitted_by=_user_name(activity.submitted_by),
        submitted_at=_local(activity.submitted_at),
        locked_by=_user_name(activity.locked_by),
        locked_at=_local(activity.locked_at),
    )


def ledger_data(*, organization: Organization, year: int, type_code: str | None = None) -> Ledger:
    """Everything the ledger shows, in a fixed number of queries (not one per activity)."""
    rulebook = get_rulebook()
    type_code = type_code or None
    if type_code is not None and type_code not in rulebook.types:
        raise LedgerError(_("Unknown activity type: %(codes)s") % {"codes": type_code})
    tz = _tz()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    qs = Activity.objects.for_organization(organization).filter(
        status__in=HELD_STATES, starts_at__gte=start, starts_at__lt=end,
    )
    if type_code is not None:
        qs = qs.filter(type_tags__code=type_code)
    qs = (
        qs.select_related("organization", "host", "recorder", "lecturer",
                          "submitted_by__person", "locked_by__person")
        .prefetch_related(
            "type_tags",
            "co_organizers",
            Prefetch("attendance", queryset=Attendance.objects.select_related(
                "person", "organization").order_by("role", "pk")),
            Prefetch("resolutions", queryset=Resolution.objects.order_by("order", "pk")),
            Prefetch("attachments", queryset=Attachment.objects.filter(
                kind=AttachmentKind.PHOTO).order_by("order", "pk")),
            Prefetch("amendments", queryset=Amendment.objects.order_by("at", "pk")),
            Prefetch("credits", queryset=Credit.objects.select_related("organization")),
        )
        .order_by("starts_at", "pk")
    )
    # Translated once, not once per attendance row.
    labels = {"role": {k: str(v) for k, v in AttendanceRole.choices},
              "status": {k: str(v) for k, v in AttendanceStatus.choices}}
    return Ledger(
        organization=organization,
        org_name=organization.display_name,
        org_code=organization.code,
        year=year,
        type_code=type_code,
        type_label=rulebook.label(type_code) if type_code else "",
        rulebook_name=rulebook.name,
        generated_at=timezone.localtime(timezone.now(), tz),
        sections=[_section(a, labels) for a in qs],
    )


# --- Words shared by the builders ---


def _date(value: datetime.date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _datetime(value: datetime.datetime | None) -> str:
    return f"{_date(value.date())} {value:%H:%M}" if value else ""


def _when(s: Section) -> str:
    text = _datetime(s.starts_at)
    if s.ends_at:
        end = f"{s.ends_at:%H:%M}" if s.ends_at.date() == s.starts_at.date() else _datetime(s.ends_at)
        text += f"–{end}"
    return text


def _field(model, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _is_english() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).lower().startswith("en")


def _labels() -> dict[str, str]:
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
        "reason": _field(Amendment, "reason"),
        "colon": ": " if _is_english() else "：",
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
    }


def _summary(s: Section) -> str:
    return _("Expected %(expected)s, present %(present)s, excused %(excused)s, absent "
             "%(absent)s, observers %(observers)s.") % {
        "expected": len(s.expected), "present": len(s.present), "excused": len(s.excused),
        "absent": len(s.absent), "observers": len(s.observers)}


def _facts(s: Section, L: dict) -> list[tuple[str, str]]:
    rows = [
        (_field(Activity, "title"), s.title),
        (L["types"], "、".join(s.type_labels)),
    ]
    if s.session_number is not None:
        rows.append((_field(Activity, "session_number"), str(s.session_number)))
    rows.append((L["date_time"], _when(s)))
    rows.append((_field(Activity, "place"), s.place))
    rows.append((L["organizations"], "、".join([s.organization, *s.co_organizers])))
    rows.append((_field(Activity, "host"), s.host))
    rows.append((_field(Activity, "recorder"), s.recorder))
    if s.lecturer:
        rows.append((_field(Activity, "lecturer"), s.lecturer))
    rows.append((_field(Activity, "status"), s.status_label))
    return rows


def _paren(text: str, inner) -> str:
    """`text (inner)`, with full-width parentheses in Chinese."""
    return f"{text} ({inner})" if _is_english() else f"{text}（{inner}）"


def _names(rows: list[AttendanceRow], describe: Callable[[AttendanceRow], str]) -> str:
    """Names as typed, joined; grouped by organization when several hold the activity."""
    orgs = list(dict.fromkeys(a.organization for a in rows))
    if len(orgs) <= 1:
        return "、".join(describe(a) for a in rows)
    return "；".join(
        f"{org or '—'}：" + "、".join(describe(a) for a in rows if a.organization == org) for org in orgs)


def _attendance(s: Section, L: dict) -> list[tuple[str, str]]:
    """The minute book's attendance table, one row each: who should attend, who attended,
    observers, absentees with reasons, make-up study."""
    sep = ": " if _is_english() else "："

    def plain(a: AttendanceRow) -> str:
        return a.name

    def with_status(a: AttendanceRow) -> str:
        if a.status == AttendanceStatus.PRESENT:
            return a.name
        return _paren(a.name, a.status_label)  # 王博（迟到）

    def with_reason(a: AttendanceRow) -> str:
        return _paren(a.name, a.status_label + (sep + a.reason if a.reason else ""))

    gone = s.excused + s.absent
    unmarked = [a for a in s.expected if a.status == AttendanceStatus.UNMARKED]
    rows = [
        (_paren(L["expected"], len(s.expected)), _names(s.expected, plain) or "—"),
        (_paren(L["present"], len(s.present)), _names(s.present, with_status) or "—"),
        (_paren(L["observers"], len(s.observers)), _names(s.observers, plain) or "—"),
        (_paren(L["absentees"], len(gone)), _names(gone, with_reason) or "—"),
    ]
    if unmarked:
        rows.append((_paren(L["unmarked"], len(unmarked)), _names(unmarked, plain)))
    rows.append((L["makeup"], "；".join(f"{a.name}{sep}{a.makeup}" for a in s.makeups) or "—"))
    return rows


def _votes(value: int | None) -> str:
    return "—" if value is None else str(value)


def _resolution_table(s: Section, L: dict) -> tuple[list[str], list[list[str]]]:
    headers = [L["number"], _field(Resolution, "text"), _field(Resolution, "votes_for"),
               _field(Resolution, "votes_against"), _field(Resolution, "votes_abstain")]
    rows = [[str(i), r.text, _votes(r.votes_for), _votes(r.votes_against), _votes(r.votes_abstain)]
            for i, r in enumerate(s.resolutions, start=1)]
    return headers, rows


def _signoff(s: Section, L: dict) -> list[tuple[str, str]]:
    def who_when(name: str, at) -> str:
        return "，".join(x for x in (name, _datetime(at)) if x) or L["not_yet"]

    return [
        (_field(Activity, "status"), s.status_label),
        (L["submitted"], who_when(s.submitted_by, s.submitted_at)),
        (L["locked"], who_when(s.locked_by, s.locked_at)),
    ]


def _amendment_head(m: AmendmentItem) -> str:
    return f"{_datetime(m.at)}　{m.by}"


def _quorum_line(q: QuorumItem) -> str:
    text = _("%(organization)s · %(type)s: %(present)s of %(base)s present") % {
        "organization": q.organization, "type": q.type, "present": q.present, "base": q.base}
    return _paren(text, _("quorum met") if q.met else _("no quorum"))


def _heading(s: Section) -> str:
    return f"{_date(s.date)}　{s.title}"


def _cover_title(ledger: Ledger) -> str:
    return _("%(year)s ledger of organizational life") % {"year": ledger.year}


def _page_label() -> str:
    return _("Page %(page)s of %(total)s") % {"page": "{page}", "total": "{total}"}


def _cover_facts(ledger: Ledger, L: dict) -> list[tuple[str, str]]:
    rows = [(L["code"], ledger.org_code), (L["rulebook"], ledger.rulebook_name)]
    if ledger.type_label:
        rows.append((L["types"], ledger.type_label))
    rows.append((L["generated"], _datetime(ledger.generated_at)))
    return rows


def _step(progress: Progress, start: int, end: int, total: int):
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


def filename(*, organization: Organization, year: int, type_code: str | None, fmt: str) -> str:
    return f"{organization.code}-{year}{'-' + type_code if type_code else ''}-ledger.{fmt}"


# --- Images ---

_IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif"}


def _image(data: bytes) -> tuple[bytes, str] | None:
    """The image as PNG, JPEG or GIF bytes (converting other formats), or None if unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            ext = _IMAGE_FORMATS.get(img.format or "")
            if ext:
                return data, ext
            img.load()
            out = io.BytesIO()
            if img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            img.save(out, "JPEG", quality=88)
            return out.getvalue(), "jpg"
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def _photo(photo: PhotoItem) -> tuple[bytes, str] | None:
    try:
        data = photo.read()
    except (OSError, ValueError):
        return None
    return _image(data)


# --- PDF (Typst) ---


def _typst_table(headers: list[str], rows: list[list[str]], widths: list[float]) -> dict:
    return {"headers": headers, "rows": rows, "widths": widths}


def _font_paths() -> list[str]:
    return [str(d) for d in getattr(settings, "TYPST_FONT_DIRS", ()) or () if Path(d).is_dir()]


def _minutes_image(block: richtext.Block) -> str | None:
    # Images inside minutes are described by their caption: a src may point anywhere (another
    # organization's files included), so nothing is fetched on the writer's behalf.
    return None


def _compile(root: Path, data: dict) -> bytes:
    import typst

    (root / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return typst.compile(str(root / "ledger.typ"), root=str(root), format="pdf",
                         font_paths=_font_paths())


def _typst_reads_image(root: Path, path: str) -> bool:
    import typst

    probe = root / "probe.typ"
    probe.write_text(f"#image({richtext.typst_string(path)}, width: 1cm)", encoding="utf-8")
    try:
        typst.compile(str(probe), root=str(root), format="pdf")
    except Exception:
        return False
    return True


def build_pdf(ledger: Ledger, progress: Progress = None) -> bytes:
    L = _labels()
    english = _is_english()
    report = _step(progress, 25, 60, len(ledger.sections))
    with tempfile.TemporaryDirectory(prefix="ledger-") as tmp:
        root = Path(tmp)
        (root / "photos").mkdir()
        sections = []
        for i, s in enumerate(ledger.sections, start=1):
            photos = []
            for j, p in enumerate(s.photos):
                image = _photo(p)
                path = ""
                if image is not None:
                    path = f"photos/{i}-{j}.{image[1]}"
                    (root / path).write_bytes(image[0])
                photos.append({"path": path, "caption": p.caption or p.filename})
            res_headers, res_rows = _resolution_table(s, L)
            sections.append({
                "heading": _heading(s),
                "facts": _facts(s, L),
                "summary": _summary(s),
                "attendance": _attendance(s, L),
                "agenda": s.agenda,
                "minutes": richtext.to_typst(s.minutes, heading_offset=1, image_path=_minutes_image),
                "resolutions": _typst_table(res_headers, res_rows, [3, 0, 4, 4, 5.5]),
                "photos": photos,
                "quorum": [_quorum_line(q) for q in s.quorum],
                "signoff": _signoff(s, L),
                "amendments": [
                    {"head": _amendment_head(m), "reason": m.reason,
                     "changes": _typst_table([L["what"], L["before"], L["after"]],
                                             [list(c) for c in m.changes], [7, 0, 0])}
                    for m in s.amendments
                ],
            })
            report(i)
        data = {
            "lang": "en" if english else "zh",
            "region": "us" if english else "cn",
            "labels": L,
            "org": ledger.org_name,
            "title": _cover_title(ledger),
            "subtitle": ledger.type_label,
            "running": _cover_title(ledger) + (f" · {ledger.type_label}" if ledger.type_label else ""),
            "cover": _cover_facts(ledger, L),
            "page_label": _page_label(),
            "empty": L["empty"],
            "sections": sections,
        }
        shutil.copyfile(TEMPLATE, root / "ledger.typ")
        if progress:
            progress(65)
        try:
            pdf = _compile(root, data)
        except Exception:
            # Pillow reads only a photo's header; a photo broken further in stops Typst. The
            # ledger is still owed: find the photos Typst cannot read, describe them by their
            # captions instead, and build it again.
            photos = [p for section in sections for p in section["photos"] if p["path"]]
            broken = [p for p in photos if not _typst_reads_image(root, p["path"])]
            if not broken:
                raise
            for photo in broken:
                photo["path"] = ""
            pdf = _compile(root, data)
    if progress:
        progress(95)
    return pdf


# --- DOCX ---

_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CM = 567  # twips in a centimetre
TEXT_WIDTH = int(16.6 * CM)  # A4 less 2.2 cm margins


def _x(text) -> str:
    """Text that XML (and so Word) accepts."""
    return _XML_BAD.sub("", str(text or ""))


def _set_fonts(rpr, latin: str, east_asia: str) -> None:
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        from docx.oxml import OxmlElement

        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _docx_styles(doc) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, *DOCX_BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    for style in styles:
        if style.type not in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            continue
        is_heading = style.name.startswith(("Heading", "Title", "Subtitle")) or style.name == "TOC Heading"
        _set_fonts(style.element.get_or_add_rPr(), *(DOCX_HEADING_FONT if is_heading else DOCX_BODY_FONT))
        if is_heading and style.font.color is not None and style.font.color.type is not None:
            style.font.color.rgb = RGBColor(0, 0, 0)
    normal = styles["Normal"]
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.25
    sizes = {"Title": 26, "Heading 1": 16, "Heading 2": 13, "Heading 3": 12, "Heading 4": 11,
             "Heading 5": 11}
    for name, size in sizes.items():
        styles[name].font.size = Pt(size)
    styles["Heading 2"].paragraph_format.space_before = Pt(12)
    # The Title style of the default template draws a coloured rule under it.
    title_ppr = styles["Title"].element.pPr
    if title_ppr is not None:
        border = title_ppr.find(qn("w:pBdr"))
        if border is not None:
            title_ppr.remove(border)


def _field_xml(instr: str) -> str:
    return f'<w:fldSimple w:instr="{instr}"><w:r><w:t>1</w:t></w:r></w:fldSimple>'


def _footer_page_numbers(paragraph) -> None:
    """"Page N of M" with PAGE and NUMPAGES fields, in the label's own word order."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    label = _page_label()
    parts = re.split(r"(\{page\}|\{total\})", label)
    xml = []
    for part in parts:
        if part == "{page}":
            xml.append(_field_xml(" PAGE "))
        elif part == "{total}":
            xml.append(_field_xml(" NUMPAGES "))
        elif part:
            xml.append(f'<w:r><w:t xml:space="preserve">{xml_escape(_x(part))}</w:t></w:r>')
    for el in parse_xml(f'<w:p {nsdecls("w")}>{"".join(xml)}</w:p>'):
        paragraph._p.append(el)


class _ZipWriter:
    """Writes the parts of a DOCX package; photos are stored as they are (JPEG and PNG do not
    deflate further, and deflating a year of photos costs more than the rest of the build)."""

    def __init__(self, stream):
        self._zip = zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED)

    def write(self, pack_uri, blob) -> None:
        media = pack_uri.startswith("/word/media/")
        self._zip.writestr(pack_uri.membername, blob,
                           compress_type=zipfile.ZIP_STORED if media else zipfile.ZIP_DEFLATED)

    def close(self) -> None:
        self._zip.close()


def _save_docx(doc) -> bytes:
    from docx.opc.pkgwriter import PackageWriter

    out = io.BytesIO()
    package = doc.part.package
    steps = ("_write_content_types_stream", "_write_pkg_rels", "_write_parts")
    if not all(hasattr(PackageWriter, step) for step in steps):  # another python-docx
        doc.save(out)
        return out.getvalue()
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    writer = _ZipWriter(out)
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    writer.close()
    return out.getvalue()


def _t(text) -> str:
    """Escaped text of a w:t element."""
    return xml_escape(_x(text))


def _table_xml(rows: list[list[str]], widths: list[float], *, header: bool = True,
               label_column: bool = False) -> str:
    """A bordered table with fixed column widths (cm; 0 shares what is left)."""
    fixed = sum(w for w in widths if w)
    flex = [w for w in widths if not w]
    rest = max(TEXT_WIDTH - int(fixed * CM), CM * 2)
    twips = [int(w * CM) if w else rest // len(flex) for w in widths]
    xml = [
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>'
    ]
    xml += [f'<w:gridCol w:w="{w}"/>' for w in twips]
    xml.append("</w:tblGrid>")
    for i, row in enumerate(rows):
        head = header and i == 0
        xml.append("<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if head else "") + "</w:trPr>")
        for j, cell in enumerate(row):
            strong = head or (label_column and j == 0)
            rpr = "<w:rPr><w:b/></w:rPr>" if strong else ""
            fill = '<w:shd w:val="clear" w:color="auto" w:fill="EDEDED"/>' if strong else ""
            xml.append(f'<w:tc><w:tcPr><w:tcW w:w="{twips[j]}" w:type="dxa"/>{fill}</w:tcPr>')
            for line in str(cell or "").split("\n"):
                xml.append('<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="260" '
                           f'w:lineRule="auto"/></w:pPr><w:r>{rpr}'
                           f'<w:t xml:space="preserve">{_t(line)}</w:t></w:r></w:p>')
            xml.append("</w:tc>")
        xml.append("</w:tr>")
    xml.append("</w:tbl>")
    # A paragraph after each table keeps two tables from running into one.
    xml.append('<w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>')
    return "".join(xml)


class _DocxBody:
    """The document's body written as WordprocessingML text and parsed in one piece per
    section: python-docx's element-by-element API costs more than the rest of the build."""

    NAMESPACES = ("w", "r", "wp", "a", "pic")

    def __init__(self, doc):
        self.doc = doc
        self.xml: list[str] = []
        self.style_ids: dict[str, str] = {}
        self.images: dict[str, tuple] = {}
        self.shape_id = 100_000

    def style(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def runs(self, runs) -> str:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        out = []
        for run in runs:
            if run.text == "\n":
                out.append("<w:r><w:br/></w:r>")
                continue
            # In the schema's order: b, i, color, u.
            props = ("<w:b/>" if run.bold else "") + ("<w:i/>" if run.italic else "")
            if run.href:
                props += '<w:color w:val="0563C1"/>'
            if run.underline or run.href:
                props += '<w:u w:val="single"/>'
            r = (f'<w:r>{"<w:rPr>" + props + "</w:rPr>" if props else ""}'
                 f'<w:t xml:space="preserve">{_t(run.text)}</w:t></w:r>')
            if run.href:
                r_id = self.doc.part.relate_to(run.href, RT.HYPERLINK, is_external=True)
                r = f'<w:hyperlink r:id="{r_id}">{r}</w:hyperlink>'
            out.append(r)
        return "".join(out)

    def p(self, content: str | list = "", style: str | None = None, *, center: bool = False,
          page_break: bool = False, after: int | None = None, bold: str = "", extra: str = "") -> None:
        """A paragraph of text (or of runs): `bold` goes first, in bold; `extra` is raw XML."""
        ppr = ""
        if style:
            ppr += f'<w:pStyle w:val="{self.style(style)}"/>'
        if page_break:
            ppr += "<w:pageBreakBefore/>"
        if after is not None:
            ppr += f'<w:spacing w:after="{after}"/>'
        if center:
            ppr += '<w:jc w:val="center"/>'
        body = self.runs([richtext.Run(bold, bold=True)]) if bold else ""
        if isinstance(content, str):
            body += self.runs([richtext.Run(content)]) if content else ""
        else:
            body += self.runs(content)
        self.xml.append(f'<w:p>{"<w:pPr>" + ppr + "</w:pPr>" if ppr else ""}{extra}{body}</w:p>')

    def table(self, rows, widths, **kwargs) -> None:
        self.xml.append(_table_xml(rows, widths, **kwargs))

    def picture(self, data: bytes) -> None:
        """The image, centred, 12 cm wide at most and 9 cm high at most. Each distinct image is
        one part of the package (python-docx's add_picture hashes every image already in the
        document for each new one, and scans the whole document for a free id)."""
        from docx.image.image import Image as DocxImage
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.oxml.shape import CT_Inline
        from docx.parts.image import ImagePart
        from docx.shared import Cm
        from lxml import etree

        digest = hashlib.sha1(data).hexdigest()
        if digest not in self.images:
            image = DocxImage.from_blob(data)
            part = ImagePart.from_image(
                image, PackURI(f"/word/media/ledger{len(self.images) + 1}.{image.ext}"))
            self.images[digest] = (self.doc.part.relate_to(part, RT.IMAGE), image)
        r_id, image = self.images[digest]
        cx, cy = image.scaled_dimensions(Cm(12), None)
        if cy > Cm(9):
            cx, cy = image.scaled_dimensions(None, Cm(9))
        self.shape_id += 1
        inline = CT_Inline.new_pic_inline(self.shape_id, r_id, image.filename, cx, cy)
        drawing = etree.tostring(inline, encoding="unicode")
        self.xml.append(f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing>{drawing}'
                        "</w:drawing></w:r></w:p>")

    def flush(self) -> None:
        """Parse what was written and put it at the end of the body (before its sectPr)."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        if not self.xml:
            return
        fragment = parse_xml(f'<w:body {nsdecls(*self.NAMESPACES)}>{"".join(self.xml)}</w:body>')
        self.xml = []
        body = self.doc.element.body
        end = body.sectPr
        for child in list(fragment):
            if end is not None:
                end.addprevious(child)
            else:
                body.append(child)


def _docx_minutes(out: _DocxBody, blocks: list[richtext.Block]) -> None:
    for block in blocks:
        if block.kind == richtext.HEADING:
            out.p(block.runs, f"Heading {min(block.level + 1, 5)}")
        elif block.kind == richtext.LIST_ITEM:
            depth = min(block.level, 3)
            suffix = "" if depth == 1 else f" {depth}"
            if block.ordered:
                out.p([richtext.Run(f"{block.number}. "), *block.runs], "List Continue" + suffix)
            else:
                out.p(block.runs, "List Bullet" + suffix)
        elif block.kind == richtext.QUOTE:
            out.p(block.runs, "Quote")
        elif block.kind == richtext.IMAGE:
            out.p(f"[{block.caption or block.alt or block.src}]", "Caption")
        elif block.kind == richtext.TABLE:
            width = max(len(r) for r in block.rows)
            out.table([[richtext.runs_text(c) for c in row] for row in block.rows], [0] * width,
                      header=block.header_rows > 0)
        else:
            out.p(block.runs)


def _docx_section(out: _DocxBody, s: Section, L: dict, number: int) -> None:
    out.p(_heading(s), "Heading 1", page_break=True,
          extra=f'<w:bookmarkStart w:id="{number}" w:name="activity_{number}"/>'
                f'<w:bookmarkEnd w:id="{number}"/>')
    out.table([list(r) for r in _facts(s, L)], [3.2, 0], header=False, label_column=True)

    out.p(L["attendance"], "Heading 2")
    out.p(_summary(s))
    out.table([list(r) for r in _attendance(s, L)], [3.6, 0], header=False, label_column=True)

    out.p(L["agenda"], "Heading 2")
    for i, item in enumerate(s.agenda, start=1):
        out.p(f"{i}. {item}", "List Continue")
    if not s.agenda:
        out.p(L["none"])

    out.p(L["discussion"], "Heading 2")
    _docx_minutes(out, s.minutes)
    if not s.minutes:
        out.p(L["none"])

    out.p(L["resolutions"], "Heading 2")
    headers, rows = _resolution_table(s, L)
    if rows:
        out.table([headers, *rows], [1.2, 0, 1.6, 1.6, 1.6])
    else:
        out.p(L["none"])

    if s.photos:
        out.p(L["photos"], "Heading 2")
        for photo in s.photos:
            image = _photo(photo)
            if image is not None:
                try:
                    out.picture(image[0])
                except Exception:  # python-docx cannot place every image that Pillow reads
                    image = None
            caption = photo.caption or photo.filename
            out.p(caption if image else f"{L['photo_missing']} {caption}", "Caption", center=True)

    if s.quorum:
        out.p(L["quorum"], "Heading 2")
        for q in s.quorum:
            out.p(_quorum_line(q), "List Bullet")

    out.p(L["signoff"], "Heading 2")
    out.table([list(r) for r in _signoff(s, L)], [3.2, 0], header=False, label_column=True)

    if s.amendments:
        out.p(L["amendments"], "Heading 2")
        for m in s.amendments:
            out.p("", bold=_amendment_head(m))
            out.p(m.reason, bold=L["reason"] + L["colon"])
            if m.changes:
                out.table([[L["what"], L["before"], L["after"]], *[list(c) for c in m.changes]],
                          [3.2, 0, 0])


def build_docx(ledger: Ledger, progress: Progress = None) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    L = _labels()
    doc = Document()
    _docx_styles(doc)
    doc.core_properties.title = _x(f"{ledger.org_name} {_cover_title(ledger)}")
    doc.core_properties.author = _x(ledger.org_name)
    doc.core_properties.language = "zh-CN"
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.6), Cm(2.4)
    section.left_margin = section.right_margin = Cm(2.2)
    section.different_first_page_header_footer = True  # no header or page number on the cover
    header = section.header.paragraphs[0]
    header.text = _x(f"{ledger.org_name}　{_cover_title(ledger)}"
                     + (f" · {ledger.type_label}" if ledger.type_label else ""))
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _footer_page_numbers(footer)
    # The template's body starts with an empty paragraph; the cover takes its place.
    for p in list(doc.element.body.iterchildren("{*}p")):
        doc.element.body.remove(p)

    out = _DocxBody(doc)
    # Cover
    for _i in range(6):
        out.p()
    out.p([richtext.Run(ledger.org_name)], "Subtitle", center=True)
    out.p(_cover_title(ledger), "Title", center=True)
    if ledger.type_label:
        out.p(ledger.type_label, "Subtitle", center=True)
    for _i in range(6):
        out.p()
    for label, value in _cover_facts(ledger, L):
        out.p(value, bold=label + L["colon"], center=True)

    # Contents: a list linking to each section (Word's own TOC field would need updating first)
    out.p(L["contents"], "TOC Heading", page_break=True)
    if ledger.is_empty:
        out.p(L["empty"])
    for i, s in enumerate(ledger.sections, start=1):
        out.p(after=40, extra=f'<w:hyperlink w:anchor="activity_{i}"><w:r>'
                              f'<w:t xml:space="preserve">{_t(f"{i}. {_heading(s)}")}</w:t></w:r>'
                              "</w:hyperlink>")
    out.flush()

    report = _step(progress, 25, 90, len(ledger.sections))
    for i, s in enumerate(ledger.sections, start=1):
        _docx_section(out, s, L, i)
        out.flush()
        report(i)
    content = _save_docx(doc)
    if progress:
        progress(95)
    return content


# --- XLSX ---


def _naive(value: datetime.datetime | None):
    return value.replace(tzinfo=None, microsecond=0) if value is not None else None


def build_xlsx(ledger: Ledger, progress: Progress = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    L = _labels()
    bold, wrap = Font(bold=True), Alignment(vertical="center", wrap_text=True)

    def sheet(ws, headers, rows, widths, date_columns=(), datetime_columns=()):
        """Written once, row by row (write-only mode: a year of attendance is thousands of rows)."""
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A2"
        if rows and len(rows[0]) == len(headers):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
        head = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=str(h))
            cell.font, cell.alignment = bold, wrap
            head.append(cell)
        ws.append(head)
        formats = {c - 1: "yyyy-mm-dd" for c in date_columns}
        formats.update({c - 1: "yyyy-mm-dd hh:mm" for c in datetime_columns})
        for row in rows:
            values = [_x(v) if isinstance(v, str) else v for v in row]
            for i, number_format in formats.items():
                if i < len(values) and values[i] is not None:
                    cell = WriteOnlyCell(ws, value=values[i])
                    cell.number_format = number_format
                    values[i] = cell
            ws.append(values)

    wb = Workbook(write_only=True)
    activities = wb.create_sheet("活动 Activities")
    headers = [
        L["date_time"], L["types"], _field(Activity, "title"), _field(Activity, "place"),
        _field(Activity, "host"), _field(Activity, "recorder"), capfirst(str(AttendanceRole.EXPECTED.label)),
        capfirst(str(AttendanceStatus.PRESENT.label)), capfirst(str(AttendanceStatus.EXCUSED.label)),
        capfirst(str(AttendanceStatus.ABSENT.label)), L["observers"], _field(Activity, "status"),
        _field(Activity, "locked_at"),
    ]
    rows = [
        [_naive(s.starts_at), "、".join(s.type_labels), s.title, s.place, s.host, s.recorder,
         len(s.expected), len(s.present), len(s.excused), len(s.absent), len(s.observers),
         s.status_label, _naive(s.locked_at)]
        for s in ledger.sections
    ]
    if not rows:
        rows = [[L["empty"]]]
    sheet(activities, headers, rows, [17, 18, 36, 20, 10, 10, 7, 7, 7, 7, 7, 14, 17],
          datetime_columns=(1, 13))
    if progress:
        progress(50)

    attendance = wb.create_sheet("出勤 Attendance")
    headers = [
        L["date_time"], _field(Activity, "title"), _field(Attendance, "name"),
        _field(Attendance, "organization"), _field(Attendance, "role"), _field(Attendance, "status"),
        _field(Attendance, "reason"), _field(Attendance, "makeup_on"), _field(Attendance, "makeup_note"),
    ]
    rows = [
        [_naive(s.starts_at), s.title, a.name, a.organization, a.role_label, a.status_label, a.reason,
         a.makeup_on, a.makeup_note]
        for s in ledger.sections for a in s.attendance
    ]
    if not rows:
        rows = [[L["empty"]]]
    sheet(attendance, headers, rows, [17, 36, 12, 22, 12, 10, 24, 12, 24],
          date_columns=(8,), datetime_columns=(1,))
    wb.properties.title = f"{ledger.org_name} {_cover_title(ledger)}"
    out = io.BytesIO()
    wb.save(out)
    if progress:
        progress(95)
    return out.getvalue()


BUILDERS = {"pdf": build_pdf, "docx": build_docx, "xlsx": build_xlsx}


def build(*, organization: Organization, year: int, type_code: str | None = None, fmt: str,
          progress: Progress = None) -> tuple[bytes, str]:
    """The ledger as a file: (content, file name)."""
    if fmt not in BUILDERS:
        raise LedgerError(_("Unknown format: %(format)s (one of %(formats)s)")
                          % {"format": fmt, "formats": ", ".join(FORMATS)})
    if progress:
        progress(5)
    ledger = ledger_data(organization=organization, year=year, type_code=type_code)
    if progress:
        progress(20)
    content = BUILDERS[fmt](ledger, progress=progress)
    return content, filename(organization=organization, year=year, type_code=ledger.type_code, fmt=fmt)
