"""The demo's research: loads once, and its 2026 figures are the counts of its records."""

import io
from collections import Counter

import pytest

from branchwork.core import demo as core_demo
from branchwork.core.models import Organization
from branchwork.research import demo, figures
from branchwork.research.models import Classification, FollowUp, Instruction, Output, Publication, Topic

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_its_figures_are_its_records():
    core_demo.load(password="demo-password-1")
    demo.load_demo(stdout=io.StringIO())
    branch = Organization.objects.get(code="yjs-branch")
    outputs = list(Output.objects.filter(organization=branch).select_related("kind"))
    assert 55 <= len(outputs) <= 65
    assert Topic.objects.filter(organization=branch).count() == 12
    assert set(Instruction.objects.values_list("level", flat=True)) == {"central", "ministry", "other"}
    assert FollowUp.objects.filter(closed_on__isnull=True).exists()
    assert FollowUp.objects.filter(closed_on__isnull=False).exists()
    classified = Output.objects.get(classification=Classification.CLASSIFIED)
    assert classified.text == "" and not classified.submissions.get().instructions.get().text
    draft = Output.objects.get(title="高层对话主旨讲话稿")
    assert list(draft.rounds.values_list("number", flat=True)) == [1, 2, 3]

    national_2026 = [p for p in Publication.objects.select_related("outlet")
                     if p.published_on.year == 2026 and p.outlet.tier == "national" and p.reprint_of_id is None]
    assert len(national_2026) == 27
    result = figures.yearly(branch, 2026)
    assert result.section("publications_by_tier").rows[0].count == 27
    by_kind = Counter(o.kind.code for o in outputs if o.completed_on.year == 2026)
    assert {r.code: r.count for r in result.section("outputs_by_kind").rows if r.count} == dict(by_kind)
    levels = Counter(i.level for i in Instruction.objects.all() if i.given_on.year == 2026)
    assert {r.code: r.count for r in result.section("instructions_by_level").rows if r.count} == dict(levels)

    out = io.StringIO()
    demo.load_demo(stdout=out)
    assert "nothing changed" in out.getvalue()
    assert Output.objects.filter(organization=branch).count() == len(outputs)
