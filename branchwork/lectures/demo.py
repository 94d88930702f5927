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

ORG = "yjs-branch"
SERIES = "青年理论讲堂"
SERIES_TEXT = ("研究室党支部为青年党员和入党积极分子开设的理论学习讲堂。每期由一位青年党员或特邀嘉宾"
               "主讲一个专题，支部委员和资深研究员点评，讲稿和课件留存于此，供大家复习。")
PLACE = "研究院三楼党员活动室"
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


TALKS = (
    TalkSpec("读原著与做研究", datetime.date(2026, 3, 12), speaker="wanghaoran", study=True,
             abstract="结合区域协调发展课题的写作经历，谈怎样带着问题读原著，怎样把理论观点转化为"
                      "分析框架，以及学习札记与研究报告如何相互促进。",
             slides=("读原著与做研究", "一、为什么要带着问题读", "二、从观点到分析框架",
                     "三、学习札记怎么写")),
    TalkSpec("从《共产党宣言》看理论的生命力", datetime.date(2026, 5, 14), speaker="tangjiaxin",
             study=True,
             abstract="重读《共产党宣言》，梳理其基本观点和历史背景，讨论经典著作为什么历久弥新，"
                      "以及青年党员应当怎样读经典。",
             slides=("从《共产党宣言》看理论的生命力", "一、写作背景", "二、基本观点", "三、怎样读经典")),
    TalkSpec("新时代调查研究的方法与实践", datetime.date(2026, 7, 9), guest="林志远",
             affiliation="东湖大学马克思主义学院教授", study=True,
             abstract="特邀嘉宾结合多年基层调研经历，介绍问卷、访谈、蹲点等方法的适用场景，"
                      "并就如何写好调研报告与大家交流。"),
    TalkSpec("数字时代的基层治理", datetime.date(2026, 9, 17), speaker="caiwenbo",
             abstract="以两个街道的“一网统管”实践为例，讨论数字技术在基层治理中的作用与边界，"
                      "以及如何避免“指尖上的形式主义”。"),
    TalkSpec("年终回望：青年党员的学习与成长", datetime.date(2026, 12, 10), speaker="rensiyuan",
             abstract="回顾一年来青年理论讲堂的各期专题，交流学习收获，并征集明年的选题。"),
    TalkSpec("怎样写好一篇内部研究报告", datetime.date(2027, 1, 14), speaker="songwenjing",
             abstract="资深研究员谈内部研究报告的选题、结构和文风：问题要准、分析要实、建议要可行。"),
)


def _slides_pdf(spec: TalkSpec, speaker: str) -> bytes | None:
    """A few slides (title, then one point a page), typeset by Typst; None if it cannot."""
    import json

    import typst

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
        return typst.compile(source.encode("utf-8"), format="pdf",
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
