"""The research part of the demo: two years of the Research Office's research work (2025–2026).

The data is in demo/research.yaml beside this module: outlets, a dozen topics, about sixty
outputs (reports and internal references with submissions and the instructions that came back,
some follow-ups still open; a document drafted in three rounds for a high-level dialogue; 27
articles in central and national media in 2026; translations and book chapters). Everything is
written through research.services, by the branch's research coordinator, as the app itself does.

Loading is idempotent: outlets by name, topics and outputs by title within the branch; what is
there already is left as it is.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from branchwork.core import audit
from branchwork.core import demo as core_demo
from branchwork.core.models import Organization, Person
from branchwork.research import services
from branchwork.research.models import Outlet, Output, OutputKind, Publication, Topic

DATA = core_demo.read_data(__file__, "research.yaml")


def _day(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


class _Loader:
    def __init__(self, org: Organization, people: dict[str, Person], by):
        self.org, self.people, self.by = org, people, by
        self.kinds = {k.code: k for k in OutputKind.objects.all()}
        self.outlets = {o.name: o for o in Outlet.objects.all()}
        self.topics = {t.title: t for t in Topic.objects.filter(organization=org)}
        self.outputs = {o.title: o for o in Output.objects.filter(organization=org)}
        self.topic_keys: dict[str, Topic] = {}
        self.created = 0

    def who(self, value: str) -> Person | str:
        return self.people.get(value, value)

    def outlet(self, row: dict) -> Outlet:
        if row["name"] not in self.outlets:
            self.outlets[row["name"]] = services.outlet_create(by=self.by, **row)
            self.created += 1
        return self.outlets[row["name"]]

    def topic(self, row: dict) -> None:
        topic = self.topics.get(row["title"])
        if topic is None:
            topic = services.topic_create(
                by=self.by, organization=self.org, title=row["title"], title_en=row.get("title_en", ""),
                source=row["source"], lead=self.people.get(row.get("lead")),
                members=[self.who(m) for m in row.get("members", [])], summary=row.get("summary", ""),
                approved_on=_day(row.get("approved")), midterm_on=_day(row.get("midterm")),
                completed_on=_day(row.get("completed")), cancelled_on=_day(row.get("cancelled")))
            self.created += 1
        self.topic_keys[row["key"]] = topic

    def output(self, row: dict, kind: str) -> Output | None:
        if row["title"] in self.outputs:
            return None
        output = services.output_create(
            by=self.by, organization=self.org, kind=self.kinds[kind], title=row["title"],
            completed_on=_day(row["date"]), authors=[self.who(a) for a in row["authors"]],
            topic=self.topic_keys.get(row.get("topic")), classification=row.get("classification", "internal"),
            readers=[self.people[r] for r in row.get("readers", [])], text=row.get("text", ""))
        self.outputs[row["title"]] = output
        self.created += 1
        for sub in row.get("submissions", []):
            self.submission(output, sub)
        for rnd in row.get("rounds", []):
            services.draft_round_add(by=self.by, output=output, circulated_on=_day(rnd["day"]),
                                     note=rnd.get("note", ""),
                                     reviews=[(self.who(w), said) for w, said in rnd.get("reviews", [])])
        return output

    def submission(self, output: Output, row: dict) -> None:
        submission = services.submission_create(
            by=self.by, output=output, recipient=row["to"], recipient_kind=row.get("kind", "leader"),
            level=row["level"], submitted_on=_day(row["day"]))
        given = row.get("instruction")
        if not given:
            return
        instruction = services.instruction_record(
            by=self.by, submission=submission, given_by=given["by"], level=given["level"],
            given_on=_day(given["day"]), text=given.get("text", ""))
        for follow in given.get("follow_ups", []):
            follow_up = services.follow_up_add(by=self.by, instruction=instruction, action=follow["action"],
                                               owner=self.people[follow["owner"]], due_on=_day(follow["due"]))
            if follow.get("closed"):
                services.follow_up_close(by=self.by, follow_up=follow_up, today=_day(follow["closed"]))

    def article(self, row: list) -> None:
        day, title, author, outlet, page = row
        output = self.output({"title": title, "date": day, "authors": [author]}, "article")
        if output is not None:
            services.publication_add(by=self.by, output=output, outlet=self.outlets[outlet],
                                     published_on=_day(day), page_or_url=page)

    def reprint(self, row: list) -> None:
        title, outlet, day = row
        output = self.outputs[title]
        if Publication.objects.filter(output=output, outlet=self.outlets[outlet]).exists():
            return
        first = Publication.objects.filter(output=output, reprint_of__isnull=True).order_by("published_on").first()
        services.publication_add(by=self.by, output=output, outlet=self.outlets[outlet],
                                 published_on=_day(day), reprint_of=first)
        self.created += 1


def load_demo(*, stdout=None) -> None:
    org = Organization.objects.filter(code=DATA["org"]).first()
    if org is None:
        raise ValueError(f"Load core's demo first: no organization {DATA['org']}.")
    emails = {p.key: p.email for p in core_demo.PEOPLE}
    by_email = {p.email: p for p in Person.objects.filter(email__in=emails.values())}
    people = {key: by_email[email] for key, email in emails.items() if email in by_email}
    coordinator = people[DATA["by"]]
    by = get_user_model().objects.filter(person=coordinator).first()
    services.ensure_default_kinds()
    with transaction.atomic(), audit.acting_as(None, source="demo"):
        loader = _Loader(org, people, by)
        for row in DATA["outlets"]:
            loader.outlet(row)
        for row in DATA["topics"]:
            loader.topic(row)
        for row in DATA["reports"]:
            loader.output(row, row["kind"])
        for row in DATA["drafts"]:
            loader.output(row, "document_draft")
        for row in DATA["articles"]:
            loader.article(row)
        for row in DATA["reprints"]:
            loader.reprint(row)
        for row in DATA["others"]:
            loader.output(row, row["kind"])
    if stdout is not None:
        if loader.created:
            stdout.write(f"调研 Research: 新建 created {loader.created} 条 records "
                         "(媒体、课题、成果、发表 outlets, topics, outputs, publications)\n")
        else:
            stdout.write("调研演示数据已是最新。 Demo research already up to date: nothing changed.\n")
