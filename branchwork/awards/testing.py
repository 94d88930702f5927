"""Test data of awards and competitions, shared by the app's tests and the project's walks.

Branch A runs a blind youth research award; Frank (a plain member of branch A) and Dan (the
committee office's staff) judge it. A guest whose name holds the sentinel enters for branch B,
Bob for branch A's first Party group (withheld from Frank: his own organization). The competition
is scoring; Frank has scored the guest's entry (scores that are sentinels: his alone until
published).
Branch A also recorded an external award for Bob's report.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from branchwork.awards import services
from branchwork.awards.models import AwardGrade, BodyLevel, CompetitionStatus, Method, RuleKind, Scope

ENTRANT_SENTINEL = "参赛人甲 A-ENTRANT-4417"  # a guest entrant's name: never on a judge's page
# Frank's unpublished scores of the guest's entry: only on his own score sheet until published.
SCORE_SENTINELS = ("93.17", "83.59")
OPENS, CLOSES = datetime.date(2026, 9, 1), datetime.date(2026, 11, 30)
# The day the shared world's entries come in and are scored: inside the window above, whatever
# day the suite runs at (the walks build this world at BRANCHWORK_TEST_NOW, in 2027 or 2030 too).
DURING = datetime.date(2026, 11, 16)
# The moment the app's own tests run at (tests/conftest.py): their rules and messages name the
# dates above, so they read the clock of a day inside the window rather than the suite's.
AWARDS_NOW = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def grade(code: str) -> AwardGrade:
    services.ensure_default_grades()  # a transactional test before this one flushed them
    return AwardGrade.objects.get(code=code)


def coordinators(personas):
    if not hasattr(personas, "erin"):
        from branchwork.research.testing import add_coordinator

        add_coordinator(personas)
    return personas


def competition(personas, *, blind=True, method=Method.WEIGHTED, criteria=(("内容", "0.6"), ("表达", "0.4")),
                prizes=(("first", 1), ("second", 1), ("third", 1)), rules=((RuleKind.MAX_AGE, 35),),
                org=None, title="青年调研成果奖"):
    """A competition of branch A (or `org`), open for entries, with its rules, criteria and prizes."""
    alice = personas.alice if org is None else personas.admin
    c = services.competition_create(by=alice, organization=org or personas.branch_a, title=title,
                                    title_en="Youth research award", call="征集青年党员的调研成果。",
                                    opens_on=OPENS, closes_on=CLOSES, blind=blind, method=method)
    for kind, value in rules:
        extra = {}
        if kind in (RuleKind.MAX_AGE, RuleKind.MAX_ENTRANTS):
            extra["number"] = value
        elif kind == RuleKind.MEMBER_OF:
            extra["organization"] = value
        elif kind == RuleKind.ENTRY_KIND:
            extra["entry_kind"] = value
        services.rule_add(by=alice, competition=c, kind=kind, **extra)
    for name, weight in criteria:
        services.criterion_add(by=alice, competition=c, name=name, weight=Decimal(weight))
    for code, places in prizes:
        services.prize_set(by=alice, competition=c, grade=grade(code), places=places)
    services.competition_advance(by=alice, competition=c, to=CompetitionStatus.OPEN, today=DURING)
    return c


def awards_world(personas) -> SimpleNamespace:
    coordinators(personas)
    p = personas
    w = SimpleNamespace()
    w.competition = competition(p, rules=((RuleKind.MAX_AGE, 35), (RuleKind.MAX_ENTRANTS, 3)))
    w.guest_entry = services.entry_submit(
        by=p.alice, competition=w.competition, organization=p.branch_b, title="关于社区治理的调研",
        entrants=[(ENTRANT_SENTINEL, datetime.date(1995, 3, 2))], abstract="调研摘要", today=DURING)
    w.bob_entry = services.entry_submit(
        by=p.bob, competition=w.competition, organization=p.group_a1, title="关于数字经济的调研",
        entrants=[(p.people.bob, datetime.date(1992, 6, 1))], today=DURING)
    w.frank = services.judge_add(by=p.alice, competition=w.competition, person=p.people.frank)
    w.dan = services.judge_add(by=p.alice, competition=w.competition, person=p.people.dan)
    services.competition_advance(by=p.alice, competition=w.competition, to=CompetitionStatus.CLOSED, today=DURING)
    services.competition_advance(by=p.alice, competition=w.competition, to=CompetitionStatus.SCORING, today=DURING)
    criteria = list(w.competition.criteria.all())
    w.criterion, w.rule = criteria[0], w.competition.rules.first()
    services.scores_record(by=p.frank, judge=w.frank, entry=w.guest_entry,
                           values={criteria[0]: Decimal(SCORE_SENTINELS[0]),
                                   criteria[1]: Decimal(SCORE_SENTINELS[1])}, today=DURING)
    research = getattr(p, "research", None)
    w.award = services.award_create(
        by=p.alice, organization=p.branch_a, title="全国青年调研成果奖", scope=Scope.EXTERNAL,
        body="中国青年研究会", level=BodyLevel.NATIONAL, grade=grade("second"), year=2026,
        awarded_on=datetime.date(2026, 10, 8), recipients=[p.people.bob, "外请专家甲"],
        output=research.report if research is not None else None)
    return w
