"""The activities part of the demo: two years of organizational life at the Donghu Institute.

From January 2025 to December 2026 the research office, international exchange and general
office branches, their Party groups and the general branch above two of them hold their
meetings, lectures, theme days and study sessions. The record is realistic, and so it is not
perfect: the exchange branch missed its theme day in September 2026 (it was hosting a forum) and
has not held its fourth-quarter general meeting yet; the general office has not held its November
committee meeting; one summer general meeting fell short of quorum; a general branch, whose
members sit in its branches, meets most cadences only through joint activities. The research
office branch holds a joint activity (联学共建) with the brother unit's branch and the Youth
League.

Everything before now is held: attendance is marked, minutes are written, and most records are
submitted by the recorder and approved by the host; the last few are still in draft or awaiting
approval; one locked record is amended. Everything after now is planned, and the research office
has its 2027 year plan. All writes go through activities.services, as the app itself makes them.

The records keep the rules: who is expected and who votes follow each person's status on the
day (from the dated history in core/demo/institution.yaml), the person a resolution is about does
not vote on it, whoever the minutes name as speaking was present, everyone present speaks at the
organizational life meeting, and committee decisions are in the resolutions table. One record is
wrong on purpose (demo/flawed_example.yaml), awaiting approval, to show the consistency checks.

Loading is idempotent: when the demo's activities are there already, nothing is added. The text
is data, in the YAML files of demo/ beside this module, written for this demo; names and places
are fictional. This module keeps the logic: the schedule, attendance, the minutes' wording.
"""

from __future__ import annotations

import contextlib
import datetime
import html
import logging
import math
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone, translation

