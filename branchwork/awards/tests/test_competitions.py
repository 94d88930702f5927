"""A competition: eligibility rules as data, each refusal naming the rule; judges never score
their own, their organization's or a declared entry; state changes in order, under the row lock;
results computed from the scores (hand-computed here), published per entry, with ties stated."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from branchwork.awards import services
from branchwork.awards.eligibility import IneligibleEntry, age_on
from branchwork.awards.models import Award, Competition, CompetitionStatus, EntryKind, Method, RuleKind
from branchwork.awards.testing import CLOSES, awards_world, competition, coordinators, grade
from branchwork.core.conflicts import Conflict
from branchwork.core.testing import PersonFactory, give_role
from branchwork.research.testing import kind, research_world

pytestmark = pytest.mark.django_db
D = Decimal


def _refusal(exc) -> str:
    return " ".join(exc.value.messages)


def test_an_entrant_over_the_age_limit_on_the_closing_date_is_refused_with_the_rule_named(personas):
    c = competition(personas)
    # 35 on the closing date (born that day 35 years before) may enter; a day older may not.
    assert age_on(datetime.date(1991, 11, 30), CLOSES) == 35
    assert age_on(datetime.date(1990, 11, 30), CLOSES) == 36
    services.entry_submit(by=personas.bob, competition=c, organization=personas.branch_a, title="可以",
                          entrants=[(personas.people.bob, datetime.date(1991, 11, 30))])
    with pytest.raises(IneligibleEntry) as exc:
        services.entry_submit(by=personas.bob, competition=c, organization=personas.branch_a, title="超龄",
                              entrants=[(personas.people.bob, datetime.date(1990, 11, 30))])
    assert _refusal(exc) == ("Rule “Entrants are at most 35 years old on the closing date” is not met: "
                             "Bob is 36 on 2026-11-30.")
    with pytest.raises(IneligibleEntry) as exc:
        services.entry_submit(by=personas.bob, competition=c, organization=personas.branch_a, title="无生日",
                              entrants=[(personas.people.bob, None)])
    assert "no date of birth is given for Bob" in _refusal(exc)
    assert c.entries.count() == 1


def test_membership_entry_kind_and_entrants_rules_name_themselves(personas):
    personas.research = research_world(personas)
    c = competition(personas, rules=((RuleKind.MEMBER_OF, personas.branch_a), (RuleKind.ENTRY_KIND, EntryKind.OUTPUT),
                                     (RuleKind.MAX_ENTRANTS, 2)))
    with pytest.raises(IneligibleEntry) as exc:
        services.entry_submit(by=personas.alice, competition=c, organization=personas.branch_b, title="外支部",
                              entrants=[(personas.people.carol, None), "外请专家乙", "外请专家丙"])
    messages = exc.value.messages
    assert messages == [
        "Rule “Entrants belong to Branch A (or an organization under it) on the closing date” is not met: "
        "Carol does not belong to Branch A on 2026-11-30.",
        "Rule “An entry is a research output” is not met: the entry links no research output.",
        "Rule “An entry has at most 2 entrants” is not met: it has 3 entrants.",
    ]
    # A member of branch A's Party group belongs to branch A; with an output, the entry is taken.
    output = personas.research.report
    entry = services.entry_submit(by=personas.bob, competition=c, organization=personas.group_a1,
                                  title="成果参赛", entrants=[(personas.people.bob, None)], output=output)
    assert entry.number == 1 and entry.output == output


def test_entries_are_taken_only_while_open_and_until_the_closing_date(personas, time_machine):
    c = competition(personas, rules=())
    time_machine.move_to(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC))
    with pytest.raises(Conflict, match="closing date 2026-11-30"):
        services.entry_submit(by=personas.bob, competition=c, organization=personas.branch_a, title="迟到",
                              entrants=[(personas.people.bob, None)])


def test_state_changes_follow_each_other_and_read_the_row_afresh(personas):
    c = competition(personas, rules=())
    stale = Competition.objects.get(pk=c.pk)
    services.competition_advance(by=personas.alice, competition=c, to=CompetitionStatus.CLOSED)
    # Another page still shows "open": closing again, or entering, is refused from the stored state.
    with pytest.raises(Conflict, match="Closed for entries"):
        services.competition_advance(by=personas.alice, competition=stale, to=CompetitionStatus.CLOSED)
    stale = Competition.objects.get(pk=c.pk)
    stale.status = CompetitionStatus.OPEN
    with pytest.raises(Conflict, match="Entries are taken while the competition is open"):
        services.entry_submit(by=personas.bob, competition=stale, organization=personas.branch_a, title="晚了",
                              entrants=[(personas.people.bob, None)])
    with pytest.raises(Conflict):
        services.competition_advance(by=personas.alice, competition=c, to=CompetitionStatus.PUBLISHED)
    with pytest.raises(Conflict, match="Name the judges"):
        services.competition_advance(by=personas.alice, competition=c, to=CompetitionStatus.SCORING)
    with pytest.raises(Conflict, match="while the competition is a draft"):
        services.criterion_add(by=personas.alice, competition=c, name="新标准")


def test_a_judge_never_scores_an_own_entry_an_own_organizations_or_a_declared_one(personas, login):
    coordinators(personas)
    c = competition(personas, rules=())
    p = personas
    own = services.entry_submit(by=p.bob, competition=c, organization=p.branch_b, title="自己的",
                                entrants=[(p.people.bob, None)])
    carols_branch = services.entry_submit(by=p.alice, competition=c, organization=p.branch_b, title="乙支部的",
                                          entrants=["外请作者"])
    declared = services.entry_submit(by=p.alice, competition=c, organization=p.group_a1, title="回避作品",
                                     entrants=["另一位作者"])
    fine = services.entry_submit(by=p.alice, competition=c, organization=p.branch_b, title="可以评的",
                                 entrants=["第三位作者"])
    bob = services.judge_add(by=p.alice, competition=c, person=p.people.bob)
    carol = services.judge_add(by=p.alice, competition=c, person=p.people.carol)
    services.conflict_declare(by=p.bob, judge=bob, entry=declared, reason="同事")
    services.competition_advance(by=p.alice, competition=c, to=CompetitionStatus.CLOSED)
    services.competition_advance(by=p.alice, competition=c, to=CompetitionStatus.SCORING)
    values = {cr: D("80") for cr in c.criteria.all()}
    for judge, entry, why in ((bob, own, "own entry"), (carol, carols_branch, "own organization"),
                              (bob, declared, "declared a conflict")):
        with pytest.raises(services.JudgeConflicted, match=why):
            services.scores_record(by=judge.person.user, judge=judge, entry=entry, values=values)
    services.scores_record(by=p.bob, judge=bob, entry=fine, values=values)
    assert sorted(s.entry_id for s in bob.scores.all()) == [fine.pk] * 2
    # The pages agree: the conflicting entries are neither listed nor open to the judge.
    client = login(p.bob)
    base = f"/orgs/{p.branch_a.code}/awards/competitions/{c.pk}/judging/"
    listing = client.get(base).content.decode()
    assert "可以评的" in listing and "回避作品" not in listing and "自己的" not in listing
    for entry in (own, declared):
        assert client.get(f"{base}{entry.pk}/").status_code == 404
        assert client.post(f"{base}{entry.pk}/", {f"c{cr.pk}": "90" for cr in c.criteria.all()}).status_code == 404


def test_scores_are_checked_against_the_criteria_and_given_only_while_scoring(personas):
    coordinators(personas)
    c = competition(personas, rules=())
    entry = services.entry_submit(by=personas.alice, competition=c, organization=personas.branch_b, title="作品",
                                  entrants=["作者"])
    judge = services.judge_add(by=personas.alice, competition=c, person=personas.people.frank)
    values = {cr: D("80") for cr in c.criteria.all()}
    with pytest.raises(Conflict, match="while the competition is scoring"):
        services.scores_record(by=personas.frank, judge=judge, entry=entry, values=values)
    services.competition_advance(by=personas.alice, competition=c, to=CompetitionStatus.CLOSED)
    services.competition_advance(by=personas.alice, competition=c, to=CompetitionStatus.SCORING)
    with pytest.raises(ValidationError):
        services.scores_record(by=personas.frank, judge=judge, entry=entry,
                               values={cr: D("100.01") for cr in c.criteria.all()})


# --- Results, hand-computed ---

# Two judges, two criteria (weights 0.6 and 0.4), four entries; the fourth's second sheet is
# unfinished, so only the first judge counts for it.
SHEETS = {  # entry → [(judge 1's scores), (judge 2's scores)]
    "E1": [("90", "80"), ("80", "70")],
    "E2": [("85", "85"), ("75", "79")],
    "E3": [("85", "85"), ("75", "79")],
    "E4": [("50", "50"), ("60", None)],
}


def _scored(personas, method):
    coordinators(personas)
    p = personas
    c = competition(p, rules=(), method=method, blind=False)
    entries = {name: services.entry_submit(by=p.alice, competition=c, organization=p.branch_b, title=f"作品{name}",
                                           entrants=[f"作者{name}"]) for name in SHEETS}
    judges = [services.judge_add(by=p.alice, competition=c, person=p.people.frank),
              services.judge_add(by=p.alice, competition=c, person=p.people.erin)]
    services.competition_advance(by=p.alice, competition=c, to=CompetitionStatus.CLOSED)
    services.competition_advance(by=p.alice, competition=c, to=CompetitionStatus.SCORING)
    criteria = list(c.criteria.all())
    for name, sheets in SHEETS.items():
        for judge, sheet in zip(judges, sheets, strict=True):
            values = {cr: D(v) for cr, v in zip(criteria, sheet, strict=True) if v is not None}
            services.scores_record(by=judge.person.user, judge=judge, entry=entries[name], values=values)
    return c, entries


def test_weighted_results_are_computed_from_the_scores_with_ties_stated(personas):
    c, e = _scored(personas, Method.WEIGHTED)
    got = {r.entry_id: r for r in services.compute_results(c)}
    # E1: (0.6·90 + 0.4·80 = 86) and (0.6·80 + 0.4·70 = 76): mean 81.00.
    # E2 = E3: (0.6·85 + 0.4·85 = 85) and (0.6·75 + 0.4·79 = 76.6): mean 80.80, tied second.
    # E4: judge 1 only (0.6·50 + 0.4·50 = 50): 50.00.
    assert [(got[e[n].pk].score, got[e[n].pk].rank, got[e[n].pk].tied, got[e[n].pk].judges) for n in SHEETS] == [
        (D("81.00"), 1, False, 2), (D("80.80"), 2, True, 2), (D("80.80"), 2, True, 2), (D("50.00"), 4, False, 1)]
    # One first, one second, one third prize: the tie at second takes both; rank 4 gets none.
    first, second = grade("first"), grade("second")
    assert [got[e[n].pk].grade_id for n in SHEETS] == [first.pk, second.pk, second.pk, None]


def test_mean_results_are_published_per_entry_as_awards_and_in_excel(personas, login):
    c, e = _scored(personas, Method.MEAN)
    services.competition_advance(by=personas.alice, competition=c, to=CompetitionStatus.PUBLISHED)
    # Totals: E1 170 and 150 → 160.00; E2 = E3 170 and 154 → 162.00, tied first; E4 100 → 100.00.
    stored = {n: e[n].__class__.objects.get(pk=e[n].pk) for n in SHEETS}
    assert [(stored[n].score, stored[n].rank, stored[n].tied, stored[n].grade.code if stored[n].grade else None)
            for n in SHEETS] == [(D("160.00"), 3, False, "third"), (D("162.00"), 1, True, "first"),
                                 (D("162.00"), 1, True, "first"), (D("100.00"), 4, False, None)]
    awards = Award.objects.filter(entry__competition=c).select_related("grade")
    assert sorted((a.entry.title, a.grade.code, a.year) for a in awards) == [
        ("作品E1", "third", 2026), ("作品E2", "first", 2026), ("作品E3", "first", 2026)]
    # Published: the state is locked; no more scores.
    with pytest.raises(Conflict):
        services.competition_advance(by=personas.alice, competition=c, to=CompetitionStatus.PUBLISHED)
    # Each entry's page shows its own result to the branch's members; the XLSX reads back.
    client = login(personas.frank)
    page = client.get(stored["E2"].get_absolute_url()).content.decode()
    assert "162.00" in page and "一等奖" in page
    response = client.get(f"/orgs/{personas.branch_a.code}/awards/competitions/{c.pk}/results.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("作品", "标题", "参赛人", "组织", "得分", "名次", "并列", "奖项")
    assert [(r[1], r[2], r[4], r[5], r[6], r[7]) for r in rows[1:]] == [
        ("作品E2", "作者E2", 162, 1, "并列", "一等奖"), ("作品E3", "作者E3", 162, 1, "并列", "一等奖"),
        ("作品E1", "作者E1", 160, 3, None, "三等奖"), ("作品E4", "作者E4", 100, 4, None, None)]


def test_a_draft_competitions_entries_are_the_managers_until_results_are_published(personas, login):
    personas.research = research_world(personas)
    w = awards_world(personas)
    assert login(personas.frank).get(w.guest_entry.get_absolute_url()).status_code == 404
    assert login(personas.bob).get(w.bob_entry.get_absolute_url()).status_code == 200
    assert login(personas.bob).get(w.guest_entry.get_absolute_url()).status_code == 404
    assert login(personas.alice).get(w.guest_entry.get_absolute_url()).status_code == 200
    assert login(personas.carol).get(w.competition.get_absolute_url()).status_code == 404


def test_the_output_kind_rule_names_the_kind(personas):
    personas.research = research_world(personas)
    c = competition(personas, rules=())
    c.status = CompetitionStatus.DRAFT
    c.save()
    services.rule_add(by=personas.alice, competition=c, kind=RuleKind.ENTRY_KIND, entry_kind=EntryKind.OUTPUT,
                      output_kind=kind("article"))
    services.competition_advance(by=personas.alice, competition=c, to=CompetitionStatus.OPEN)
    with pytest.raises(IneligibleEntry, match="of the kind Article.*another kind"):
        services.entry_submit(by=personas.bob, competition=c, organization=personas.group_a1, title="报告",
                              entrants=[(personas.people.bob, None)], output=personas.research.report)


def test_a_person_entrant_is_matched_by_name_on_the_entry_page(personas, login):
    coordinators(personas)
    c = competition(personas, rules=((RuleKind.MAX_AGE, 35),))
    young = PersonFactory(name="青年甲")
    give_role(young, personas.group_a1)
    client = login(personas.alice)
    url = f"/orgs/{personas.branch_a.code}/awards/competitions/{c.pk}/enter/"
    response = client.post(url, {"title": "超龄作品", "entrants": "王博 1980-01-01", "organization": personas.group_a1.pk})
    assert response.status_code == 400
    body = response.content.decode()
    assert "35" in body and "王博" in body and "2026-11-30" in body and "46" in body
    response = client.post(url, {"title": "合格作品", "entrants": "青年甲 1998-01-01\n外请作者 1999-02-02",
                                 "organization": personas.group_a1.pk})
    assert response.status_code == 302
    entry = c.entries.get(title="合格作品")
    assert [(x.person_id, x.guest_name) for x in entry.entrants.all()] == [(young.pk, ""), (None, "外请作者")]
