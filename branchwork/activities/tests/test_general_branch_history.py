"""A general branch's activity counts for, and expects the members of, the branches under it as
the activity's day began, not today's tree.

The tree: general branch 总支 with branch 一 (甲, 乙, 丙) and branch 二 (丁, 戊); branch 三 (己, 庚)
under the committee. On 1 May 2026 branch 二 moves out to the committee and branch 三 moves in.
A joint type (theme day) held by the general branch on 10 March therefore counts for 总支, 一, 二
and expects 甲乙丙丁戊; held on 10 June, for 总支, 一, 三 and expects 甲乙丙己庚; whenever either
record is entered (both after the move here, as past records are).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

from branchwork.activities.models import Credit
from branchwork.activities.testing import at, held_activity
from branchwork.core import selectors, services
from branchwork.core.models import OrganizationKind
from branchwork.core.testing import TEST_NOW, PersonFactory, build_personas, give_role, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(time_machine):
    p = build_personas()
    gb = make_org("gb", OrganizationKind.GENERAL_BRANCH, "机关第一党总支", p.committee)
    one = make_org("gb-one", OrganizationKind.BRANCH, "第一党支部", gb)
    two = make_org("gb-two", OrganizationKind.BRANCH, "第二党支部", gb)
    three = make_org("three", OrganizationKind.BRANCH, "第三党支部", p.committee)
    for names, branch in (("甲乙丙", one), ("丁戊", two), ("己庚", three)):
        for name in names:
            give_role(PersonFactory(name=name), branch)
    # The restructure, recorded on 1 May 2026.
    time_machine.move_to(datetime.datetime(2026, 5, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
                         tick=False)
    services.organization_move(by=None, organization=two, parent=p.committee)
    services.organization_move(by=None, organization=three, parent=gb)
    time_machine.move_to(TEST_NOW, tick=True)
    for org in (gb, one, two, three):
        org.refresh_from_db()
    return p, gb, one, two, three


def _credited(activity, code="theme_day") -> set[str]:
    return set(Credit.objects.filter(activity=activity, code=code)
               .values_list("organization__code", flat=True))


def _expected(activity) -> set[str]:
    return {a.person.name for a in activity.attendance.select_related("person")}


def test_before_the_restructure_the_branches_then_under_it_are_credited_and_expected(tree):
    p, gb, one, two, three = tree
    march = held_activity(by=p.alice, organization=gb, types=["theme_day"],
                          starts_at=at(2026, 3, 10))
    assert _credited(march) == {"gb", "gb-one", "gb-two"}
    assert _expected(march) == set("甲乙丙丁戊")


def test_after_the_restructure_todays_branches_are_credited_and_expected(tree):
    p, gb, one, two, three = tree
    june = held_activity(by=p.alice, organization=gb, types=["theme_day"], starts_at=at(2026, 6, 10))
    assert _credited(june) == {"gb", "gb-one", "three"}
    assert _expected(june) == set("甲乙丙己庚")


def test_the_tree_as_a_day_began(tree):
    p, gb, one, two, three = tree
    codes = lambda day: [o.code for o in selectors.member_pool(gb, day)]  # noqa: E731
    assert codes(datetime.date(2026, 4, 30)) == ["gb", "gb-one", "gb-two"]
    # The move was logged at 09:00 on 1 May: that day began with the old tree.
    assert codes(datetime.date(2026, 5, 1)) == ["gb", "gb-one", "gb-two"]
    assert codes(datetime.date(2026, 5, 2)) == ["gb", "gb-one", "three"]
    assert codes(None) == ["gb", "gb-one", "three"]


def test_a_branch_closed_after_the_meeting_was_still_under_it_that_day(tree, time_machine):
    p, gb, one, two, three = tree
    time_machine.move_to(datetime.datetime(2026, 9, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
                         tick=False)
    services.organization_set_active(by=None, organization=one, active=False)
    time_machine.move_to(TEST_NOW, tick=True)
    june = held_activity(by=p.alice, organization=gb, types=["theme_day"], starts_at=at(2026, 6, 10))
    assert _credited(june) == {"gb", "gb-one", "three"}
    october = held_activity(by=p.alice, organization=gb, types=["theme_day"],
                            starts_at=at(2026, 10, 10))
    assert _credited(october) == {"gb", "three"}
