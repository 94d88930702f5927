"""The activities demo: two years of records that show every compliance status, loaded once.

The demo takes tens of seconds to load through the services, so this module loads it once into
a transaction that is rolled back when the module is done; each test runs inside it.
"""

import contextlib
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail import hooks
from wagtail.models import Revision

from branchwork.activities import demo, selectors
from branchwork.activities.models import (
    PRESENT_STATES,
    Activity,
    ActivitySource,
    ActivityStatus,
    Amendment,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Credit,
    Resolution,
)
from branchwork.core import demo as core_demo
from branchwork.core.hooks import BULK_LOAD_HOOK
from branchwork.core.models import AuditEntry, MembershipStatus, Organization, Person
from branchwork.core.testing import suite_clock
from branchwork.rulebook.compliance import AT_RISK, DUE, MET, OVERDUE


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with suite_clock(), django_db_blocker.unblock(), transaction.atomic():
        # As load_demo does: no indexing per saved object, one indexing at the end.
        with contextlib.ExitStack() as stack:
            for bulk_load in hooks.get_hooks(BULK_LOAD_HOOK):
                stack.enter_context(bulk_load())
            core_demo.load(stdout=io.StringIO())
            out = io.StringIO()
            demo.load_demo(stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def out(loaded, db):
    return loaded


def counts():
    return {model.__name__: model.objects.count()
            for model in (Activity, Attendance, Credit, Resolution, Amendment, AuditEntry,
                          Revision, get_user_model())}


def org(code):
    return Organization.objects.get(code=code)


def statuses(year):
    branches = list(selectors.branches_under(org("dh-cmte")))
    return {
        (c.organization.code, t.type.code, cell.period.key): cell.status
        for c in selectors.compliance(branches, year) for t in c.types for cell in t.cells
    }


def test_the_committee_sees_met_overdue_and_current_periods_at_risk_or_due(out):
    seen = {}
    for year in {2025, 2026, timezone.localdate().year}:
        seen.update(statuses(year))
    found = set(seen.values())
    assert MET in found and OVERDUE in found
    assert found & {AT_RISK, DUE}
    # The exchange branch hosted a forum in September 2026 and held no theme day.
    assert seen[("gjc-branch", "theme_day", "2026-09")] == OVERDUE
    assert seen[("gjc-branch", "theme_day", "2026-08")] == MET
    # The research office branch kept every rule in 2025.
    assert {s for (code, _, key), s in seen.items()
            if code == "yjs-branch" and key.startswith("2025")} == {MET}


def test_a_joint_activity_with_the_brother_unit_and_the_youth_league(out):
    joint = Activity.objects.filter(
        organization__code="yjs-branch", type_tags__code="joint_activity",
        co_organizers__code="udrc-branch",
    ).filter(co_organizers__code="dh-youth").get()
    assert joint.status == ActivityStatus.LOCKED
    assert {"udrc-branch", "dh-youth", "yjs-branch"} <= set(
        joint.credits.filter(code="joint_activity").values_list("organization__code", flat=True))
    guests = joint.attendance.filter(role=AttendanceRole.OBSERVER)
    assert guests.filter(person__unit__code="udrc").count() >= 3
    # League members who are not in the Party are expected through the Youth League.
    assert joint.attendance.filter(organization__code="dh-youth",
                                   person__membership_status="none").exists()


def test_the_records_are_those_the_app_writes(out):
    today = timezone.localdate()
    # The meetings the demo records (its year plan is a plan: in a later year, all of it is past).
    past = Activity.objects.filter(organization__code__in=demo.DEMO_ORGS,
                                   starts_at__date__lt=today).exclude(source=ActivitySource.PLAN)
    locked = past.filter(status=ActivityStatus.LOCKED)
    assert locked.count() > 0.9 * past.count()
    assert past.filter(status__in=[ActivityStatus.HELD, ActivityStatus.SUBMITTED]).exists()
    assert not locked.filter(submitted_by=None).exists()
    assert not locked.filter(locked_by=None).exists()
    sample = locked.filter(organization__code="yjs-branch").first()
    assert sample.submitted_by.person == sample.recorder
    assert sample.locked_by.person == sample.host
    assert sample.revisions.count() >= 4  # scheduled, minutes saved, submitted, approved
    assert set(AuditEntry.objects.filter(
        content_type__model="activity").values_list("source", flat=True)) == {"demo"}

    lectures = locked.filter(type_tags__code="party_lecture")
    assert lectures.exists()
    assert not lectures.filter(lecturer=None, lecturer_name="").exists()
    assert lectures.exclude(lecturer_name="").exists()  # a guest lecturer

    both = locked.filter(type_tags__code="theme_day").filter(type_tags__code="collective_study")
    assert both.count() >= 20

    votes = Resolution.objects.filter(activity__type_tags__code="general_meeting",
                                      votes_for__isnull=False)
    assert votes.count() >= 20
    assert votes.filter(votes_abstain__gt=0).exists()

    short = Credit.objects.filter(code="general_meeting", held=True, counted=False)
    assert short.count() == 1
    assert short.get().present * 2 <= short.get().base

    amendment = Amendment.objects.get()
    assert amendment.reason and amendment.activity.status == ActivityStatus.LOCKED
    assert Attendance.objects.filter(makeup_on__isnull=False,
                                     status=AttendanceStatus.EXCUSED).count() >= 10


def test_the_minutes_read_as_written_by_people(out):
    minutes = list(Activity.objects.exclude(minutes="").values_list("minutes", flat=True))
    assert len(minutes) > 300
    assert len(set(minutes)) == len(minutes)
    titles = set(Activity.objects.exclude(source=ActivitySource.PLAN)
                 .values_list("title", flat=True))
    assert len(titles) > 150
    assert not any("学习学习" in m or "None" in m for m in minutes)


def test_what_is_to_come_is_planned(out):
    now = timezone.now()
    upcoming = Activity.objects.filter(starts_at__gt=now)
    assert not upcoming.exclude(status=ActivityStatus.PLANNED).exists()
    december = upcoming.filter(starts_at__date__gte=datetime.date(2026, 12, 1),
                               source=ActivitySource.WEB)
    if now.date() < datetime.date(2026, 12, 1):
        assert december.count() >= 10
    plan = Activity.objects.filter(source=ActivitySource.PLAN, organization__code__in=[
        "yjs-branch", "yjs-g1", "yjs-g2"], starts_at__year=demo.PLAN_YEAR)
    assert plan.count() >= 40
    assert not plan.filter(date_confirmed=True).exists()


def test_loading_again_adds_nothing(out):
    assert "created" in out
    before = counts()
    again = io.StringIO()
    demo.load_demo(stdout=again)
    assert counts() == before
    assert "nothing changed" in again.getvalue()


def test_the_schedule_is_the_same_every_time():
    first, second = demo.build_schedule(), demo.build_schedule()
    assert [(p.key, p.agenda) for p in first] == [(p.key, p.agenda) for p in second]


# --- The demo is a model ledger (issue 12): its records keep the rules, one example aside ---


def general_meeting(code, day):
    return Activity.objects.get(organization__code=code, type_tags__code="general_meeting",
                                starts_at__date=day)


def row_of(activity, key):
    return activity.attendance.get(person__email__startswith=f"{key}@")


def voting_present(activity):
    return activity.attendance.filter(role=AttendanceRole.EXPECTED, voting=True,
                                      status__in=PRESENT_STATES).count()


def cast(resolution):
    return resolution.votes_for + resolution.votes_against + resolution.votes_abstain


def test_a_candidate_attends_her_admission_without_a_vote(out):
    meeting = general_meeting("yjs-branch", datetime.date(2025, 5, 20))
    tang = row_of(meeting, "tangjiaxin")
    assert (tang.role, tang.status, tang.voting) == (
        AttendanceRole.OBSERVER, AttendanceStatus.PRESENT, False)
    assert cast(meeting.resolutions.get()) == voting_present(meeting)
    assert "唐佳欣同志列席会议，不参加表决" in meeting.minutes
    # Her introducers, who speak, were there.
    for key in ("sunmingyuan", "zhaoyifan"):
        assert row_of(meeting, key).status in PRESENT_STATES


def test_a_probationary_member_is_expected_without_a_vote_until_her_full_membership(out):
    september = general_meeting("yjs-branch", datetime.date(2025, 9, 23))
    assert row_of(september, "tangjiaxin").voting is False
    meeting = general_meeting("yjs-branch", datetime.date(2026, 5, 20))
    tang = row_of(meeting, "tangjiaxin")
    assert (tang.role, tang.status, tang.voting) == (
        AttendanceRole.EXPECTED, AttendanceStatus.PRESENT, False)
    assert cast(meeting.resolutions.get()) == voting_present(meeting)
    assert "唐佳欣同志是预备党员，没有表决权，不参加表决" in meeting.minutes
    # After the load, everyone has today's status again.
    person = Person.objects.get(email__startswith="tangjiaxin@")
    assert (person.membership_status, person.joined_party_on) == (
        MembershipStatus.FULL, datetime.date(2025, 5, 20))
    assert Person.objects.get(email__startswith="luoqian@").membership_status == (
        MembershipStatus.PROBATIONARY)


def test_a_member_recommended_does_not_vote_on_it(out):
    meeting = general_meeting("yjs-branch", datetime.date(2025, 9, 23))
    sun = row_of(meeting, "sunmingyuan")
    assert sun.voting and sun.status in PRESENT_STATES
    assert cast(meeting.resolutions.get()) == voting_present(meeting) - 1
    assert "孙明远同志本人回避表决" in meeting.minutes


def test_whoever_a_general_meeting_names_as_speaking_was_present(out):
    for spec in demo.GENERAL_MEETINGS:
        if spec.day >= timezone.localdate():
            continue
        meeting = general_meeting(spec.org, spec.day)
        for key in spec.speakers:
            assert row_of(meeting, key).status in PRESENT_STATES, (spec.title, key)


def test_everyone_present_speaks_at_the_organizational_life_meeting(out):
    meetings = Activity.objects.filter(type_tags__code="org_life_meeting").exclude(minutes="")
    assert meetings.count() == 6
    for meeting in meetings:
        rows = list(meeting.attendance.filter(role=AttendanceRole.EXPECTED)
                    .select_related("person"))
        present = [r.person.name for r in rows if r.status in PRESENT_STATES]
        away = [r.person.name for r in rows if r.status not in PRESENT_STATES]
        assert len(present) > 10
        for name in present:
            assert f"{name}作自我批评" in meeting.minutes, (meeting.title, name)
            assert f"。{name}对其提出批评意见" in meeting.minutes, (meeting.title, name)
        for name in away:
            assert f"{name}作自我批评" not in meeting.minutes
        # Those away are appraised later only when someone was away.
        assert ("另行评议" in meeting.minutes) == bool(away), meeting.title


def test_what_a_committee_meeting_decides_is_in_its_resolutions(out):
    meetings = Activity.objects.filter(type_tags__code="committee_meeting",
                                       minutes__contains="会议议定")
    assert meetings.count() > 50
    assert not meetings.filter(resolutions__isnull=True).exists()


def test_the_branch_election_is_competitive_and_four_fifths_attend(out):
    meeting = general_meeting("gjc-branch", datetime.date(2025, 6, 26))
    voting = meeting.attendance.filter(role=AttendanceRole.EXPECTED, voting=True)
    assert 5 * voting_present(meeting) >= 4 * voting.count()
    assert "差额选举，应选委员4名，候选人5名" in meeting.minutes
    assert "等额" not in meeting.minutes


def test_one_flawed_example_awaits_approval_and_is_titled_so(out):
    examples = Activity.objects.filter(title__startswith="【示例")
    example = examples.get()
    assert example.status == ActivityStatus.SUBMITTED
    xie = row_of(example, "xiepeng")
    assert xie.status == AttendanceStatus.EXCUSED
    assert "谢鹏：" in example.minutes  # quoted though away
    assert "会议议定" in example.minutes and not example.resolutions.exists()
    assert not Activity.objects.filter(title__contains="示例").exclude(pk=example.pk).exists()


def test_a_status_decided_at_a_meeting_counts_from_the_next_day(out):
    from branchwork.core.selectors import meeting_statuses

    tang = Person.objects.get(name="唐佳欣")
    # The meetings that decided her admission and her full membership see her as she was when
    # they began: a candidate, then a probationary member; the day after, the new status.
    assert meeting_statuses([tang.pk], datetime.date(2025, 5, 20))[tang.pk] == MembershipStatus.CANDIDATE
    assert meeting_statuses([tang.pk], datetime.date(2026, 5, 20))[tang.pk] == MembershipStatus.PROBATIONARY
    assert meeting_statuses([tang.pk], datetime.date(2026, 5, 21))[tang.pk] == MembershipStatus.FULL
    admission = tang.status_changes.get(status=MembershipStatus.PROBATIONARY)
    assert admission.effective_on == datetime.date(2025, 5, 20)
    assert admission.document_number == "东湖机党〔2025〕11号" and "党员大会" in admission.meeting
    assert not tang.status_changes.filter(derived=True).exists()


def test_an_election_with_as_many_candidates_as_seats_does_not_add_up():
    people = {k: Person(name=k) for k in "abcde"}
    competitive = {"seats": 4, "candidates": [{"person": k, "short": n}
                                              for k, n in zip("abcde", (0, 1, 2, 3, 7))]}
    assert "差额选举" in demo._election_report(competitive, people, expected=12, present=11)
    equal = {"seats": 4, "candidates": competitive["candidates"][:4]}
    with pytest.raises(ValueError):
        demo._election_report(equal, people, expected=12, present=11)
    with pytest.raises(ValueError):  # fewer than four fifths present
        demo._election_report(competitive, people, expected=12, present=9)
