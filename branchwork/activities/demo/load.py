"""Loading the demo's records through the services: schedule, attend, minute, submit, approve."""


from __future__ import annotations

import contextlib
import datetime
import logging
import random
import time
from collections import Counter

from django.db import transaction
from django.utils import timezone, translation

from branchwork.activities import services
from branchwork.activities.demo.attendance import _marks
from branchwork.activities.demo.data import (
    DEMO_ORGS,
    MAKEUP_NOTES,
    OFFICERS,
    PLAN_BRANCH,
    PLAN_YEAR,
    SEED,
    General,
    Plan,
)
from branchwork.activities.demo.minutes import _write_minutes
from branchwork.activities.demo.schedule import build_schedule
from branchwork.activities.models import (
    Activity,
    ActivitySource,
    ActivityStatus,
    AttendanceRole,
    AttendanceStatus,
    Speaking,
)
from branchwork.core import audit
from branchwork.core import demo as core_demo
from branchwork.core import services as core_services
from branchwork.core.models import Organization, Person

# --- Loading ---




class _Actors:
    """Users for people who record and host: an account without a password where there is none."""

    def __init__(self, people: dict[str, Person], tally: Counter):
        self.people, self.tally, self.users = people, tally, {}

    def __call__(self, key: str):
        if key not in self.users:
            person = self.people[key]
            if person.user_id is None:
                core_services.user_account_create(by=None, person=person, username=key)
                person.refresh_from_db()
                self.tally["account"] += 1
            self.users[key] = person.user
        return self.users[key]


@contextlib.contextmanager
def _quiet_wagtail():
    """Wagtail logs every revision at INFO; a demo load makes a few thousand of them."""
    logger = logging.getLogger("wagtail")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def already_loaded() -> bool:
    return Activity.objects.filter(
        organization__code__in=DEMO_ORGS, starts_at__date__lte=datetime.date(2025, 1, 31),
    ).exclude(source=ActivitySource.PLAN).exists()


def _stage(plan: Plan, today: datetime.date, rng: random.Random) -> str:
    """How far the record has got: locked, or in the last weeks still in draft or submitted."""
    age = (today - plan.day).days
    if age <= 7:
        return "draft"
    if age <= 16:
        return "submitted" if rng.random() < .6 else "locked"
    return "locked"


def _record_speakers(plan: Plan, activity: Activity, people, *, by) -> None:
    """Whoever the minutes name as speaking or introducing is recorded as such on the list, so
    that the consistency checks see it (and refuse the flawed example, whose speaker is away)."""
    spec = plan.data.get("spec")
    named = [*getattr(spec, "speakers", ()), *plan.data.get("speakers", ())]
    rows = dict(activity.attendance.values_list("person_id", "pk"))
    speaking = {rows[people[key].pk]: Speaking.SPOKE for key in named
                if key in people and people[key].pk in rows}
    if speaking:
        services.attendance_set_speaking(by=by, activity=activity, speaking=speaking)


def _load_one(plan: Plan, *, orgs, people, actor, now, today, tally) -> Activity:
    rng = random.Random(f"{SEED}:{plan.key}")
    recorder_user = actor(plan.recorder)
    lecturer = people.get(plan.lecturer) if plan.lecturer else None
    activity = services.activity_schedule(
        by=recorder_user, organization=orgs[plan.org], types=plan.types, title=plan.title,
        starts_at=plan.starts, ends_at=plan.starts + datetime.timedelta(minutes=plan.minutes_long),
        place=plan.place, host=people[plan.host], recorder=people[plan.recorder],
        lecturer=lecturer, lecturer_name=plan.lecturer_name, agenda="\n".join(plan.agenda),
        co_organizers=[orgs[c] for c in plan.co], session_number=plan.session,
        covers_year=plan.covers_year, source=ActivitySource.WEB, notify=False,
    )
    tally["activity"] += 1
    if plan.starts > now:
        tally["planned"] += 1
        return activity
    marks = _marks(plan, activity, rng)
    services.attendance_mark(by=recorder_user, activity=activity, marks=marks)
    spec = plan.data.get("spec")
    # A candidate whose admission the meeting decides is not a member yet: she attends, without
    # a vote (列席).
    listed = set(activity.attendance.values_list("person_id", flat=True))
    about = spec.about if isinstance(spec, General) else set()
    for key in sorted(about):
        if people[key].pk not in listed:
            services.attendance_add(by=recorder_user, activity=activity, person=people[key],
                                    role=AttendanceRole.OBSERVER, status=AttendanceStatus.PRESENT)
    for key in plan.observers:
        services.attendance_add(by=recorder_user, activity=activity, person=people[key],
                                role=AttendanceRole.OBSERVER, status=AttendanceStatus.PRESENT)
    stage = plan.data.get("stage") or _stage(plan, today, rng)
    if stage == "draft" and rng.random() < .4:
        tally["draft"] += 1  # attendance taken, minutes not written yet
        return activity
    minutes, resolutions = _write_minutes(plan, activity, people, rng)
    activity = services.minutes_save(by=recorder_user, activity=activity, minutes=minutes,
                                     resolutions=resolutions)
    _record_speakers(plan, activity, people, by=recorder_user)
    if stage == "draft":
        tally["draft"] += 1
        return activity
    activity = services.minutes_submit(by=recorder_user, activity=activity)
    if stage == "submitted":
        tally["submitted"] += 1
        return activity
    activity = services.minutes_approve(by=actor(plan.host), activity=activity)
    tally["locked"] += 1
    # Make-up study for some of those excused from study, theme days and lectures.
    if plan.kind in ("study", "theme", "lecture", "joint"):
        for row in activity.attendance.filter(status=AttendanceStatus.EXCUSED):
            on = plan.day + datetime.timedelta(days=rng.randint(2, 12))
            if on <= today and rng.random() < .7:
                services.makeup_record(by=recorder_user, attendance=row, on=on,
                                       note=rng.choice(MAKEUP_NOTES))
                tally["makeup"] += 1
    return activity


