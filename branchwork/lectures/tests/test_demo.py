import datetime
import io

import pytest

from branchwork.activities.testing import at, held_activity
from branchwork.core import demo as core_demo
from branchwork.core.models import Organization
from branchwork.lectures import demo
from branchwork.lectures.models import LectureSeries, Talk

pytestmark = pytest.mark.django_db


def test_the_demo_lecture_hall_loads_once_and_links_collective_studies():
    core_demo.load(password="demo-password-1")
    branch = Organization.objects.get(code="yjs-branch")
    study = held_activity(by=None, organization=branch, types=["collective_study"],
                          starts_at=at(2026, 3, 10, 15, 0), title="集体学习：读原著")
    demo.load_demo(stdout=io.StringIO())
    series = LectureSeries.objects.get(title="青年理论讲堂")
    talks = Talk.objects.filter(series=series)
    assert talks.count() == len(demo.TALKS)
    first = talks.get(topic="读原著与做研究")
    assert first.activity == study and first.date == datetime.date(2026, 3, 10)
    assert first.speaker.name == "王浩然" and first.slides and first.slides_name.endswith(".pdf")
    guest = talks.get(speaker_name="林志远")
    assert guest.speaker is None and guest.activity is None  # no collective study near its date
    out = io.StringIO()
    demo.load_demo(stdout=out)
    assert "nothing changed" in out.getvalue()
    assert Talk.objects.count() == len(demo.TALKS)


def test_the_demo_lecture_hall_needs_no_activities():
    core_demo.load(password="demo-password-1")
    demo.load_demo(stdout=io.StringIO())
    assert not Talk.objects.filter(activity__isnull=False).exists()
    assert Talk.objects.count() == len(demo.TALKS)
