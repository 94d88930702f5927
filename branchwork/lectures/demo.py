"""The lecture hall's part of the demo: the series 青年理论讲堂 of the Research Office Party
branch, with talks given this year (by members and by a guest) and two to come. A talk given at a
collective study of the branch is linked to that activity when the activities demo has one near
its date (none needed). Two talks have slides: a short PDF typeset here.

Keyed on the series' title and each talk's topic, so loading again changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from branchwork.activities.models import HELD_STATES, Activity
from branchwork.core import audit
from branchwork.core import demo as core_demo
from branchwork.core.models import Organization, Person
from branchwork.lectures.models import COLLECTIVE_STUDY, LectureSeries, Talk

# The series and its talks are in demo/lecture_hall.yaml beside this module.
_DATA = core_demo.read_data(__file__, "lecture_hall.yaml")
ORG = _DATA["org"]
SERIES = _DATA["series"]
SERIES_TEXT = _DATA["series_text"]
PLACE = _DATA["place"]
# How far from a talk's date a collective study of the branch may be to count as the one it
# was given at.
NEAR = datetime.timedelta(days=21)


@dataclass(frozen=True)
class TalkSpec:
    topic: str
    date: datetime.date
    speaker: str = ""  # a key of core.demo.PEOPLE
    guest: str = ""
    affiliation: str = ""
    abstract: str = ""
    slides: tuple[str, ...] = ()  # points on the slides, one a page
    study: bool = False  # given at a collective study


TALKS = tuple(TalkSpec(**{**row, "slides": tuple(row.get("slides", ()))}) for row in _DATA["talks"])


def _slides_pdf(spec: TalkSpec, speaker: str) -> bytes | None:
    """A few slides (title, then one point a page), typeset by Typst; None if it cannot."""
    import json

    from branchwork.documents.typst import compile_pdf

    source = """
#let d = json(bytes(sys.inputs.data))
#set page(paper: "presentation-16-9", fill: rgb("#f6f1ea"))
#set text(font: ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Serif CJK SC"), lang: "zh", cjk-latin-spacing: none,
  fill: rgb("#7f1014"))
#align(center + horizon)[
  #text(size: 28pt, weight: "bold", d.title) \\
  #v(1em)
  #text(size: 16pt, d.speaker + "　" + d.date)
]
#for point in d.points {
  pagebreak()
  text(size: 24pt, weight: "bold", point)
}
"""
    data = {"title": spec.slides[0], "speaker": speaker, "date": f"{spec.date:%Y-%m-%d}",
            "points": list(spec.slides[1:])}
    try:
        return compile_pdf(source.encode("utf-8"),
                           sys_inputs={"data": json.dumps(data, ensure_ascii=False)})
    except Exception:
        return None


def _studies(org: Organization) -> list[Activity]:
    return list(
        Activity.objects.filter(type_tags__code=COLLECTIVE_STUDY, status__in=HELD_STATES,
                                organization__path__startswith=org.path)
        .distinct().order_by("starts_at"))


def _nearest(studies: list[Activity], day: datetime.date, used: set[int]) -> Activity | None:
    best = None
    for activity in studies:
        if activity.pk in used:
            continue
        gap = abs(activity.local_date - day)
        if gap <= NEAR and (best is None or gap < abs(best.local_date - day)):
            best = activity
    return best


def load_demo(*, stdout=None) -> None:
    org = Organization.objects.filter(code=ORG).first()
    if org is None:
        raise ValueError(f"Load core's demo first: no organization {ORG}.")
    emails = {p.key: p.email for p in core_demo.PEOPLE}
    by_email = {p.email: p for p in Person.objects.filter(email__in=emails.values())}
    people = {key: by_email[email] for key, email in emails.items() if email in by_email}
    created = changed = 0
    with transaction.atomic(), audit.acting_as(None, source="demo"):
        series = LectureSeries.objects.filter(organization=org, title=SERIES).first()
        if series is None:
            series = LectureSeries.objects.create(organization=org, title=SERIES, description=SERIES_TEXT)
            created += 1
        studies = _studies(org)
        existing = {t.topic: t for t in Talk.objects.filter(series=series)}
        used = {t.activity_id for t in existing.values() if t.activity_id}
        for spec in TALKS:
            talk = existing.get(spec.topic)
            if talk is not None:
                continue
            speaker = people.get(spec.speaker) if spec.speaker else None
            activity = None
            if spec.study and spec.date < timezone.localdate():
                activity = _nearest(studies, spec.date, used)
            if activity is not None:
                used.add(activity.pk)
            talk = Talk(
                organization=org, series=series, speaker=speaker, speaker_name=spec.guest,
                speaker_affiliation=spec.affiliation, topic=spec.topic, abstract=spec.abstract,
                date=activity.local_date if activity is not None else spec.date,
                place=(activity.place or PLACE) if activity is not None else PLACE,
                activity=activity,
            )
            talk.full_clean(exclude=["slides", "recording"])
            if spec.slides:
                data = _slides_pdf(spec, speaker.name if speaker else spec.guest)
                if data:
                    name = f"{spec.slides[0]}.pdf"
                    talk.slides.save(name, ContentFile(data), save=False)
                    talk.slides_name = name
            talk.save()
            created += 1
    if stdout is not None:
        if created or changed:
            stdout.write(f"讲堂 Lecture hall: 新建 created {created} 条 records "
                         f"(系列与报告 series and talks)\n")
        else:
            stdout.write("讲堂演示数据已是最新。 Demo lecture hall already up to date: nothing changed.\n")