def _amend_one(*, orgs, people, actor, tally) -> None:
    """The research office corrects one locked record: an absence that was in fact excused."""
    activity = (
        Activity.objects.filter(organization=orgs["yjs-branch"], status=ActivityStatus.LOCKED,
                                type_tags__code="committee_meeting",
                                starts_at__date__gte=datetime.date(2026, 3, 1))
        .order_by("starts_at").first()
    )
    if activity is None:
        return
    row = activity.attendance.filter(person=people["zhouweidong"]).first()
    if row is None:
        return
    reason = ("记录人误将周卫东同志记为缺席。经核对请假审批单，周卫东同志当日经批准赴京参加课题结项"
              "评审，更正为请假并补记事由；会议地点一并更正。")
    marks = {row.pk: (AttendanceStatus.EXCUSED, "出差（赴京参加课题结项评审）")}
    if row.status == AttendanceStatus.EXCUSED:
        marks = {}
    place = "研究院主楼502研讨室"
    minutes = activity.minutes.replace(activity.place, place).replace(
        "周卫东（缺席）", "周卫东（出差（赴京参加课题结项评审））")
    services.activity_amend(
        by=actor("lijing"), activity=activity, reason=reason,
        changes={"place": place, "minutes": minutes}, marks=marks or None,
    )
    tally["amended"] += 1


def _mark_absent_for_amendment(plans: list[Plan]) -> None:
    """The record to be amended first says Zhou Weidong was absent, without a reason."""
    for plan in plans:
        if (plan.org == "yjs-branch" and plan.kind == "committee"
                and plan.day >= datetime.date(2026, 3, 1)):
            plan.data["absent_without_reason"] = "zhouweidong"
            plan.place = "研究院主楼301会议室"
            return


def load_demo(*, stdout=None) -> None:
    """Load the demo's activities once; a second run adds nothing."""
    if already_loaded():
        if stdout is not None:
            stdout.write("组织生活演示数据已存在，未改动。 Demo activities already loaded: nothing changed.\n")
        return
    started = time.perf_counter()
    orgs = {o.code: o for o in Organization.objects.filter(
        code__in=(*DEMO_ORGS, "udrc-branch", "dh-youth"))}
    missing = set(DEMO_ORGS) - set(orgs)
    if missing:
        raise ValueError(f"Load core's demo first: no organization {', '.join(sorted(missing))}.")
    emails = {p.key: p.email for p in core_demo.PEOPLE}
    by_email = {p.email: p for p in Person.objects.filter(email__in=emails.values())}
    people = {key: by_email[email] for key, email in emails.items() if email in by_email}
    now = timezone.now()
    today = timezone.localdate()
    plans = build_schedule()
    _mark_absent_for_amendment(plans)
    tally: Counter = Counter()
    with transaction.atomic(), audit.acting_as(None, source="demo"), _quiet_wagtail(), \
            translation.override("zh-hans"):
        actor = _Actors(people, tally)
        for plan in plans:
            _load_one(plan, orgs=orgs, people=people, actor=actor, now=now, today=today,
                      tally=tally)
        _amend_one(orgs=orgs, people=people, actor=actor, tally=tally)
        # The plan year's plan as made before the year began when the demo is loaded later: a
        # demo of the fixed calendar still shows a whole year's plan to confirm.
        planned = services.year_plan_generate(by=actor(OFFICERS[PLAN_BRANCH][0]),
                                              organization=orgs[PLAN_BRANCH], year=PLAN_YEAR,
                                              today=min(today, datetime.date(PLAN_YEAR, 1, 1)))
        tally["year_plan"] += len(planned)
    if stdout is not None:
        seconds = time.perf_counter() - started
        stdout.write(
            f"组织生活 Activities: 新建 {tally['activity']} 项 created "
            f"(已锁定 {tally['locked']} locked, 待审批 {tally['submitted']} submitted, "
            f"草稿 {tally['draft']} draft, 计划 {tally['planned']} planned), "
            f"补学 {tally['makeup']} make-ups, 更正 {tally['amended']} amendment, "
            f"{PLAN_YEAR} 年度计划 {tally['year_plan']} year plan, "
            f"账号 {tally['account']} accounts; {seconds:.1f} s\n"
        )
