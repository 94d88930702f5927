"""The schedule of the demo's two years: which organization meets when, for what."""


from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict

from branchwork.activities.demo.data import (
    BRANCH_ITEMS,
    BRANCHES,
    FAMILY,
    FIRST_DAY,
    FLAVOUR,
    GENERAL_BRANCH_ITEMS,
    GENERAL_BRANCH_REPORT,
    GENERAL_MEETINGS,
    GROUP_APPRAISAL,
    GROUP_FLAVOUR_TOPICS,
    GROUP_GAPS,
    GROUP_TOPICS,
    GROUPS,
    HANDOVER,
    HOLIDAYS,
    LAST_DAY,
    LECTURES,
    MONTH_ITEMS,
    NO_OWN_THEME_DAY,
    OFFICERS,
    ROOMS,
    SEED,
    SPECIAL_ITEMS,
    STUDY,
    STUDY_RECORDER,
    THEME_DAYS,
    TZ,
    Plan,
    _data,
)


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
