"""The learning part of the demo (demo/learning.yaml): the Research Office branch's study plans
for two years, with its collective studies of each month linked to the month's item and its
lecture-hall talks linked by topic; a training course; external training (one approved by the
secretary, one waiting); study notes. Keyed on plan year, item topic, course and training title
and note title, so loading again changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from branchwork.activities.models import HELD_STATES, Activity
from branchwork.core import audit
from branchwork.core import demo as core_demo
from branchwork.core.models import Membership, Organization, Person, Role
from branchwork.learning import services
from branchwork.learning.models import ExternalTraining, StudyNote, StudyPlan, TrainingCourse
from branchwork.lectures.models import Talk

_DATA = core_demo.read_data(__file__, "learning.yaml")


def _day(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _studies(org: Organization, year: int, month: int) -> list[Activity]:
    return [a for a in Activity.objects.filter(
        organization=org, type_tags__code="collective_study", status__in=HELD_STATES,
        starts_at__year=year).distinct().order_by("starts_at") if a.local_date.month == month]


def _certificate(title: str, provider: str, person: str) -> ContentFile:
    """A one-page certificate of completion, typeset by Typst."""
    import json

    from branchwork.documents.typst import compile_pdf

    source = """
#let d = json(bytes(sys.inputs.data))
#set page(paper: "a5", flipped: true)
#set text(font: ("Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC"), lang: "zh",
  cjk-latin-spacing: none)
#align(center + horizon)[
  #text(size: 22pt, weight: "bold")[结业证书] \\
  #v(1em)
  #text(size: 13pt, d.person + "同志参加" + d.title + "，完成全部课程，准予结业。") \\
  #v(1em)
  #text(size: 12pt, d.provider)
]
"""
    data = json.dumps({"title": title, "provider": provider, "person": person}, ensure_ascii=False)
    pdf = compile_pdf(source.encode("utf-8"), sys_inputs={"data": data})
    return ContentFile(pdf, name="结业证书.pdf")


def load_demo(*, stdout=None) -> None:
    org = Organization.objects.filter(code=_DATA["org"]).first()
    if org is None:
        raise ValueError(f"Load core's demo first: no organization {_DATA['org']}.")
    emails = {p.key: p.email for p in core_demo.PEOPLE}
    by_email = {p.email: p for p in Person.objects.filter(email__in=emails.values())}
    people = {key: by_email[email] for key, email in emails.items() if email in by_email}
    secretary = (Membership.objects.filter(organization=org, role=Role.SECRETARY, end_on__isnull=True)
                 .select_related("person__user").first())
    approver = secretary.person.user if secretary and secretary.person.user_id else None
    created = 0
    with transaction.atomic(), audit.acting_as(None, source="demo"):
        for spec in _DATA["plans"]:
            plan = StudyPlan.objects.filter(organization=org, year=spec["year"]).first()
            if plan is None:
                plan = services.plan_create(by=None, organization=org, year=spec["year"],
                                            title=spec["title"], intro=spec.get("intro", ""))
                created += 1
            topics = set(plan.items.values_list("topic", flat=True))
            for row in spec["items"]:
                if row["topic"] in topics:
                    continue
                talk = Talk.objects.filter(topic=row["talk"]).first() if row.get("talk") else None
                services.plan_item_add(by=None, plan=plan, topic=row["topic"], month=row.get("month"),
                                       note=row.get("note", ""), talk=talk, url=row.get("url", ""),
                                       sessions=_studies(org, plan.year, row["month"]) if row.get("month") else ())
                created += 1
        course = _DATA["course"]
        if not TrainingCourse.objects.filter(organization=org, title=course["title"]).exists():
            services.course_record(by=None, organization=org, title=course["title"],
                                   provider=course["provider"], starts_on=_day(course["starts_on"]),
                                   ends_on=_day(course["ends_on"]), hours=Decimal(str(course["hours"])),
                                   participants=[people[k] for k in course["participants"] if k in people])
            created += 1
        for row in _DATA["external"]:
            person = people.get(row["person"])
            if person is None or ExternalTraining.objects.filter(person=person, title=row["title"]).exists():
                continue
            training = services.training_submit(
                by=person.user, person=person, organization=org, title=row["title"],
                provider=row["provider"], starts_on=_day(row["starts_on"]), ends_on=_day(row["ends_on"]),
                hours=Decimal(str(row["hours"])), today=_day(row["ends_on"]),
                evidence=_certificate(row["title"], row["provider"], person.name))
            if row.get("approved") and approver is not None:
                services.training_approve(by=approver, training=training)
            created += 1
        plans = {p.year: p for p in StudyPlan.objects.filter(organization=org)}
        for row in _DATA["notes"]:
            person = people.get(row["person"])
            if person is None or StudyNote.objects.filter(person=person, title=row["title"]).exists():
                continue
            plan = plans.get(row["year"])
            item = plan.items.filter(topic=row["topic"]).first() if plan else None
            services.note_write(by=person.user, person=person, organization=org, item=item,
                                title=row["title"], body=row["body"], shared=row["shared"])
            created += 1
    if stdout is not None:
        if created:
            stdout.write(f"学习 Learning: 新建 created {created} 条 records "
                         f"(学习计划、培训与心得 plans, training and notes)\n")
        else:
            stdout.write("学习演示数据已是最新。 Demo learning already up to date: nothing changed.\n")
