"""The awards part of the demo (demo/awards.yaml): awards of the Research Office, the committee's
youth research award (published) and the general branch's Party-course competition (scoring).
Everything goes through the services, with the dates of the YAML as `today`. Keyed on the award's
organization, title, year and body and on the competition's organization and title, so loading
again changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from branchwork.awards import services
from branchwork.awards.models import Award, AwardGrade, Competition, CompetitionStatus
from branchwork.core import audit
from branchwork.core import demo as core_demo
from branchwork.core.models import Organization, Person
from branchwork.lectures.models import Talk
from branchwork.research.models import Output

_DATA = core_demo.read_data(__file__, "awards.yaml")
ORDER = [CompetitionStatus.DRAFT, CompetitionStatus.OPEN, CompetitionStatus.CLOSED, CompetitionStatus.SCORING,
         CompetitionStatus.PUBLISHED]


def _day(value) -> datetime.date | None:
    if value is None:
        return None
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _people() -> dict[str, Person]:
    emails = {p.key: p.email for p in core_demo.PEOPLE}
    by_email = {p.email: p for p in Person.objects.filter(email__in=emails.values())}
    return {key: by_email[email] for key, email in emails.items() if email in by_email}


def _who(people, key):
    return people.get(key, key)


def _competition(spec, people, orgs, grades) -> bool:
    org = orgs[spec["org"]]
    if Competition.objects.filter(organization=org, title=spec["title"]).exists():
        return False
    c = services.competition_create(
        by=None, organization=org, title=spec["title"], title_en=spec.get("title_en", ""), call=spec.get("call", ""),
        opens_on=_day(spec["opens_on"]), closes_on=_day(spec["closes_on"]), results_on=_day(spec.get("results_on")),
        blind=spec.get("blind", False), method=spec.get("method", "mean"), award_level=spec.get("award_level", "institution"))
    for rule in spec.get("rules", []):
        extra = {k: v for k, v in rule.items() if k in ("number", "entry_kind")}
        if "organization" in rule:
            extra["organization"] = orgs[rule["organization"]]
        services.rule_add(by=None, competition=c, kind=rule["kind"], **extra)
    criteria = [services.criterion_add(by=None, competition=c, name=cr["name"], name_en=cr.get("name_en", ""),
                                       weight=Decimal(cr.get("weight", "1")),
                                       max_score=Decimal(cr.get("max_score", "100")))
                for cr in spec.get("criteria", [])]
    for prize in spec.get("prizes", []):
        services.prize_set(by=None, competition=c, grade=grades[prize["grade"]], places=prize["places"])
    services.competition_advance(by=None, competition=c, to=CompetitionStatus.OPEN, today=c.opens_on)
    judges = {key: services.judge_add(by=None, competition=c, person=people[key]) for key in spec.get("judges", [])}
    entries = {}
    for e in spec.get("entries", []):
        output = Output.objects.filter(title=e["output"]).first() if e.get("output") else None
        talk = Talk.objects.filter(topic=e["talk"]).first() if e.get("talk") else None
        entries[e["title"]] = services.entry_submit(
            by=None, competition=c, organization=orgs[e["org"]], title=e["title"], abstract=e.get("abstract", ""),
            entrants=[(_who(people, x["who"]), _day(x.get("born"))) for x in e["entrants"]],
            output=output, talk=talk, today=_day(e["entered_on"]))
    for conflict in spec.get("conflicts", []):
        services.conflict_declare(by=None, judge=judges[conflict["judge"]], entry=entries[conflict["entry"]],
                                  reason=conflict.get("reason", ""))
    target = spec.get("status", CompetitionStatus.OPEN)
    for state in ORDER[2:ORDER.index(target) + 1]:
        if state == CompetitionStatus.PUBLISHED:
            break
        services.competition_advance(by=None, competition=c, to=state, today=c.closes_on)
    for e in spec.get("entries", []):
        for key, values in e.get("scores", {}).items():
            services.scores_record(by=None, judge=judges[key], entry=entries[e["title"]],
                                   values={cr: Decimal(str(v)) for cr, v in zip(criteria, values, strict=True)},
                                   today=c.closes_on)
    if target == CompetitionStatus.PUBLISHED:
        services.competition_advance(by=None, competition=c, to=target, today=_day(spec["published_on"]))
    return True


def load_demo(*, stdout=None) -> None:
    services.ensure_default_grades()
    people = _people()
    orgs = {o.code: o for o in Organization.objects.all()}
    grades = {g.code: g for g in AwardGrade.objects.all()}
    created = 0
    with transaction.atomic(), audit.acting_as(None, source="demo"):
        for spec in _DATA["awards"]:
            org = orgs[spec["org"]]
            if Award.objects.filter(organization=org, title=spec["title"], year=spec["year"], body=spec["body"]).exists():
                continue
            services.award_create(
                by=None, organization=org, title=spec["title"], scope=spec["scope"], body=spec["body"],
                level=spec["level"], grade=grades.get(spec.get("grade")), year=spec["year"],
                awarded_on=_day(spec.get("awarded_on")),
                recipients=[_who(people, key) for key in spec["recipients"]],
                output=Output.objects.filter(title=spec["output"]).first() if spec.get("output") else None,
                talk=Talk.objects.filter(topic=spec["talk"]).first() if spec.get("talk") else None)
            created += 1
        for spec in _DATA["competitions"]:
            created += _competition(spec, people, orgs, grades)
    if stdout is not None:
        stdout.write(f"awards: {created} new awards and competitions.\n")