from branchwork.activities import services
from branchwork.activities.models import (
    PRESENT_STATES,
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


def _data(name: str):
    return core_demo.read_data(__file__, name)


CALENDAR = _data("calendar.yaml")
SEED = CALENDAR["seed"]
FIRST_DAY: datetime.date = CALENDAR["first_day"]
LAST_DAY: datetime.date = CALENDAR["last_day"]
PLAN_YEAR = CALENDAR["plan_year"]
PLAN_BRANCH = CALENDAR["plan_branch"]
TZ = ZoneInfo("Asia/Shanghai")

BRANCHES = ("yjs-branch", "gjc-branch", "zhb-branch")
GROUPS = ("yjs-g1", "yjs-g2", "gjc-g1", "gjc-g2", "zhb-g1", "zhb-g2")
# The organizations whose activities the demo writes, and whose people meet together: nothing
# is scheduled for a branch and its groups on the same day (for a general branch, both of its).
FAMILY = {"yjjl-gb": ("yjs", "gjc"), "yjs-branch": ("yjs",), "yjs-g1": ("yjs",),
          "yjs-g2": ("yjs",), "gjc-branch": ("gjc",), "gjc-g1": ("gjc",), "gjc-g2": ("gjc",),
          "zhb-branch": ("zhb",), "zhb-g1": ("zhb",), "zhb-g2": ("zhb",)}
# An activity of one of them from January 2025 that no year plan made: the demo is loaded.
DEMO_ORGS = tuple(FAMILY)
# What each organization's people speak from: research, foreign affairs, the office.
FLAVOUR = {code: families[0] for code, families in FAMILY.items()}

# Workdays lost to public holidays (inclusive ranges); nothing is scheduled on them.
HOLIDAYS = [tuple(days) for days in CALENDAR["holidays"]]

# Who hosts and who records, per organization (the exchange branch changed secretary mid-2025).
HANDOVER = core_demo.HANDOVER
OFFICERS = {org: (o["host"], o["recorder"]) for org, o in CALENDAR["officers"].items()}
# Theme days and study sessions of these branches are recorded by another member.
STUDY_RECORDER = CALENDAR["study_recorder"]
ROOMS = CALENDAR["rooms"]
ABSENCE_REASONS = CALENDAR["absence_reasons"]["any"]
GJC_REASONS = CALENDAR["absence_reasons"]["gjc"]
SUMMER_REASONS = CALENDAR["absence_reasons"]["summer"]
MAKEUP_NOTES = CALENDAR["makeup_notes"]


# --- What is studied each month (the committee above sets the theme; branches add their angle) ---


@dataclass(frozen=True)
class Study:
    theme: str
    material: str
    points: tuple[str, str]
    views: dict  # flavour → what a member of that kind of branch says


_STUDY = _data("study.yaml")
STUDY = {
    (m["year"], m["month"]): Study(m["theme"], m["material"], tuple(m["points"]), m["views"])
    for m in _STUDY["months"]
}
# What members say in study discussions, beyond the month's own point (drawn without repetition).
REFLECTIONS = _STUDY["reflections"]
HOST_SUMMARIES = _STUDY["host_summaries"]


# --- Committee meeting items: (focus for the title, what was discussed, what was decided) ---

_COMMITTEE = _data("committee.yaml")


def _item(row: dict) -> tuple[str, str, str]:
    return row["focus"], row["body"], row["decision"]


MONTH_ITEMS = {month: [_item(i) for i in items]
               for month, items in _COMMITTEE["month_items"].items()}
BRANCH_ITEMS = {flavour: [_item(i) for i in items]
                for flavour, items in _COMMITTEE["branch_items"].items()}
GENERAL_BRANCH_REPORT = _item(_COMMITTEE["general_branch_report"])
GENERAL_BRANCH_ITEMS = {month: _item(i) for month, i in _COMMITTEE["general_branch_items"].items()}
# Items a particular meeting must have (membership events of the core demo), by (org, y, m).
SPECIAL_ITEMS = {(s["org"], s["year"], s["month"]): [_item(i) for i in s["items"]]
                 for s in _COMMITTEE["special_items"]}


# --- Party lectures (org, date, lecturer key or guest, title, outline) ---

@dataclass(frozen=True)
class Lecture:
    org: str
    day: datetime.date
    lecturer: str  # a person's key, or a guest's name as it should be printed
    title: str
    outline: tuple[str, str, str]
    co: tuple[str, ...] = ()
    guest: bool = False


def _lecture(row: dict) -> Lecture:
    row = dict(row)
    guest = "guest" in row
    lecturer = row.pop("guest") if guest else row.pop("lecturer")
    return Lecture(lecturer=lecturer, guest=guest, outline=tuple(row.pop("outline")),
                   co=tuple(row.pop("co", ())), **row)


LECTURES = [_lecture(row) for row in _data("lectures.yaml")["lectures"]]


# --- General meetings: (org, date, focus, agenda items, resolutions: (text, against, abstain)) ---

@dataclass(frozen=True)
class General:
    org: str
    day: datetime.date
    title: str
    agenda: tuple[str, ...]
    # (text, votes against, abstentions, the key of the person it is about or "")
    resolutions: tuple[tuple[str, int | None, int | None, str], ...]
    body: str
    co: tuple[str, ...] = ()
    without_quorum: bool = False
    ballot: str = "举手表决"
    speakers: tuple[str, ...] = ()  # named in the body as speaking or introducing: present
    election: dict | None = None  # seats, candidates [{person, short}]

    @property
    def about(self) -> set[str]:
        """The people the meeting decides about (they do not vote on it)."""
        return {r[3] for r in self.resolutions if r[3]}


def _general(row: dict) -> General:
    row = dict(row)
    resolutions = tuple((r["text"], r["against"], r["abstain"], r.get("about", ""))
                        for r in row.pop("resolutions", ()))
    return General(agenda=tuple(row.pop("agenda")), resolutions=resolutions,
                   body=row.pop("body", ""), co=tuple(row.pop("co", ())),
                   speakers=tuple(row.pop("speakers", ())), **row)


GENERAL_MEETINGS = [_general(row) for row in _data("general_meetings.yaml")["general_meetings"]]


# --- Theme days that are not the usual study session of the month ---

@dataclass(frozen=True)
class ThemeDay:
    org: str
    day: datetime.date
    title: str
    place: str
    body: str
    study: bool = True  # also a collective study
    co: tuple[str, ...] = ()
    joint: bool = False
    observers: tuple[str, ...] = ()  # people of the brother unit, by key
    morning: bool = True
    speakers: tuple[str, ...] = ()  # members the body names as speaking: present


_THEME_DAYS = _data("theme_days.yaml")


def _theme_day(row: dict) -> ThemeDay:
    row = dict(row)
    return ThemeDay(co=tuple(row.pop("co", ())), observers=tuple(row.pop("observers", ())),
                    speakers=tuple(row.pop("speakers", ())), **row)


THEME_DAYS = [_theme_day(row) for row in _THEME_DAYS["theme_days"]]
# Months in which a branch, having joined its general branch's theme day or being busy, holds
# no theme day of its own. The exchange branch's September 2026 is the gap the dashboards show.
NO_OWN_THEME_DAY = {(m["org"], m["year"], m["month"]) for m in _THEME_DAYS["no_own_theme_day"]}


# --- Party group meetings ---

_GROUPS = _data("groups.yaml")


def _topic(row: dict) -> tuple[str, str, tuple[str, ...]]:
    return row["title"], row["intro"], tuple(row["lines"])


GROUP_TOPICS = [_topic(t) for t in _GROUPS["topics"]]
GROUP_FLAVOUR_TOPICS = {flavour: [_topic(t) for t in topics]
                        for flavour, topics in _GROUPS["flavour_topics"].items()}
GROUP_APPRAISAL = _topic(_GROUPS["appraisal"])
GROUP_CLOSINGS = _GROUPS["closings"]
# Party group months without a meeting (a summer gap) and one not held yet this month.
GROUP_GAPS = {(g["org"], g["year"], g["month"]) for g in _GROUPS["gaps"]}


# --- Organizational life meetings with democratic appraisal (January, for the year before) ---

_ORG_LIFE = _data("org_life.yaml")
SELF_CRITICISM = _ORG_LIFE["self_criticism"]
CRITICISM = _ORG_LIFE["criticism"]


# --- Building the schedule ---


@dataclass
class Plan:
    org: str
    types: tuple[str, ...]
    starts: datetime.datetime
    minutes_long: int
    title: str
    place: str
    host: str
    recorder: str
    kind: str  # committee, study, theme, general, lecture, group, org_life, joint
    agenda: tuple[str, ...] = ()
    lecturer: str = ""
    lecturer_name: str = ""
    co: tuple[str, ...] = ()
    observers: tuple[str, ...] = ()
    session: int | None = None
    covers_year: int | None = None  # 所属年度, for yearly records held after their year
    data: dict = field(default_factory=dict)

    @property
    def day(self) -> datetime.date:
        return self.starts.date()

    @property
    def key(self) -> str:
        return f"{self.org}:{self.starts:%Y%m%d%H%M}:{self.title}"


def _holiday(day: datetime.date) -> bool:
    return day.weekday() >= 5 or any(a <= day <= b for a, b in HOLIDAYS)


def _workday(day: datetime.date, taken) -> datetime.date:
    """`day`, or the next workday that is not taken."""
    while _holiday(day) or taken(day):
        day += datetime.timedelta(days=1)
    return day


def _at(day: datetime.date, hh: int, mm: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ)


def _months():
    day = FIRST_DAY
    while day <= LAST_DAY:
        yield day.year, day.month
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _officers(org: str, day: datetime.date) -> tuple[str, str]:
    host, recorder = OFFICERS[org]
    if org == "gjc-branch" and day < HANDOVER:
        return "wujianguo", "xuliping"
    return host, recorder


def _pick(rng: random.Random, pool: list, n: int) -> list:
    return rng.sample(pool, min(n, len(pool)))


def build_schedule() -> list[Plan]:
    """Every activity of the demo, held or to come, in date order; the same on every run."""
    rng = random.Random(SEED)
    used: dict[str, set] = defaultdict(set)  # days taken, per branch and its groups
    plans: list[Plan] = []

    def take(org: str, day: datetime.date, co=()) -> datetime.date:
        """One activity a day for a branch and its groups (a general branch's for both)."""
        families = {f for code in (org, *co) for f in FAMILY.get(code, ())}
        day = _workday(day, lambda d: any(d in used[f] for f in families))
        for f in families:
            used[f].add(day)
        return day

    # Fixed events first, so the regular ones go around them.
    for g in GENERAL_MEETINGS:
        day = take(g.org, g.day, g.co)
        host, recorder = _officers(g.org, day)
        plans.append(Plan(
            org=g.org, types=("general_meeting",), starts=_at(day, 14, 30), minutes_long=120,
            title=f"支部党员大会：{g.title}" if g.org != "yjjl-gb" else g.title,
            place=ROOMS[g.org][0] if g.org != "yjjl-gb" else "研究院主楼报告厅",
            host=host, recorder=recorder, kind="general", agenda=g.agenda, co=g.co,
            data={"spec": g},
        ))
    for lec in LECTURES:
        day = take(lec.org, lec.day, lec.co)
        host, recorder = _officers(lec.org, day)
        recorder = STUDY_RECORDER.get(lec.org, recorder)
        plans.append(Plan(
            org=lec.org, starts=_at(day, 14, 30), minutes_long=90,
            # The branch secretary's own lecture of the year (书记讲党课) counts as such too.
            types=("party_lecture", "secretary_lecture")
            if lec.org in BRANCHES and lec.lecturer == host else ("party_lecture",),
            title=f"专题党课：{lec.title}",
            place="研究院主楼报告厅" if lec.co else rng.choice(ROOMS[lec.org]),
            host=host, recorder=recorder, kind="lecture", co=lec.co,
            lecturer="" if lec.guest else lec.lecturer,
            lecturer_name=lec.lecturer if lec.guest else "",
            agenda=("授课", "交流学习体会"), data={"spec": lec},
        ))
    # (organization, year, month) with a theme day above, and those where it was not a study.
    has_theme_day, not_a_study = set(NO_OWN_THEME_DAY), set(NO_OWN_THEME_DAY)
    for t in THEME_DAYS:
        day = take(t.org, t.day, t.co)
        host, recorder = _officers(t.org, day)
        recorder = STUDY_RECORDER.get(t.org, recorder)
        types = ("theme_day", "collective_study") if t.study else ("theme_day",)
        if t.joint:
            types = ("joint_activity", *types)
        title = t.title if "主题党日" in t.title or t.joint else f"主题党日：{t.title}"
        plans.append(Plan(
            org=t.org, types=types, starts=_at(day, 9, 0) if t.morning else _at(day, 14, 30),
            minutes_long=150, title=title, place=t.place, host=host, recorder=recorder,
            kind="joint" if t.joint else "theme", co=t.co, observers=t.observers,
            data={"spec": t},
        ))
        for code in (t.org, *t.co):
            has_theme_day.add((code, day.year, day.month))
            if not t.study:
                not_a_study.add((code, day.year, day.month))

    plans.append(flawed_example_plan(take))

    for year, month in _months():
        study = STUDY[(year, month)]
        first = datetime.date(year, month, 1)
        # Organizational life meetings with democratic appraisal, for the year before.
        if month == 1:
            for n, org in enumerate(BRANCHES):
                day = take(org, first.replace(day=12 + 2 * n))
                host, recorder = _officers(org, day)
                observer = {"yjs-branch": "liaohongmei", "gjc-branch": "shichen",
                            "zhb-branch": "zhouweidong"}[org]
                plans.append(Plan(
                    org=org, types=("org_life_meeting", "democratic_appraisal"),
                    starts=_at(day, 9, 0), minutes_long=180,
                    title=f"{year - 1}年度组织生活会暨民主评议党员", place=ROOMS[org][0],
                    host=host, recorder=recorder, kind="org_life", observers=(observer,),
                    agenda=("通报上年度组织生活会整改落实情况", "支部书记代表支委会作对照检查",
                            "党员逐一进行自我批评，相互批评", "开展民主评议党员"),
                    covers_year=year - 1,
                ))
                # Before it, the committee members talk with every member (谈心谈话); after it,
                # the secretary reports on the year's Party work to the committee above (述职).
                talks = take(org, first.replace(day=5 + n))
                plans.append(Plan(
                    org=org, types=("heart_to_heart",), starts=_at(talks, 14, 0), minutes_long=150,
                    title=f"{year - 1}年度组织生活会前谈心谈话", place=ROOMS[org][-1],
                    host=host, recorder=recorder, kind="talks", covers_year=year - 1,
                    agenda=("支委之间、支委与党员之间逐一谈心谈话", "征求对支部班子和支委个人的意见建议"),
                ))
                report = take(org, first.replace(day=21 + n))
                plans.append(Plan(
                    org=org, types=("secretary_report",), starts=_at(report, 9, 30), minutes_long=90,
                    title=f"支部书记{year - 1}年度抓基层党建工作述职", place=ROOMS[org][0],
                    host=host, recorder=recorder, kind="report", covers_year=year - 1,
                    agenda=("支部书记述职", "党员代表评议", "机关党委点评"),
                ))
        # Committee meetings (the general office has not held November 2026's yet: it is set
        # for the last day of the month).
        for org in ("yjjl-gb", *BRANCHES):
            if (org, year, month) == ("yjjl-gb", 2025, 8):
                continue  # summer: the general branch committee did not meet
            if (org, year, month) == ("zhb-branch", 2026, 11):
                day = take(org, datetime.date(2026, 11, 30))
            else:
                lo = 10 if month in (1, 2) and org != "yjjl-gb" else 3
                day = take(org, first.replace(day=lo + rng.randint(0, 5)))
            host, recorder = _officers(org, day)
            flavour = FLAVOUR[org]
            items = list(SPECIAL_ITEMS.get((org, year, month), []))
            if org == "yjjl-gb":
                items += [GENERAL_BRANCH_REPORT, GENERAL_BRANCH_ITEMS[month]]
            else:
                items += _pick(rng, MONTH_ITEMS[month], 1 if items else 2)
                items += _pick(rng, BRANCH_ITEMS[flavour], 1)
            items.insert(0, ("集体学习", f"会议集体学习了{study.material}。",
                             f"本月主题党日围绕“{study.theme}”开展"))
            meeting = "总支委员会" if org == "yjjl-gb" else "支委会"
            plans.append(Plan(
                org=org, types=("committee_meeting",),
                starts=_at(day, 14 if rng.random() < .7 else 9), minutes_long=75,
                title=f"{meeting}：" + "、".join(i[0] for i in items[1:3]),
                place=rng.choice(ROOMS[org]), host=host, recorder=recorder, kind="committee",
                agenda=tuple(i[0] for i in items), data={"items": items},
            ))
        # Theme days with collective study, and study sessions when the theme day was not one.
        for org in BRANCHES:
            host, recorder = _officers(org, first)
            recorder = STUDY_RECORDER.get(org, recorder)
            if (org, year, month) not in has_theme_day:
                day = take(org, first.replace(day=14 + rng.randint(0, 9)))
                plans.append(Plan(
                    org=org, types=("theme_day", "collective_study"), starts=_at(day, 14, 30),
                    minutes_long=120, title=f"{month}月主题党日：{study.theme}",
                    place=rng.choice(ROOMS[org]), host=host, recorder=recorder, kind="study",
                    agenda=(f"领学{study.material}", "交流研讨", "书记总结"),
                    data={"study": study},
                ))
            elif (org, year, month) in not_a_study:
                day = take(org, first.replace(day=8 + rng.randint(0, 12)))
                plans.append(Plan(
                    org=org, types=("collective_study",), starts=_at(day, 15, 0),
                    minutes_long=90, title=f"集体学习：{study.theme}",
                    place=rng.choice(ROOMS[org]), host=host, recorder=recorder, kind="study",
                    agenda=(f"学习{study.material}", "交流研讨"), data={"study": study},
                ))
        # Party group meetings.
        for n, org in enumerate(GROUPS):
            if (org, year, month) in GROUP_GAPS:
                continue
            day = take(org, first.replace(day=9 + rng.randint(0, 14)))
            host, recorder = OFFICERS[org]
            pool = GROUP_TOPICS + GROUP_FLAVOUR_TOPICS[FLAVOUR[org]]
            topic = GROUP_APPRAISAL if month == 1 else pool[(month + 3 * n + year) % len(pool)]
            plans.append(Plan(
                org=org, types=("group_meeting",), starts=_at(day, 16, 0), minutes_long=60,
                title=f"党小组会：{topic[0]}", place=rng.choice(ROOMS[org]),
                host=host, recorder=recorder, kind="group", data={"topic": topic},
            ))
    plans.sort(key=lambda p: (p.starts, p.org))
    # Session numbers of meetings, per organization, type and year.
    counters: Counter = Counter()
    for p in plans:
        if p.kind in ("committee", "general"):
            counters[(p.org, p.kind, p.day.year)] += 1
            p.session = counters[(p.org, p.kind, p.day.year)]
    return plans


# --- Writing a record ---


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _names(people) -> str:
    return "、".join(p.name for p in people)


def _attendance_line(rows, *, guests: str = "列席") -> str:
    expected = [r for r in rows if r.role == AttendanceRole.EXPECTED]
    present = [r for r in expected if r.status in PRESENT_STATES]
    away = [r for r in expected if r.status not in PRESENT_STATES]
    line = f"应到{len(expected)}人，实到{len(present)}人"
    if away:
        line += "；" + "、".join(f"{r.person.name}（{r.reason or '缺席'}）" for r in away) + "未到会"
    late = [r for r in expected if r.status == AttendanceStatus.LATE]
    if late:
        line += f"；{_names(r.person for r in late)}迟到"
    observers = [r.person for r in rows if r.role == AttendanceRole.OBSERVER and r.person_id]
    if observers:
        line += f"。{_names(observers)}{guests}"
    return line + "。"


def _speakers(rng, rows, exclude, n) -> list[Person]:
    pool = [r.person for r in rows
            if r.role == AttendanceRole.EXPECTED and r.status in PRESENT_STATES
            and r.person_id not in exclude]
    return _pick(rng, pool, n)


def _reflections(rng, rows, exclude, n, *, first: dict | None = None) -> tuple[list, list[str]]:
    """Up to `n` members who spoke, each with a line from their own branch's point of view
    (`first`: the month's point, by flavour, for the first speaker)."""
    pool = [r for r in rows
            if r.role == AttendanceRole.EXPECTED and r.status in PRESENT_STATES
            and r.person_id not in exclude and r.organization.code in FLAVOUR
            and r.organization.code != "yjjl-gb"]
    speakers, lines, said = [], [], set()
    for row in _pick(rng, pool, n):
        flavour = FLAVOUR[row.organization.code]
        line = (first or {}).get(flavour) if not lines else None
        line = line or rng.choice([x for x in REFLECTIONS[flavour] if x not in said])
        said.add(line)
        speakers.append(row.person)
        lines.append(line)
    return speakers, lines


def _said(lead: str, speakers, lines, verb: str) -> str:
    return _p(lead + "；".join(f"{s.name}{verb}，{line}" for s, line in zip(speakers, lines)) + "。")


def _bullets(speakers, lines) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(s.name)}：{html.escape(line)}。</li>"
                            for s, line in zip(speakers, lines) if line) + "</ul>"


