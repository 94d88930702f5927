import io
from decimal import Decimal

import pytest

from branchwork.core import demo as core_demo
from branchwork.core.models import Organization, Person
from branchwork.learning import demo, selectors
from branchwork.learning.models import ExternalTraining, StudyNote, StudyPlan, StudyPlanItem, TrainingStatus
from branchwork.learning.testing import study_session
from branchwork.lectures import demo as lectures_demo

pytestmark = pytest.mark.django_db
DATA = demo._DATA


def test_the_demo_learning_loads_once_links_sessions_and_talks_and_counts_hours():
    core_demo.load(password="demo-password-1")
    branch = Organization.objects.get(code="yjs-branch")
    march = study_session(by=None, organization=branch, day=(2026, 3, 10), minutes=120, title="集体学习：读原著")
    lectures_demo.load_demo(stdout=io.StringIO())
    demo.load_demo(stdout=io.StringIO())

    plans = StudyPlan.objects.filter(organization=branch)
    assert sorted(plans.values_list("year", flat=True)) == sorted(p["year"] for p in DATA["plans"])
    assert StudyPlanItem.objects.filter(plan__in=plans).count() == sum(len(p["items"]) for p in DATA["plans"])
    item = StudyPlanItem.objects.get(plan__year=2026, topic="读原著与做研究")
    assert item.talk.topic == "读原著与做研究" and list(item.sessions.all()) == [march]
    assert StudyNote.objects.count() == len(DATA["notes"])
    assert StudyNote.objects.filter(shared=False).count() == sum(1 for n in DATA["notes"] if not n["shared"])
    approved = [t for t in DATA["external"] if t["approved"]]
    assert ExternalTraining.objects.filter(status=TrainingStatus.APPROVED).count() == len(approved)
    evidence = ExternalTraining.objects.first().evidence.read()
    assert evidence.startswith(b"%PDF")

    # Wang Haoran attended March's study (2 h) and the course (16 h).
    wang = Person.objects.get(name="王浩然")
    assert selectors.person_hours(wang, 2026).total == Decimal("2") + Decimal(str(DATA["course"]["hours"]))

    out = io.StringIO()
    demo.load_demo(stdout=out)
    assert "nothing changed" in out.getvalue()
    assert StudyNote.objects.count() == len(DATA["notes"])
