"""Bench data: a committee with N branches, each with a year of held activities.

`generate()` writes straight into the tables with bulk inserts (it is load, not a record anyone
kept), except for what the app derives: the Credit rows that compliance reads are made by
`activities.services.recompute_credits`, activity by activity, so they are exactly what the app
would hold. Every activity is locked, has its expected members (a few late, excused with a
reason and a make-up, or absent), observers now and then, minutes of one to two thousand
characters, resolutions (with votes at general meetings), and optionally a photo; every tenth
has an amendment. The text comes from the demo's pools, so it reads like the real thing.

Run through bench/run.py, which gives each benchmark a fresh SQLite database.
"""

from __future__ import annotations

import datetime
import html
import io
import os
import random
import time
from dataclasses import dataclass

SEED = 3


def setup_django() -> None:
    """Django with the deployment settings (run.py sets BRANCHWORK_INSTANCE to a scratch folder)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "branchwork.settings")
    import django

    django.setup()


SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国文斌宇浩然思远晓雨婉清一帆雪薇子涵嘉怡佳欣明远淑琴志强若兰文博海燕立群德文玉芬晨琳颖楠梦亮鹏凯悦骁"

# Ten activities of a member branch's year, repeated: every type a ledger prints, all of them
# with the whole branch expected (the sizing: 40 expected attendees each).
CYCLE = [
    ("theme_day", "collective_study"),
    ("collective_study",),
    ("general_meeting",),
    ("party_lecture",),
    ("collective_study",),
    ("theme_day",),
    ("general_meeting",),
    ("collective_study",),
    ("party_lecture",),
    ("org_life_meeting", "democratic_appraisal"),
]
TITLES = {
    "theme_day": "{m}月主题党日：{theme}",
    "collective_study": "集体学习：{theme}",
    "general_meeting": "支部党员大会：审议{doc}",
    "party_lecture": "专题党课：{theme}",
    "org_life_meeting": "{y}年度组织生活会暨民主评议党员",
}
DOCS = ["支部年度工作要点", "党费收缴使用情况报告", "联学共建工作计划", "半年工作情况报告",
        "年度民主评议党员工作方案", "发展党员工作计划", "支部学习计划", "年度工作总结"]
REASONS = ["出差（外地调研）", "病假", "年休假", "参加院外业务培训", "陪同外宾参访",
           "参加学术会议", "照顾生病家人", "在外执行接待任务"]
PLACES = ["研究院主楼301会议室", "研究院主楼报告厅", "综合楼二楼会议室", "党员活动室",
          "研究室资料室", "市革命历史纪念馆", "东湖街道党群服务中心"]


@dataclass
class Generated:
    committee: object
    branches: list
    year: int
    activities: int
    attendance: int
    credits: int
    seconds: float


def _names(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            for _ in range(n)]


def _workdays(year: int, last: datetime.date) -> list[datetime.date]:
    day, days = datetime.date(year, 1, 5), []
    while day <= min(last, datetime.date(year, 12, 31)):
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _photo(rng: random.Random, label: str) -> bytes:
    """A 1600×1067 JPEG (a phone photo resized for upload), a little different each time."""
    from PIL import Image, ImageDraw

    base = tuple(rng.randrange(60, 200) for _ in range(3))
    img = Image.new("RGB", (1600, 1067), base)
    draw = ImageDraw.Draw(img)
    for i in range(0, 1600, 40):
        draw.line([(i, 0), (1600 - i, 1067)], fill=(rng.randrange(256), 200, 120), width=3)
    draw.rectangle([200, 300, 1400, 800], outline=(250, 250, 250), width=8)
    draw.text((240, 330), label, fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82)
    return out.getvalue()


def _minutes(rng, types, theme_key, speakers: list[str], host: str, flavour: str) -> str:
    """One to two thousand characters of minutes in the shape the recorders write them."""
    from branchwork.activities import demo
    from branchwork.core.richtext import clean_rich_text

    study = demo.STUDY[theme_key]
    reflections = rng.sample(demo.REFLECTIONS[flavour], 4)
    parts = [
        f"<p>{host}主持会议。会议首先传达学习了{html.escape(study.material)}，围绕“"
        f"{html.escape(study.points[0])}”和“{html.escape(study.points[1])}”作了重点解读。</p>",
        "<h3>交流研讨</h3><ul>",
    ]
    view = study.views.get(flavour) or reflections[0]
    for name, line in zip(speakers, [view, *reflections]):
        parts.append(f"<li><strong>{html.escape(name)}</strong>：{html.escape(line)}。</li>")
    parts.append("</ul>")
    if "general_meeting" in types:
        parts.append("<h3>讨论事项</h3><ol><li>支部委员会就提交大会审议的文件作说明；</li>"
                     "<li>与会党员逐条讨论并提出修改意见；</li><li>大会进行表决。</li></ol>")
    if "party_lecture" in types:
        parts.append("<p>党课分三个部分：一是学深悟透理论要义；二是联系本单位实际查找差距；"
                     "三是提出改进工作的具体举措。听课党员结合岗位谈了体会。</p>")
    parts.append(f"<p>{html.escape(rng.choice(demo.HOST_SUMMARIES).format(host=host))}</p>")
    parts.append("<blockquote>会议要求：请假的同志按要求补学，各党小组在本月内交流学习体会。</blockquote>")
    return clean_rich_text("".join(parts))


def generate(*, branches: int = 1, activities: int = 80, attendees: int = 40,
             year: int | None = None, photos: bool = True, code: str = "bench-cmte",
             seed: int = SEED) -> Generated:
    """A committee `code` with `branches` branches of `attendees` members each and `activities`
    locked activities per branch in `year` (this year by default, up to yesterday)."""
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.utils import timezone
    from zoneinfo import ZoneInfo

    from branchwork.activities import demo, services
    from branchwork.activities.models import (
        Activity, ActivityStatus, ActivityTypeTag, Amendment, Attachment, AttachmentKind,
        Attendance, AttendanceRole, AttendanceStatus, Credit, MarkedVia, Resolution,
    )
    from branchwork.core.models import (
        Membership, MembershipStatus, Organization, OrganizationKind, Person, Portfolio, Role,
    )
    from branchwork.core.services import derive_status_histories

    started = time.perf_counter()
    rng = random.Random(seed)
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    year = year or today.year
    days = _workdays(year, today - datetime.timedelta(days=1))
    themes = [k for k in demo.STUDY if k[0] == year] or list(demo.STUDY)
    flavours = ["yjs", "gjc", "zhb"]
    now = timezone.now()

    with transaction.atomic():
        committee = Organization.add_root(instance=Organization(
            code=code, kind=OrganizationKind.COMMITTEE, name_zh="基准测试机关党委",
            name_en="Bench committee"))
        orgs = []
        for b in range(branches):
            parent = Organization.objects.get(pk=committee.pk)
            orgs.append(parent.add_child(instance=Organization(
                code=f"{code}-b{b:03d}", kind=OrganizationKind.BRANCH,
                name_zh=f"第{b + 1}党支部", name_en=f"Branch {b + 1}")))
        staff = Person.objects.create(name="基准督导员", name_en="Bench observer",
                                      membership_status=MembershipStatus.FULL,
                                      joined_party_on=datetime.date(2001, 7, 1))
        people = Person.objects.bulk_create([
            Person(name=name, name_en=f"Member {b}-{i}", email=f"m{b}-{i}@{code}.example",
                   membership_status=MembershipStatus.PROBATIONARY if i >= attendees - 2
                   else MembershipStatus.FULL,
                   joined_party_on=datetime.date(1990 + (i * 7) % 35, 7, 1))
            for b in range(branches) for i, name in enumerate(_names(rng, attendees))
        ], batch_size=500)
        derive_status_histories(people=[staff, *people], today=datetime.date(year, 12, 31))
        members = {b: people[b * attendees:(b + 1) * attendees] for b in range(branches)}
        roles = [Role.SECRETARY] + [Role.COMMITTEE_MEMBER] * 3
        portfolios = ["", Portfolio.ORGANIZATION, Portfolio.PROPAGANDA, Portfolio.DISCIPLINE]
        Membership.objects.bulk_create([
            Membership(person=p, organization=orgs[b], start_on=datetime.date(year - 3, 1, 1),
                       role=roles[i] if i < len(roles) else Role.MEMBER,
                       portfolio=portfolios[i] if i < len(roles) else "")
            for b in range(branches) for i, p in enumerate(members[b])
        ], batch_size=500)

        specs, rows = [], []
        for b, org in enumerate(orgs):
            flavour = flavours[b % len(flavours)]
            group = members[b]
            chosen = sorted(rng.sample(days, activities) if activities <= len(days)
                            else [days[i % len(days)] for i in range(activities)])
            for n, day in enumerate(chosen):
                types = CYCLE[n % len(CYCLE)]
                theme_key = themes[(day.month - 1) % len(themes)]
                theme = demo.STUDY[theme_key].theme
                title = TITLES[types[0]].format(m=day.month, y=year - 1, theme=theme,
                                                doc=rng.choice(DOCS))
                starts = datetime.datetime.combine(day, datetime.time(14, 30), tzinfo=tz)
                host, recorder = group[0], group[2]
                speakers = [p.name for p in rng.sample(group[3:], 5)]
                # Lectures alternate between the secretary and a guest.
                lecture = "party_lecture" in types
                lecturer = group[0] if lecture and n % 2 else None
                guest = "特邀专家（市委党校）" if lecture and not n % 2 else ""
                specs.append((org, types, group, Activity(
                    organization=org, title=title, session_number=n + 1, starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=2), place=rng.choice(PLACES),
                    host=host, recorder=recorder,
                    lecturer=lecturer, lecturer_name=guest,
                    agenda="\n".join(["传达学习上级精神", "交流研讨", "审议有关事项", "书记总结"]),
                    minutes=_minutes(rng, types, theme_key, speakers, host.name, flavour),
                    status=ActivityStatus.LOCKED, submitted_at=now, locked_at=now,
                )))
        created = Activity.objects.bulk_create([s[3] for s in specs], batch_size=500)
        tags, resolutions, amendments, attachments = [], [], [], []
        for (org, types, group, _), activity in zip(specs, created):
            tags += [ActivityTypeTag(activity=activity, code=c) for c in types]
            present = 0
            for i, person in enumerate(group):
                roll = rng.random()
                status, reason, makeup = AttendanceStatus.PRESENT, "", None
                if i > 3 and roll < .06:
                    status, reason = AttendanceStatus.EXCUSED, rng.choice(REASONS)
                    makeup = activity.starts_at.date() + datetime.timedelta(days=rng.randint(2, 9))
                elif i > 3 and roll < .08:
                    status = AttendanceStatus.ABSENT
                elif roll < .11:
                    status = AttendanceStatus.LATE
                voting = person.membership_status == MembershipStatus.FULL
                present += voting and status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
                rows.append(Attendance(
                    activity=activity, person=person, organization=org, voting=voting,
                    status=status, reason=reason, marked_via=MarkedVia.MANUAL, marked_at=now,
                    makeup_on=makeup, makeup_note="自学会议材料并提交学习体会" if makeup else ""))
            if rng.random() < .3:
                rows.append(Attendance(
                    activity=activity, person=staff, role=AttendanceRole.OBSERVER, voting=False,
                    status=AttendanceStatus.PRESENT, marked_via=MarkedVia.MANUAL, marked_at=now))
            if "general_meeting" in types:
                resolutions += [
                    Resolution(activity=activity, order=0, text=f"通过《{rng.choice(DOCS)}》",
                               votes_for=present - 1, votes_against=0, votes_abstain=1),
                    Resolution(activity=activity, order=1, text="同意将会议决定报机关党委备案",
                               votes_for=present, votes_against=0, votes_abstain=0),
                ]
            else:
                resolutions.append(Resolution(activity=activity, order=0,
                                              text="请假同志一周内完成补学"))
            if activity.session_number % 10 == 1:
                amendments.append(Amendment(
                    activity=activity, by_name=group[0].name, at=now,
                    reason="经核对请假审批单，更正一名党员的出勤情况",
                    entries=[{"field": "place", "old": "党员活动室", "new": activity.place}]))
        ActivityTypeTag.objects.bulk_create(tags, batch_size=1000)
        Attendance.objects.bulk_create(rows, batch_size=1000)
        Resolution.objects.bulk_create(resolutions, batch_size=1000)
        Amendment.objects.bulk_create(amendments, batch_size=1000)
        if photos:
            for (org, _, _, _), activity in zip(specs, created):
                name = default_storage.save(
                    f"activities/{activity.pk}/现场{activity.pk}.jpg",
                    ContentFile(_photo(rng, f"{org.code} #{activity.session_number}")))
                attachments.append(Attachment(activity=activity, kind=AttachmentKind.PHOTO,
                                              file=name, filename="会议现场.jpg",
                                              caption=f"{activity.title}现场", order=0))
            Attachment.objects.bulk_create(attachments, batch_size=1000)
        # Derived rows, exactly as the app derives them.
        held = Activity.objects.filter(organization__in=orgs).prefetch_related("type_tags")
        for activity in held:
            services.recompute_credits(activity)

    return Generated(committee=committee, branches=orgs, year=year, activities=len(created),
                     attendance=len(rows),
                     credits=Credit.objects.filter(organization__in=orgs).count(),
                     seconds=time.perf_counter() - started)