# What each kind of activity is called in the opening sentence, and the verb that goes with it.
OPENINGS = {
    "committee": ("召开", "支部委员会会议"), "general": ("召开", "支部党员大会"),
    "group": ("召开", "党小组会"), "org_life": ("召开", "组织生活会"),
    "study": ("开展", "集体学习"), "theme": ("开展", "主题党日活动"),
    "joint": ("开展", "联学共建活动"), "lecture": ("举办", "专题党课"),
    "flawed": ("召开", "党小组会"),
    "talks": ("开展", "组织生活会前谈心谈话"), "report": ("召开", "支部书记抓基层党建工作述职会"),
}


def _write_minutes(plan: Plan, activity: Activity, people: dict,
                   rng: random.Random) -> tuple[str, list]:
    """The minutes (HTML) and resolutions of a held activity, from what happened at it."""
    rows = list(activity.attendance.select_related("person", "organization"))
    host, recorder = people[plan.host], people[plan.recorder]
    verb, what = OPENINGS[plan.kind]
    if plan.org == "yjjl-gb" and plan.kind in ("committee", "general"):
        what = "总支委员会会议" if plan.kind == "committee" else "党总支党员大会"
    elif plan.kind == "study" and "theme_day" in plan.types:
        what = "主题党日活动暨集体学习"
    elif plan.kind == "org_life":
        what = f"{plan.day.year - 1}年度组织生活会"
    when = f"{plan.day.month}月{plan.day.day}日{'上午' if plan.starts.hour < 12 else '下午'}"
    opening = (f"{when}，{activity.organization.name_zh}在{plan.place}{verb}{what}，"
               f"{host.name}主持，{recorder.name}记录。")
    head = _attendance_line(rows, guests="参加" if plan.kind == "joint" else "列席")
    parts: list[str] = [_p(opening + head)]
    resolutions: list[dict] = []
    skip = {host.pk, recorder.pk}

    if plan.kind == "committee":
        decisions = []
        for i, (focus, body, decision) in enumerate(plan.data["items"]):
            parts.append(_p(f"{'一二三四五六'[i]}、{focus}。{body}"))
            decisions.append(decision)
        parts.append("<p>会议议定：</p><ol>" + "".join(f"<li>{html.escape(d)}。</li>" for d in decisions)
                     + "</ol>")
        # What the meeting decided is carried into the resolutions table.
        resolutions.extend({"text": d} for d in decisions)
    elif plan.kind == "study":
        study: Study = plan.data["study"]
        parts.append(_p(f"{host.name}领学了{study.material}，围绕“{study.points[0]}”和"
                        f"“{study.points[1]}”两个方面作了重点解读。"))
        speakers, said = _reflections(rng, rows, skip, 3, first=study.views)
        parts.append("<p>交流研讨中：</p>" + _bullets(speakers, said))
        parts.append(_p(rng.choice(HOST_SUMMARIES).format(host=host.name)))
    elif plan.kind in ("theme", "joint"):
        parts.append(_p(plan.data["spec"].body))
        speakers, said = _reflections(rng, rows, skip, 2)
        if speakers:
            parts.append(_said("交流中，", speakers, said, "谈到"))
        parts.append(_p(rng.choice(HOST_SUMMARIES).format(host=host.name)))
    elif plan.kind == "talks":
        talked = [r for r in rows if r.status in PRESENT_STATES and r.person_id != host.pk]
        parts.append(_p(f"支部委员会成员之间、支委与党员之间逐一开展谈心谈话，{host.name}与"
                        f"{len(talked)}名党员逐一谈话，听取对支部班子和支委个人的意见建议，"
                        "谈心得失、谈工作打算，相互提醒存在的问题。"))
        parts.append(_p(f"共征集意见建议{3 + len(talked) // 3}条，已梳理汇总，"
                        f"作为{plan.covers_year}年度组织生活会对照检查的重要参考。"))
    elif plan.kind == "report":
        parts.append(_p(f"{host.name}代表支部委员会述职，从落实全面从严治党责任、加强理论武装、"
                        f"规范组织生活、推动党建与业务融合四个方面报告了{plan.covers_year}年度"
                        "抓基层党建工作情况，查摆了存在的不足，提出了改进措施。"))
        speakers, said = _reflections(rng, rows, skip, 2)
        if speakers:
            parts.append(_said("评议中，", speakers, said, "提出"))
        parts.append(_p("与会党员对支部书记抓党建工作情况进行了测评。"))
    elif plan.kind == "lecture":
        spec: Lecture = plan.data["spec"]
        lecturer = spec.lecturer if spec.guest else people[spec.lecturer].name
        parts.append(_p(f"{lecturer}以《{spec.title}》为题讲授专题党课。党课分三个部分：一是"
                        f"{spec.outline[0]}；二是{spec.outline[1]}；三是{spec.outline[2]}。"))
        speakers, said = _reflections(
            rng, rows, skip if spec.guest else skip | {people[spec.lecturer].pk}, 2)
        if speakers:
            parts.append(_said("听课后，", speakers, said, "表示"))
        parts.append(_p(f"{host.name}要求大家把党课内容与本职工作结合起来，请假的同志按要求补学。"))
    elif plan.kind == "general":
        spec: General = plan.data["spec"]
        voting = [r for r in rows if r.role == AttendanceRole.EXPECTED and r.voting]
        voting_present = [r for r in voting if r.status in PRESENT_STATES]
        parts.append(_p(f"应到有表决权的党员{len(voting)}名，实到{len(voting_present)}名，"
                        + ("未超过半数。" if spec.without_quorum else "超过半数，会议有效。")))
        parts.append(_p(spec.body))
        if spec.election and not spec.without_quorum:
            parts.append(_p(_election_report(spec.election, people, len(voting),
                                             len(voting_present))))
        unit = "票" if spec.ballot == "无记名投票" else "人"
        for text, against, abstain, about in () if spec.without_quorum else spec.resolutions:
            if against is None:  # an election's result: its votes are the candidates'
                resolutions.append({"text": text})
                parts.append(_p(f"会议{text}。"))
                continue
            subject = people[about] if about else None
            row = next((r for r in rows if subject and r.person_id == subject.pk), None)
            # The person a matter is about does not vote on it; a candidate (not yet a member)
            # attends without a vote, a probationary member has none.
            voters = len(voting_present) - (row in voting_present)
            note = ""
            if subject is not None:
                if row is None or row.role != AttendanceRole.EXPECTED:
                    note = f"{subject.name}同志列席会议，不参加表决。"
                elif not row.voting:
                    note = f"{subject.name}同志是预备党员，没有表决权，不参加表决。"
                else:
                    note = f"{subject.name}同志本人回避表决。"
            votes_for = voters - against - abstain
            resolution = {"text": text, "votes_for": votes_for, "votes_against": against,
                          "votes_abstain": abstain}
            if subject is not None:
                resolution["subject_person"] = subject
            resolutions.append(resolution)
            parts.append(_p(f"{note}经{spec.ballot}，{votes_for}{unit}赞成，{against}{unit}反对，"
                            f"{abstain}{unit}弃权，会议{text}。"))
    elif plan.kind == "flawed":
        # Written as the flawed example says, whoever was away: the checks must refuse it.
        example = plan.data["example"]
        parts.append(_p(example["intro"]))
        parts.append("<p>发言摘要：</p>" + _bullets([people[s["person"]] for s in example["speakers"]],
                                                  [s["line"] for s in example["speakers"]]))
        parts.append(f"<p>会议议定：</p><ol><li>{html.escape(example['decision'])}。</li></ol>")
    elif plan.kind == "group":
        topic, intro, lines = plan.data["topic"]
        parts.append(_p(intro))
        speakers = _speakers(rng, rows, skip, 3)
        parts.append("<p>发言摘要：</p>" + _bullets(speakers, lines))
        parts.append(_p(rng.choice(GROUP_CLOSINGS).format(host=host.name)))
    elif plan.kind == "org_life":
        parts.append(_p(f"会前，支部围绕会议主题开展了集中学习，广泛征求了意见建议，支委之间、"
                        f"支委与党员之间普遍开展了谈心谈话。{host.name}代表支部委员会作对照检查，"
                        f"查摆了理论学习不够系统、联系群众不够经常等问题，提出了整改措施。"))
        present = [r for r in rows
                   if r.role == AttendanceRole.EXPECTED and r.status in PRESENT_STATES]
        # Everyone present speaks: a self-criticism, and a criticism of the next one.
        order = [r.person for r in present]
        rng.shuffle(order)
        selves = _lines(rng, SELF_CRITICISM, len(order))
        crits = _lines(rng, CRITICISM, len(order))
        remarks = [f"{person.name}作自我批评：{selves[i]}。"
                   f"{order[(i + 1) % len(order)].name}对其提出批评意见：{crits[i]}。"
                   for i, person in enumerate(order)]
        parts.append("<p>党员逐一作自我批评，相互开展批评（发言摘要）：</p><ul>"
                     + "".join(f"<li>{html.escape(r)}</li>" for r in remarks) + "</ul>")
        observers = [r.person for r in rows if r.role == AttendanceRole.OBSERVER and r.person_id]
        if observers:
            parts.append(_p(f"{_names(observers)}代表机关党委对会议作点评，认为会前准备充分，"
                            f"批评和自我批评开得认真，要求支部抓好问题整改。"))
        full = [r for r in present if r.voting]
        probationary = [r.person for r in present if not r.voting]
        away = [r for r in rows
                if r.role == AttendanceRole.EXPECTED and r.status not in PRESENT_STATES]
        good = max(1, len(full) // 5)
        text = (f"会议开展了民主评议党员，经个人自评、党员互评和民主测评，到会的{len(full)}名正式党员中"
                f"评定优秀{good}名、合格{len(full) - good}名。")
        if probationary:
            text += f"预备党员{_names(probationary)}参加评议，不评定等次。"
        if away:
            text += ("、".join(f"{r.person.name}（{r.reason or '缺席'}）" for r in away)
                     + "未到会，会后由支部书记与其谈心谈话、本人提交书面对照检查材料后另行评议。")
        parts.append(_p(text))
        later = f"；{_names(r.person for r in away)}另行评议" if away else ""
        resolutions.append({"text": f"民主评议结果：优秀{good}名，合格{len(full) - good}名{later}，"
                                    "报机关党委备案"})
    return "".join(parts), resolutions


def _lines(rng: random.Random, pool: list[str], n: int) -> list[str]:
    """`n` lines from `pool`, none repeated before all have been used."""
    lines: list[str] = []
    while len(lines) < n:
        lines += rng.sample(pool, min(n - len(lines), len(pool)))
    return lines


def _election_report(election: dict, people: dict, expected: int, present: int) -> str:
    """The count of a committee election (差额选举) from the ballots of those present."""
    seats, candidates = election["seats"], election["candidates"]
    votes = [(people[c["person"]], present - c["short"]) for c in candidates]
    ranked = sorted(votes, key=lambda pv: -pv[1])
    elected = ranked[:seats]
    if (5 * len(candidates) < 6 * seats or sum(v for _, v in votes) > seats * present
            or min(v for _, v in votes) < 0 or 5 * present < 4 * expected
            or any(2 * v <= present for _, v in elected)):
        raise ValueError("The demo's election does not add up: check general_meetings.yaml.")
    return (f"本次选举实行差额选举，应选委员{seats}名，候选人{len(candidates)}名。应到有选举权的党员"
            f"{expected}名，实到{present}名，超过应到人数的五分之四，选举有效。共发出选票{present}张，"
            f"收回{present}张，均为有效票。计票结果："
            + "、".join(f"{p.name}{v}票" for p, v in ranked) + "。"
            + _names(p for p, _ in elected)
            + "得票超过实到会有选举权党员的半数，当选为新一届支部委员会委员。")


# --- Attendance ---


def _marks(plan: Plan, activity: Activity, rng: random.Random) -> dict:
    """Who came: nearly everyone; a few away with a reason; hosts and recorders always there.

    Committee meetings (quorum of the expected) and general meetings (of voting members) stay
    above half, unless the meeting is the one that fell short.
    """
    rows = list(activity.attendance.select_related("person").filter(role=AttendanceRole.EXPECTED))
    spec = plan.data.get("spec")
    # Whoever the record names as speaking, introducing or being decided about was there.
    always = {plan.host, plan.recorder, plan.lecturer, *getattr(spec, "speakers", ()),
              *plan.data.get("speakers", ())}
    if isinstance(spec, General):
        always |= spec.about
    short = isinstance(spec, General) and spec.without_quorum
    rate = {"committee": .06, "general": .07, "org_life": .04}.get(plan.kind, .08)
    reasons = ABSENCE_REASONS + (GJC_REASONS if FLAVOUR[plan.org] == "gjc" else [])
    if plan.kind == "general":
        pool = [r for r in rows if r.voting]
    else:
        pool = rows
    limit = (len(pool) - 1) // 2 if plan.kind in ("committee", "general") else len(pool)
    if isinstance(spec, General) and spec.election:
        # An election needs at least four fifths of the members with voting rights.
        limit = len(pool) - math.ceil(len(pool) * 4 / 5)
    counted = {r.pk for r in pool}
    away = 0
    marks = {}
    for row in rows:
        key = row.person.email.split("@")[0]
        if key in always:
            marks[row.pk] = (AttendanceStatus.PRESENT, "")
        elif key in plan.data.get("excused", {}):
            marks[row.pk] = (AttendanceStatus.EXCUSED, plan.data["excused"][key])
            away += 1
        elif key == plan.data.get("absent_without_reason"):
            marks[row.pk] = (AttendanceStatus.ABSENT, "")
            away += 1
        elif short and row.voting and away <= len(pool) // 2:
            marks[row.pk] = (AttendanceStatus.EXCUSED, rng.choice(SUMMER_REASONS))
            away += 1
        else:
            roll = rng.random()
            if roll < rate and (away < limit or row.pk not in counted):
                marks[row.pk] = (AttendanceStatus.EXCUSED, rng.choice(reasons))
                away += row.pk in counted
            elif roll < rate + .012 and plan.kind != "committee":
                marks[row.pk] = (AttendanceStatus.LATE, "")
            else:
                marks[row.pk] = (AttendanceStatus.PRESENT, "")
    return marks


# --- Loading ---


def flawed_example_plan(take) -> Plan:
    """The one record kept wrong on purpose (demo/flawed_example.yaml): submitted, never
    approved, refused by the consistency checks."""
    spec = _data("flawed_example.yaml")
    day = take(spec["org"], spec["day"])
    host, recorder = OFFICERS[spec["org"]]
    return Plan(
        org=spec["org"], types=("group_meeting",), starts=_at(day, 16, 0), minutes_long=60,
        title=spec["title"], place=spec["place"], host=host, recorder=recorder, kind="flawed",
        data={"stage": "submitted", "example": spec,
              "excused": {spec["excused"]["person"]: spec["excused"]["reason"]},
              "speakers": [s["person"] for s in spec["speakers"]
                           if s["person"] != spec["excused"]["person"]]},
    )


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
        planned = services.year_plan_generate(by=actor(OFFICERS[PLAN_BRANCH][0]),
                                              organization=orgs[PLAN_BRANCH], year=PLAN_YEAR)
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
