"""/my/'s "waiting for me" (minutes to write as the recorder, to approve as the host) asks the
permission rule for the activities the reader records or hosts only (`permissions.visible(user,
Activity, within=…)`): the same rows as the whole rule filtered afterwards, for every reader."""

import datetime
import itertools

import pytest
from django.db.models import Q
from django.utils import timezone

from branchwork.activities.models import Activity, ActivityStatus
from branchwork.activities.models.activity import new_token
from branchwork.activities.testing import held_activity
from branchwork.activities.wagtail_hooks import _waiting
from branchwork.core import permissions
from branchwork.core.models import Role
from branchwork.core.testing import PersonFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db


def _mine(person_id):
    return (Q(recorder_id=person_id, status=ActivityStatus.HELD)
            | Q(host_id=person_id, status=ActivityStatus.SUBMITTED))


def _world(p):
    """Activities of branch A, of branch B (one co-organized by A) and of the brother branch,
    each held or submitted, recorded and hosted by readers who see them and by readers who do
    not (Carol records one of branch A's without being on its list)."""
    ago = timezone.now() - datetime.timedelta(days=3)
    made = [
        held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"], starts_at=ago, title="A"),
        held_activity(by=p.admin, organization=p.branch_b, types=["theme_day"], starts_at=ago, title="B"),
        held_activity(by=p.admin, organization=p.branch_b, types=["theme_day"], starts_at=ago, title="B+A",
                      co_organizers=[p.branch_a]),
        held_activity(by=p.admin, organization=p.outside, types=["theme_day"], starts_at=ago, title="X"),
    ]
    people = [p.people.alice, p.people.bob, p.people.carol, p.people.dan]
    statuses = [ActivityStatus.HELD, ActivityStatus.SUBMITTED]
    for activity, (recorder, host, status) in zip(
            itertools.cycle(made), itertools.product(people, people, statuses), strict=False):
        Activity.objects.filter(pk=activity.pk).update(recorder=recorder, host=host, status=status)
        # Another copy of the same activity with these roles: one row per combination.
        activity.pk, activity.checkin_token = None, new_token()
        activity.save()
        Activity.objects.filter(pk=activity.pk).update(recorder=recorder, host=host, status=status)


def _readers(p):
    outsider = UserFactory(username="nobody")  # an account without a person
    former = PersonFactory(user=UserFactory(username="former"))
    give_role(former, p.branch_a, Role.MEMBER, start_on=datetime.date(2019, 1, 1), end_on=datetime.date(2020, 1, 1))
    return [p.alice, p.bob, p.carol, p.dan, p.admin, outsider, former.user]


def test_the_narrow_question_gives_the_rows_of_the_whole_rule_filtered(personas):
    p = personas
    _world(p)
    some = 0
    for user in _readers(p):
        person_id = permissions.reader(user).person_id
        for person in {person_id, p.people.alice.pk, p.people.carol.pk} - {None}:
            within = _mine(person)
            narrow = set(permissions.visible(user, Activity, within=within).values_list("pk", flat=True))
            whole = set(permissions.visible(user, Activity).filter(within).values_list("pk", flat=True))
            assert narrow == whole, (user.username, person)
            some += len(narrow)
    assert some  # the world has activities waiting for someone


def test_what_waits_on_my_page_is_what_the_whole_rule_gives(personas):
    p = personas
    _world(p)
    for user in _readers(p):
        person_id = permissions.reader(user).person_id
        if person_id is None:
            continue
        old = list(permissions.visible(user, Activity).filter(_mine(person_id))
                   .order_by("starts_at")[:20].values_list("pk", flat=True))
        assert [row[0] for row in _waiting(user, person_id=person_id)] == old, user.username


def test_a_rule_without_a_narrow_form_is_filtered(personas):
    from branchwork.core.models import Membership

    within = Q(role=Role.MEMBER)
    for user in (personas.alice, personas.carol, personas.admin):
        assert (set(permissions.visible(user, Membership, within=within))
                == set(permissions.visible(user, Membership).filter(within)))


def _copies(activity, n, **values):
    for _ in range(n):
        activity.pk, activity.checkin_token = None, new_token()
        activity.save()
        Activity.objects.filter(pk=activity.pk).update(**values)


def test_my_page_asks_as_many_queries_when_ten_times_as_much_waits(personas, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p = personas
    ago = timezone.now() - datetime.timedelta(days=3)
    activity = held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"], starts_at=ago,
                             title="待记录", host=p.people.alice, recorder=p.people.bob)
    client = login(p.bob)
    _copies(activity, 2, recorder=p.people.bob, status=ActivityStatus.HELD)
    client.get("/my/")
    with CaptureQueriesContext(connection) as small:
        page = client.get("/my/").content.decode()
    assert page.count("待记录") == 3 + 1  # waiting; and among the recent (Bob's attendance)
    _copies(activity, 27, recorder=p.people.bob, status=ActivityStatus.HELD)
    with CaptureQueriesContext(connection) as large:
        page = client.get("/my/").content.decode()
    assert page.count("待记录") == 20 + 1  # the oldest twenty wait
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
