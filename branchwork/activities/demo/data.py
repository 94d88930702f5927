"""The demo's organizational-life texts and calendar, read from the YAML files beside this module."""


from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from branchwork.core import demo as core_demo


def _data(name: str):
    # read_data looks in the `demo/` folder beside the module it is given: this package is that
    # folder, so it is given the package's own path.
    return core_demo.read_data(str(Path(__file__).parent), name)


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


