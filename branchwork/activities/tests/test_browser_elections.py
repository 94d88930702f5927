"""The election pages and the minutes page's speakers and subjects in a real Chromium, on a phone
(390 px) and a desk (1280 px), in Chinese and English: screenshots, and no page wider than the
screen (a wide table only inside a frame that scrolls)."""

import datetime

import pytest
from django.utils import timezone

from branchwork.activities import elections, services
from branchwork.activities.models import AttendanceStatus
from branchwork.activities.testing import held_activity
from branchwork.activities.tests.test_browser_layout import OVERFLOW, context_for
from branchwork.browser import screenshot_path
from branchwork.core.testing import PersonFactory, give_role

pytestmark = pytest.mark.browser


@pytest.fixture
def meeting(transactional_db, personas):
    p = personas
    extra = [PersonFactory(name=n, name_en=e) for n, e in
             (("张三", "Zhang San"), ("欧阳娜", "Ouyang Na"), ("丁一", "Ding Yi"))]
    for person in extra:
        give_role(person, p.branch_a)
    held = held_activity(
        by=p.alice, organization=p.branch_a, types=["general_meeting"],
        title="支部党员大会：换届选举支部委员会", starts_at=timezone.now() - datetime.timedelta(days=3),
        host=p.people.alice, recorder=p.people.bob, agenda="选举支部委员会",
        absent={extra[2]: (AttendanceStatus.EXCUSED, "因公出差")})
    services.minutes_save(by=p.alice, activity=held, minutes="会议选举产生新一届支部委员会。",
                          agenda="选举支部委员会", resolutions=[
                              {"text": "同意张三同志按期转为正式党员", "votes_for": 4,
                               "votes_against": 0, "votes_abstain": 0,
                               "subject_person": extra[0]}])
    bob_row = held.attendance.get(person=p.people.bob)
    services.attendance_set_speaking(by=p.alice, activity=held, speaking={bob_row.pk: "spoke"})
    # Three seats, three candidates, four of five present: two rules broken, both on the page.
    election = elections.election_record(by=p.alice, activity=held, seats=3, candidates=[
        (p.people.alice, 4), (p.people.bob, 4), (extra[0], 3)])
    return held, election


PAGES = {
    "election": lambda m: m[0].get_absolute_url() + f"elections/{m[1].pk}/",
    "election-new": lambda m: m[0].get_absolute_url() + "elections/new/",
    "minutes-speakers": lambda m: m[0].get_absolute_url() + "minutes/",
}
VIEWS = {
    "390-zh": dict(width=390, height=844, language="zh-hans", phone=True),
    "390-en": dict(width=390, height=844, language="en", phone=True),
    "1280-zh": dict(width=1280, height=900, language="zh-hans"),
    "1280-en": dict(width=1280, height=900, language="en"),
}


@pytest.mark.parametrize("view", list(VIEWS))
def test_election_and_speaker_pages_fit_and_are_shot(browser, live_server, personas, meeting, view):
    context = context_for(browser, live_server, personas.alice, **VIEWS[view])
    page = context.new_page()
    page.set_default_timeout(20000)
    found = {}
    for name, path in PAGES.items():
        page.goto(path(meeting))
        page.wait_for_load_state("load")
        page.screenshot(path=screenshot_path(f"orglife-{name}-{view}"), full_page=True)
        problems = page.evaluate(OVERFLOW)
        if problems:
            found[name] = problems
    # What the secretary must see: the broken rules on the election's page, the speaker and the
    # subject already chosen on the minutes page.
    page.goto(PAGES["election"](meeting))
    assert page.locator("#election-checks li").count() == 2
    page.goto(PAGES["minutes-speakers"](meeting))
    assert page.locator("#speakers select").count() == 5
    assert page.locator("#resolution-subjects select").first.input_value() != ""
    context.close()
    assert found == {}
