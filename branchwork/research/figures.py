"""The yearly figures of an organization's research work, counted from the records.

For an organization (and the organizations under it) and a year: topics by status (as of the
year's end, or today for the current year), outputs by kind, submissions and instructions by
level, publications by outlet tier (first appearances; reprints apart). One grouped count per
section, so the cost does not grow with the number of organizations or years asked about.

Other apps add sections (study hours from `learning`, awards) with `register_section(fn)`:
`fn(org, year)` returns a `Section` or None; the page, the XLSX, the command and the API show
whatever the sections hold, without this module knowing them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from branchwork.core.exports import Sheet, workbook_bytes
from branchwork.core.models import Organization
from branchwork.research.models import (
    Instruction,
    Level,
    OutletTier,
    Output,
    OutputKind,
    Publication,
    Submission,
    Topic,
    TopicStatus,
)


@dataclass
class Row:
    code: str
    name: str
    count: int


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row]
    note: str = ""
    total: int = field(init=False)

    def __post_init__(self):
        self.total = sum(r.count for r in self.rows)


@dataclass
class Figures:
    organization: Organization
    year: int
    as_of: datetime.date
    sections: list[Section]

    def as_dict(self) -> dict:
        return {
            "organization": self.organization.code,
            "organization_name": self.organization.display_name,
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "sections": [asdict(s) for s in self.sections],
        }

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


_extra_sections: list[Callable[[Organization, int], Section | None]] = []


def register_section(fn: Callable[[Organization, int], Section | None]) -> None:
    """Add a section that another app computes (study hours, awards)."""
    if fn not in _extra_sections:
        _extra_sections.append(fn)


def _org_ids(org: Organization) -> list[int]:
    """The organization and those under it (one query; a tree holds a few hundred at most)."""
    return list(Organization.objects.filter(path__startswith=org.path).values_list("pk", flat=True))


def _in(org: Organization | list[int], prefix: str = "organization__") -> Q:
    ids = org if isinstance(org, list) else _org_ids(org)
    return Q(**{f"{prefix}id__in": ids})


def _year(field: str, year: int) -> Q:
    """A date range the index serves (`__year` is a function per row on SQLite)."""
    return Q(**{f"{field}__gte": datetime.date(year, 1, 1), f"{field}__lte": datetime.date(year, 12, 31)})


def _counts(qs, key: str) -> dict[str, int]:
    return {row[key]: row["n"] for row in qs.values(key).annotate(n=Count("pk")).order_by()}


def _choice_rows(choices, counts: dict[str, int]) -> list[Row]:
    return [Row(code=value, name=str(label), count=counts.get(value, 0)) for value, label in choices]


def topic_status_case(day: datetime.date) -> Case:
    """A topic's status on `day`, from its dates, as the database computes it (Topic.status_on)."""
    return Case(
        When(cancelled_on__lte=day, then=Value(TopicStatus.CANCELLED)),
        When(completed_on__lte=day, then=Value(TopicStatus.COMPLETED)),
        When(midterm_on__lte=day, then=Value(TopicStatus.MIDTERM)),
        When(approved_on__lte=day, then=Value(TopicStatus.APPROVED)),
        default=Value(TopicStatus.PROPOSED), output_field=CharField(),
    )


def topics_of_year(org: Organization | list[int], year: int):
    """Topics at work in the year: approved by its end and not completed or cancelled before it."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (Topic.objects.filter(_in(org), approved_on__lte=end)
            .exclude(completed_on__lt=start).exclude(cancelled_on__lt=start))


def national_articles(org: Organization, year: int):
    """"Articles in national media this year": first appearances in a central or national outlet."""
    return Publication.objects.filter(_in(org, "output__organization__"), _year("published_on", year),
                                      outlet__tier=OutletTier.NATIONAL, reprint_of__isnull=True)


def yearly(org: Organization, year: int, *, today: datetime.date | None = None) -> Figures:
    today = today or timezone.localdate()
    as_of = min(datetime.date(year, 12, 31), today)
    ids = _org_ids(org)
    topic_counts = _counts(topics_of_year(ids, year).annotate(status_now=topic_status_case(as_of)),
                           "status_now")
    kinds = list(OutputKind.objects.all())
    output_counts = _counts(Output.objects.filter(_in(ids), _year("completed_on", year)), "kind_id")
    submissions = _counts(Submission.objects.filter(_in(ids, "output__organization__"),
                                                    _year("submitted_on", year)), "level")
    instructions = _counts(Instruction.objects.filter(_in(ids, "submission__output__organization__"),
                                                      _year("given_on", year)), "level")
    publications = Publication.objects.filter(_in(ids, "output__organization__"), _year("published_on", year))
    first = _counts(publications.filter(reprint_of__isnull=True), "outlet__tier")
    reprints = publications.filter(reprint_of__isnull=False).count()
    sections = [
        Section("topics_by_status", _("Topics by status"), _choice_rows(TopicStatus.choices, topic_counts),
                note=_("Topics at work in the year, with their status on %(day)s.") % {"day": as_of.isoformat()}),
        Section("outputs_by_kind", _("Outputs by kind"),
                [Row(k.code, k.display_name, output_counts.get(k.pk, 0)) for k in kinds]),
        Section("submissions_by_level", _("Submissions by level"), _choice_rows(Level.choices, submissions)),
        Section("instructions_by_level", _("Instructions by level"), _choice_rows(Level.choices, instructions)),
        Section("publications_by_tier", _("Publications by outlet tier"),
                _choice_rows(OutletTier.choices, first),
                note=_("First appearances; %(n)s reprints besides.") % {"n": reprints}),
    ]
    for fn in _extra_sections:
        extra = fn(org, year)
        if extra is not None:
            sections.append(extra)
    return Figures(organization=org, year=year, as_of=as_of, sections=sections)


# --- Presentations: SVG, XLSX, a text table ---

BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH = 22, 8, 200, 260


def bar_chart(section: Section) -> SafeString:
    """A plain horizontal bar chart as inline SVG (text escaped; no script, no external file)."""
    top = max([r.count for r in section.rows] + [1])
    height = len(section.rows) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(section.title)}</title>"]
    for i, row in enumerate(section.rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        w = round(BAR_WIDTH * row.count / top)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 6}" text-anchor="end" font-size="13">'
            f"{escape(row.name)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{w}" height="{BAR_HEIGHT}" fill="#b22222"></rect>'
            f'<text x="{LABEL_WIDTH + w + 6}" y="{y + BAR_HEIGHT - 6}" font-size="13">{row.count}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text inside is escaped above)


def xlsx(figures: Figures) -> bytes:
    rows = []
    for s in figures.sections:
        rows.extend([s.title, r.name, r.count] for r in s.rows)
        rows.append([s.title, _("Total"), s.total])
    title = _("Research figures %(org)s %(year)s") % {"org": figures.organization.display_name,
                                                     "year": figures.year}
    return workbook_bytes([Sheet(str(figures.year), [_("Section"), _("Item"), _("Count")], rows)],
                          title=title)


def table(figures: Figures) -> str:
    lines = [f"{figures.organization.display_name} {figures.year} ({figures.as_of.isoformat()})"]
    for s in figures.sections:
        lines.append("")
        lines.append(f"{s.title}: {s.total}")
        width = max([len(r.name) for r in s.rows] + [4])
        lines.extend(f"  {r.name:<{width}}  {r.count:>6}" for r in s.rows)
    return "\n".join(lines)
