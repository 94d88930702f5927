"""Test data of research work, shared by the app's tests and the project's walks.

Besides the personas of core.testing: Erin is branch A's research coordinator, Frank a plain
member of branch A (not an author of anything). Bob writes the report.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.core.files.base import ContentFile

from branchwork.core.models import Role
from branchwork.core.testing import give_role, person_with_login
from branchwork.research import services
from branchwork.research.models import Classification, Level, OutletTier, OutputKind

INSTRUCTION_TEXT = "请研究室抓紧落实 A-INSTRUCTION-5521"  # only in an instruction on branch A's report
RESTRICTED_TITLE = "限定范围的专报 A-RESTRICTED-8830"  # title of a restricted output of branch A
FOLLOW_UP_ACTION = "形成落实方案 A-FOLLOWUP-6412"


def kind(code: str) -> OutputKind:
    services.ensure_default_kinds()  # a transactional test before this one flushed them
    return OutputKind.objects.get(code=code)


def add_coordinator(personas) -> SimpleNamespace:
    erin = person_with_login("erin", "孙怡然", name_en="Erin")
    give_role(erin, personas.branch_a, Role.MEMBER)
    give_role(erin, personas.branch_a, Role.RESEARCH_COORDINATOR)
    frank = person_with_login("frank", "周帆", name_en="Frank")
    give_role(frank, personas.branch_a, Role.MEMBER)
    personas.erin, personas.frank = erin.user, frank.user
    personas.people.erin, personas.people.frank = erin, frank
    return personas


def research_world(personas) -> SimpleNamespace:
    """Branch A's research: a topic, Bob's report submitted with an instruction and a follow-up,
    a restricted internal reference, a classified one, two outlets and a publication."""
    if not hasattr(personas, "erin"):
        add_coordinator(personas)
    erin = personas.erin
    services.ensure_default_kinds()
    w = SimpleNamespace()
    w.national = services.outlet_create(by=erin, name="人民日报", name_en="People's Daily",
                                        tier=OutletTier.NATIONAL)
    w.journal = services.outlet_create(by=erin, name="当代世界", name_en="Contemporary World",
                                       tier=OutletTier.ACADEMIC)
    w.topic = services.topic_create(
        by=erin, organization=personas.branch_a, title="全球治理调研", title_en="Global governance study",
        lead=personas.people.bob, members=[personas.people.bob, "外请专家甲"],
        approved_on=datetime.date(2026, 3, 1))
    w.report = services.output_create(
        by=erin, organization=personas.branch_a, kind=kind("research_report"), topic=w.topic,
        title="关于全球治理的调研报告", title_en="A report on global governance",
        completed_on=datetime.date(2026, 6, 1), authors=[personas.people.bob, "外请专家甲"],
        classification=Classification.INTERNAL, text="报告正文")
    w.submission = services.submission_create(
        by=erin, output=w.report, recipient="部领导", level=Level.MINISTRY,
        submitted_on=datetime.date(2026, 6, 5))
    w.instruction = services.instruction_record(
        by=erin, submission=w.submission, given_by="某部长", level=Level.MINISTRY,
        given_on=datetime.date(2026, 6, 20), text=INSTRUCTION_TEXT,
        scan=ContentFile(b"%PDF-1.4 scan", name="scan.pdf"))
    w.follow_up = services.follow_up_add(
        by=erin, instruction=w.instruction, action=FOLLOW_UP_ACTION, owner=personas.people.bob,
        due_on=datetime.date(2026, 9, 30))
    w.restricted = services.output_create(
        by=erin, organization=personas.branch_a, kind=kind("internal_reference"), title=RESTRICTED_TITLE,
        completed_on=datetime.date(2026, 7, 1), authors=[personas.people.alice],
        classification=Classification.RESTRICTED, readers=[personas.people.bob])
    w.classified = services.output_create(
        by=erin, organization=personas.branch_a, kind=kind("internal_reference"), title="涉密专报",
        completed_on=datetime.date(2026, 8, 1), authors=[personas.people.bob],
        classification=Classification.CLASSIFIED)
    w.publication = services.publication_add(
        by=erin, output=w.report, outlet=w.national, published_on=datetime.date(2026, 7, 10),
        page_or_url="第7版")
    return w
