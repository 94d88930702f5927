"""The demo institution: the Party committee of the (fictional) Donghu Institute, its branches,
about sixty people and their roles since 2025, with a few logins that mirror the test personas.

The data is plain Python below; `load()` makes the database agree with it. Everything is keyed on
stable identifiers (codes, emails, usernames; a role on person, organization, role and start
date), so loading again changes nothing and a later version of this file updates in place.
Writes go through core.services, so they are validated like any other and land in the audit
trail under the source "demo".
"""

import datetime
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from branchwork.core import audit, services
from branchwork.core.models import (
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    Person,
    Portfolio,
    Role,
    Unit,
)

# The records of the demo begin here: roles held before are recorded as held from this day.
START = datetime.date(2025, 1, 1)
# The international exchange branch elected a new secretary at mid-2025.
HANDOVER = datetime.date(2025, 7, 1)
# Ma Xiao moved from the General Office to the Research Office in spring 2026.
TRANSFER = datetime.date(2026, 4, 1)
DAY = datetime.timedelta(days=1)

FULL = MembershipStatus.FULL
PROBATIONARY = MembershipStatus.PROBATIONARY
NONE = MembershipStatus.NONE


class UnitSpec(NamedTuple):
    code: str
    name_zh: str
    name_en: str


class OrgSpec(NamedTuple):
    code: str
    kind: str
    parent: str | None
    unit: str | None
    name_zh: str
    name_en: str


class PersonSpec(NamedTuple):
    key: str  # the local part of the email; the username too, for those with a login
    name: str
    name_en: str
    status: str
    joined: str | None
    unit: str | None  # None for a guest from abroad
    position: str
    name_native: str = ""

    @property
    def email(self) -> str:
        return f"{self.key}@{EMAIL_DOMAINS.get(self.unit, 'donghu.example')}"

    @property
    def phone(self) -> str:
        if self.unit is None:
            return ""
        # Derived from the key so that it stays put when people are added; all in one fake block.
        return f"1380000{zlib.crc32(self.key.encode()) % 10000:04d}"


class RoleSpec(NamedTuple):
    person: str
    org: str
    role: str
    start: datetime.date = START
    end: datetime.date | None = None
    portfolio: str = ""
    note: str = ""


class LoginSpec(NamedTuple):
    username: str
    person: str | None
    org: str | None
    role: str | None


RESEARCH = "research-office"
GENERAL = "general-office"
EXCHANGE = "intl-exchange"
OFFICE = "committee-office"
UDRC = "udrc"
# Everyone's email is at the Donghu Institute's domain except these.
EMAIL_DOMAINS = {UDRC: "udrc.example", None: "guest.example"}
UNITS = [
    UnitSpec(RESEARCH, "研究室", "Research Office"),
    UnitSpec(GENERAL, "综合办公室", "General Office"),
    UnitSpec(EXCHANGE, "国际交流处", "International Exchange Division"),
    UnitSpec(OFFICE, "机关党委办公室", "Committee Office"),
    UnitSpec(UDRC, "城市发展研究中心", "Urban Development Research Centre"),
]

K = OrganizationKind
# Parents come before their children.
ORGANIZATIONS = [
    OrgSpec("dh-cmte", K.COMMITTEE, None, OFFICE,
            "东湖研究院机关党委", "Party Committee of the Donghu Institute"),
    OrgSpec("yjjl-gb", K.GENERAL_BRANCH, "dh-cmte", None,
            "研究与交流党总支", "General Party Branch for Research and Exchange"),
    OrgSpec("yjs-branch", K.BRANCH, "yjjl-gb", RESEARCH,
            "研究室党支部", "Research Office Party Branch"),
    OrgSpec("yjs-g1", K.GROUP, "yjs-branch", RESEARCH,
            "研究室第一党小组", "Research Office Party Group 1"),
    OrgSpec("yjs-g2", K.GROUP, "yjs-branch", RESEARCH,
            "研究室第二党小组", "Research Office Party Group 2"),
    OrgSpec("gjc-branch", K.BRANCH, "yjjl-gb", EXCHANGE,
            "国际交流处党支部", "International Exchange Division Party Branch"),
    OrgSpec("gjc-g1", K.GROUP, "gjc-branch", EXCHANGE,
            "国际交流处第一党小组", "International Exchange Party Group 1"),
    OrgSpec("gjc-g2", K.GROUP, "gjc-branch", EXCHANGE,
            "国际交流处第二党小组", "International Exchange Party Group 2"),
    OrgSpec("zhb-branch", K.BRANCH, "dh-cmte", GENERAL,
            "综合办公室党支部", "General Office Party Branch"),
    OrgSpec("zhb-g1", K.GROUP, "zhb-branch", GENERAL,
            "综合办公室第一党小组", "General Office Party Group 1"),
    OrgSpec("zhb-g2", K.GROUP, "zhb-branch", GENERAL,
            "综合办公室第二党小组", "General Office Party Group 2"),
    OrgSpec("dh-youth", K.YOUTH_LEAGUE, "dh-cmte", None,
            "东湖研究院团委", "Youth League Committee of the Donghu Institute"),
    OrgSpec("udrc-branch", K.EXTERNAL_BRANCH, None, UDRC,
            "城市发展研究中心第二党支部",
            "Second Party Branch of the Urban Development Research Centre"),
]

P = PersonSpec
PEOPLE = [
    # Research Office
    P("lijing", "李婧", "Li Jing", FULL, "2005-06-28", RESEARCH, "研究室主任、研究员"),
    P("zhouweidong", "周卫东", "Zhou Weidong", FULL, "1999-11-12", RESEARCH,
      "研究室副主任、研究员"),
    P("chenxiaoyu", "陈晓雨", "Chen Xiaoyu", FULL, "2011-05-20", RESEARCH, "副研究员"),
    P("wanghaoran", "王浩然", "Wang Haoran", FULL, "2016-06-15", RESEARCH, "助理研究员"),
    P("zhaoyifan", "赵一帆", "Zhao Yifan", FULL, "2010-12-01", RESEARCH, "副研究员"),
    P("sunmingyuan", "孙明远", "Sun Mingyuan", FULL, "2002-07-01", RESEARCH, "研究员"),
    P("huangshumin", "黄淑敏", "Huang Shumin", FULL, "2009-06-30", RESEARCH, "副研究员"),
    P("tangjiaxin", "唐佳欣", "Tang Jiaxin", FULL, "2025-05-20", RESEARCH, "助理研究员"),
    P("caiwenbo", "蔡文博", "Cai Wenbo", FULL, "2019-06-28", RESEARCH, "助理研究员"),
    P("rensiyuan", "任思远", "Ren Siyuan", FULL, "2020-11-20", RESEARCH, "助理研究员"),
    P("liuzhiqiang", "刘志强", "Liu Zhiqiang", FULL, "2001-06-20", RESEARCH, "研究员"),
    P("guoruolan", "郭若兰", "Guo Ruolan", FULL, "2012-04-18", RESEARCH, "副研究员"),
    P("hejun", "何骏", "He Jun", FULL, "2018-06-29", RESEARCH, "助理研究员"),
    P("luoqian", "罗倩", "Luo Qian", PROBATIONARY, "2026-06-26", RESEARCH, "助理研究员"),
    P("xiepeng", "谢鹏", "Xie Peng", FULL, "2008-10-10", RESEARCH, "副研究员"),
    P("songwenjing", "宋文静", "Song Wenjing", FULL, "2003-05-04", RESEARCH, "研究员"),
    P("maxiao", "马骁", "Ma Xiao", FULL, "2014-06-30", RESEARCH, "助理研究员"),
    P("fangyue", "方悦", "Fang Yue", NONE, None, RESEARCH, "研究助理"),
    P("dengkai", "邓凯", "Deng Kai", NONE, None, RESEARCH, "科研助理"),
    # International Exchange Division
    P("wujianguo", "吴建国", "Wu Jianguo", FULL, "1994-06-30", EXCHANGE, "一级调研员"),
    P("xuliping", "徐丽萍", "Xu Liping", FULL, "2003-12-10", EXCHANGE, "处长"),
    P("gaoyuan", "高远", "Gao Yuan", FULL, "2006-05-15", EXCHANGE, "副处长"),
    P("caolin", "曹琳", "Cao Lin", FULL, "2009-03-25", EXCHANGE, "副处长"),
    P("zhangyuhang", "张宇航", "Zhang Yuhang", FULL, "2013-06-20", EXCHANGE, "一级主任科员"),
    P("linxuewei", "林雪薇", "Lin Xuewei", FULL, "2017-07-01", EXCHANGE, "科员"),
    P("panxiaoqing", "潘晓晴", "Pan Xiaoqing", PROBATIONARY, "2026-09-16", EXCHANGE, "科员"),
    P("zouying", "邹颖", "Zou Ying", FULL, "2018-05-04", EXCHANGE, "科员"),
    P("yangwanqing", "杨婉清", "Yang Wanqing", FULL, "2015-11-03", EXCHANGE, "二级主任科员"),
    P("dongliang", "董亮", "Dong Liang", FULL, "2016-04-22", EXCHANGE, "一级主任科员"),
    P("yuanmeng", "袁梦", "Yuan Meng", FULL, "2021-06-25", EXCHANGE, "科员"),
    P("jiangwentao", "蒋文涛", "Jiang Wentao", FULL, "2000-01-15", EXCHANGE, "二级调研员"),
    P("zhengnan", "郑楠", "Zheng Nan", FULL, "2019-12-20", EXCHANGE, "科员"),
    P("lusiqi", "陆思琪", "Lu Siqi", NONE, None, EXCHANGE, "翻译"),
    P("maoyiming", "毛一鸣", "Mao Yiming", NONE, None, EXCHANGE, "科员"),
    # General Office
    P("hanguoqing", "韩国庆", "Han Guoqing", FULL, "1996-06-28", GENERAL, "综合办公室主任"),
    P("qianli", "钱莉", "Qian Li", FULL, "2005-07-01", GENERAL, "综合办公室副主任"),
    P("yuhaiyan", "于海燕", "Yu Haiyan", FULL, "2007-09-09", GENERAL, "一级主任科员"),
    P("fengxu", "冯旭", "Feng Xu", FULL, "2011-07-01", GENERAL, "二级主任科员"),
    P("shenlei", "沈磊", "Shen Lei", FULL, "2022-06-30", GENERAL, "科员"),
    P("heliqun", "贺立群", "He Liqun", FULL, "2004-10-08", GENERAL, "一级主任科员"),
    P("weijiayi", "韦嘉怡", "Wei Jiayi", PROBATIONARY, "2026-07-01", GENERAL, "科员"),
    P("pengdewen", "彭德文", "Peng Dewen", FULL, "2001-11-11", GENERAL, "二级调研员"),
    P("tiantian", "田甜", "Tian Tian", FULL, "2017-12-05", GENERAL, "科员"),
    P("changyufen", "常玉芬", "Chang Yufen", FULL, "1995-07-01", GENERAL, "财务主管"),
    P("qiuzihan", "邱子涵", "Qiu Zihan", NONE, None, GENERAL, "文员"),
    P("jiaxiaofeng", "贾晓峰", "Jia Xiaofeng", NONE, None, GENERAL, "信息化工程师"),
    # Committee Office
    P("chengjianhua", "程建华", "Cheng Jianhua", FULL, "1992-07-01", OFFICE,
      "副院长、机关党委书记"),
    P("liaohongmei", "廖红梅", "Liao Hongmei", FULL, "1999-06-18", OFFICE,
      "机关党委副书记、办公室主任"),
    P("shichen", "石晨", "Shi Chen", FULL, "2012-06-27", OFFICE, "一级主任科员"),
    P("baixueying", "白雪莹", "Bai Xueying", FULL, "2020-07-01", OFFICE, "科员"),
    # The brother unit
    P("weizhenhua", "魏振华", "Wei Zhenhua", FULL, "1997-06-30", UDRC, "副主任"),
    P("xuanqi", "许安琪", "Xu Anqi", FULL, "2010-06-21", UDRC, "副研究员"),
    P("fanjingyi", "范静怡", "Fan Jingyi", FULL, "2004-05-12", UDRC, "研究员"),
    P("qinzimo", "秦子墨", "Qin Zimo", FULL, "2019-06-27", UDRC, "助理研究员"),
    P("yanhaoyu", "严浩宇", "Yan Haoyu", FULL, "2012-12-18", UDRC, "副研究员"),
    P("luxiaodong", "卢晓东", "Lu Xiaodong", FULL, "2015-06-26", UDRC, "助理研究员"),
    # Foreign guests: people records for exchanges, with no Party role.
    P("ivan.morozov", "伊万·莫罗佐夫", "Ivan Morozov", NONE, None, None, "访问学者",
      "Иван Морозов"),
    P("nguyen.thu.huong", "阮氏秋香", "Nguyen Thi Thu Huong", NONE, None, None, "访问研究员",
      "Nguyễn Thị Thu Hương"),
    P("karim.haddad", "卡里姆·哈达德", "Karim Haddad", NONE, None, None, "来访学者", "كريم حداد"),
    P("park.minho", "朴敏浩", "Park Min-ho", NONE, None, None, "交流学者", "박민호"),
]

# Plain membership: everyone listed under a Party group is a member of the group and of its
# branch; everyone listed under another organization is a member of that organization. From
# START, or from the day they joined the Party when that is later.
ROSTERS = {
    "yjs-g1": ["lijing", "zhouweidong", "chenxiaoyu", "wanghaoran", "zhaoyifan", "sunmingyuan",
               "huangshumin", "tangjiaxin", "caiwenbo", "rensiyuan"],
    "yjs-g2": ["liuzhiqiang", "guoruolan", "hejun", "luoqian", "xiepeng", "songwenjing"],
    "gjc-g1": ["wujianguo", "xuliping", "gaoyuan", "zhangyuhang", "linxuewei", "panxiaoqing",
               "zouying"],
    "gjc-g2": ["yangwanqing", "caolin", "dongliang", "yuanmeng", "jiangwentao", "zhengnan"],
    "zhb-g1": ["hanguoqing", "qianli", "yuhaiyan", "fengxu", "shenlei", "heliqun", "weijiayi"],
    "zhb-g2": ["chengjianhua", "liaohongmei", "shichen", "baixueying", "pengdewen", "tiantian",
               "changyufen"],
    "udrc-branch": ["weizhenhua", "xuanqi", "fanjingyi", "qinzimo", "yanhaoyu", "luxiaodong"],
    # League members who are not (yet) in the Party.
    "dh-youth": ["fangyue", "dengkai", "lusiqi", "maoyiming", "qiuzihan"],
}

# Notes on plain memberships from the rosters, keyed on (person, organization).
ROSTER_NOTES = {
    ("tangjiaxin", "yjs-branch"): "2025-05-20 接收为预备党员，2026-05-20 转为正式党员",
}

R = RoleSpec
ROLES = [
    # The committee and its office.
    R("chengjianhua", "dh-cmte", Role.SECRETARY),
    R("liaohongmei", "dh-cmte", Role.DEPUTY_SECRETARY),
    R("hanguoqing", "dh-cmte", Role.COMMITTEE_MEMBER, portfolio=Portfolio.ORGANIZATION),
    R("xuliping", "dh-cmte", Role.COMMITTEE_MEMBER, portfolio=Portfolio.PROPAGANDA),
    R("zhouweidong", "dh-cmte", Role.COMMITTEE_MEMBER, portfolio=Portfolio.DISCIPLINE),
    R("shichen", "dh-cmte", Role.STAFF),
    R("baixueying", "dh-cmte", Role.STAFF),
    # The general branch.
    R("songwenjing", "yjjl-gb", Role.SECRETARY),
    R("gaoyuan", "yjjl-gb", Role.COMMITTEE_MEMBER, portfolio=Portfolio.ORGANIZATION),
    R("xiepeng", "yjjl-gb", Role.COMMITTEE_MEMBER, portfolio=Portfolio.PROPAGANDA),
    # The research office branch, its groups and its editorial and research roles.
    R("lijing", "yjs-branch", Role.SECRETARY),
    R("liuzhiqiang", "yjs-branch", Role.COMMITTEE_MEMBER, portfolio=Portfolio.ORGANIZATION),
    R("chenxiaoyu", "yjs-branch", Role.COMMITTEE_MEMBER, portfolio=Portfolio.PROPAGANDA),
    R("zhouweidong", "yjs-branch", Role.COMMITTEE_MEMBER, portfolio=Portfolio.DISCIPLINE),
    R("zhaoyifan", "yjs-g1", Role.GROUP_LEADER),
    R("guoruolan", "yjs-g2", Role.GROUP_LEADER),
    R("chenxiaoyu", "yjs-branch", Role.EDITOR),
    R("zhouweidong", "yjs-branch", Role.SIGNER),
    R("sunmingyuan", "yjs-branch", Role.RESEARCH_COORDINATOR),
    # The international exchange branch: Xu Liping, in charge of organization, succeeded Wu Jianguo.
    R("wujianguo", "gjc-branch", Role.SECRETARY, end=HANDOVER - DAY, note="任期届满"),
    R("xuliping", "gjc-branch", Role.COMMITTEE_MEMBER, end=HANDOVER - DAY,
      portfolio=Portfolio.ORGANIZATION),
    R("xuliping", "gjc-branch", Role.SECRETARY, start=HANDOVER, note="支部党员大会换届选举"),
    R("caolin", "gjc-branch", Role.COMMITTEE_MEMBER, start=HANDOVER,
      portfolio=Portfolio.ORGANIZATION),
    R("zhangyuhang", "gjc-branch", Role.COMMITTEE_MEMBER, portfolio=Portfolio.PROPAGANDA),
    R("jiangwentao", "gjc-branch", Role.COMMITTEE_MEMBER, portfolio=Portfolio.DISCIPLINE),
    R("gaoyuan", "gjc-g1", Role.GROUP_LEADER),
    R("dongliang", "gjc-g2", Role.GROUP_LEADER),
    R("zhangyuhang", "gjc-branch", Role.FOREIGN_AFFAIRS),
    R("linxuewei", "gjc-branch", Role.FOREIGN_AFFAIRS),
    # The general office branch.
    R("hanguoqing", "zhb-branch", Role.SECRETARY),
    R("qianli", "zhb-branch", Role.DEPUTY_SECRETARY),
    R("fengxu", "zhb-branch", Role.COMMITTEE_MEMBER, portfolio=Portfolio.ORGANIZATION),
    R("pengdewen", "zhb-branch", Role.COMMITTEE_MEMBER, portfolio=Portfolio.PROPAGANDA),
    R("yuhaiyan", "zhb-branch", Role.COMMITTEE_MEMBER, portfolio=Portfolio.DISCIPLINE),
    R("heliqun", "zhb-g1", Role.GROUP_LEADER),
    R("changyufen", "zhb-g2", Role.GROUP_LEADER),
    # Ma Xiao's transfer: the old memberships end the day before the new ones start.
    R("maxiao", "zhb-branch", Role.MEMBER, end=TRANSFER - DAY, note="转出至研究室党支部"),
    R("maxiao", "zhb-g1", Role.MEMBER, end=TRANSFER - DAY),
    R("maxiao", "yjs-branch", Role.MEMBER, start=TRANSFER, note="由综合办公室党支部转入"),
    R("maxiao", "yjs-g2", Role.MEMBER, start=TRANSFER),
    # The Youth League committee.
    R("yuanmeng", "dh-youth", Role.SECRETARY),
    R("shenlei", "dh-youth", Role.COMMITTEE_MEMBER, portfolio=Portfolio.ORGANIZATION),
    R("tangjiaxin", "dh-youth", Role.COMMITTEE_MEMBER, start=datetime.date(2025, 9, 1),
      portfolio=Portfolio.PROPAGANDA),
    # The brother unit's branch.
    R("weizhenhua", "udrc-branch", Role.SECRETARY),
    R("fanjingyi", "udrc-branch", Role.COMMITTEE_MEMBER, portfolio=Portfolio.ORGANIZATION),
    R("xuanqi", "udrc-branch", Role.COMMITTEE_MEMBER, portfolio=Portfolio.PROPAGANDA),
]

# In the order of the test personas: Alice, Bob, Carol, Dan; then the portal's editor and signer
# and the administrator.
LOGINS = [
    LoginSpec("lijing", "lijing", "yjs-branch", Role.SECRETARY),
    LoginSpec("wanghaoran", "wanghaoran", "yjs-branch", Role.MEMBER),
    LoginSpec("yangwanqing", "yangwanqing", "gjc-branch", Role.MEMBER),
    LoginSpec("shichen", "shichen", "dh-cmte", Role.STAFF),
    LoginSpec("chenxiaoyu", "chenxiaoyu", "yjs-branch", Role.EDITOR),
    LoginSpec("zhouweidong", "zhouweidong", "yjs-branch", Role.SIGNER),
    LoginSpec("admin", None, None, None),
]
ADMIN_EMAIL = "admin@donghu.example"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    name: str
    name_en: str
    who_zh: str
    who_en: str


def roster_roles() -> list[RoleSpec]:
    """The plain memberships that ROSTERS stands for."""
    people = {p.key: p for p in PEOPLE}
    orgs = {o.code: o for o in ORGANIZATIONS}
    roles = []
    for org_code, keys in ROSTERS.items():
        org = orgs[org_code]
        targets = [org.parent, org_code] if org.kind == OrganizationKind.GROUP else [org_code]
        for key in keys:
            joined = people[key].joined
            start = max(START, datetime.date.fromisoformat(joined)) if joined else START
            for target in targets:
                note = ROSTER_NOTES.get((key, target), "")
                roles.append(RoleSpec(key, target, Role.MEMBER, start=start, note=note))
    return roles


def all_roles() -> list[RoleSpec]:
    return roster_roles() + ROLES


class _Tally:
    """What one load created and changed, by kind of record, for the summary line."""

    KINDS = (
        ("unit", "单位", "units"),
        ("organization", "组织", "organizations"),
        ("person", "人员", "people"),
        ("role", "职务", "roles"),
        ("account", "账号", "accounts"),
    )

    def __init__(self):
        self.created = Counter()
        self.updated = Counter()

    def describe(self) -> str:
        if not self.created and not self.updated:
            return "演示数据已是最新，无需改动。 Demo data already up to date: nothing changed.\n"
        lines = []
        for counter, zh, en in ((self.created, "新建", "created"),
                                (self.updated, "更新", "updated")):
            parts = [f"{kzh} {counter[k]} {ken}" for k, kzh, ken in self.KINDS if counter[k]]
            if parts:
                lines.append(f"{zh} {en}: " + ", ".join(parts) + "\n")
        return "".join(lines)


def _changed(obj, wanted: dict) -> dict:
    return {name: value for name, value in wanted.items() if getattr(obj, name) != value}


def _load_units(tally: _Tally) -> dict[str, Unit]:
    units = {u.code: u for u in Unit.objects.filter(code__in=[s.code for s in UNITS])}
    for spec in UNITS:
        wanted = {"name_zh": spec.name_zh, "name_en": spec.name_en}
        unit = units.get(spec.code)
        if unit is None:
            units[spec.code] = Unit.objects.create(code=spec.code, **wanted)
            tally.created["unit"] += 1
        elif changes := _changed(unit, wanted):
            for name, value in changes.items():
                setattr(unit, name, value)
            unit.full_clean()
            unit.save(update_fields=list(changes))
            tally.updated["unit"] += 1
    return units


def _load_organizations(units: dict[str, Unit], tally: _Tally) -> dict[str, Organization]:
    codes = [s.code for s in ORGANIZATIONS]
    for spec in ORGANIZATIONS:
        # Fetched afresh each time: adding a child in code order can renumber its siblings' paths.
        org = Organization.objects.filter(code=spec.code).first()
        parent = Organization.objects.get(code=spec.parent) if spec.parent else None
        unit = units[spec.unit] if spec.unit else None
        if org is None:
            services.organization_create(
                by=None, parent=parent, code=spec.code, kind=spec.kind,
                name_zh=spec.name_zh, name_en=spec.name_en, unit=unit,
            )
            tally.created["organization"] += 1
            continue
        if org.kind != spec.kind or org.parent_path != (parent.path if parent else ""):
            raise ValueError(
                f"Organization {spec.code!r} exists elsewhere in the tree or as another kind; "
                "the demo does not move organizations. Rename or remove it, then load again."
            )
        wanted = {"name_zh": spec.name_zh, "name_en": spec.name_en, "unit": unit, "is_active": True}
        if changes := _changed(org, wanted):
            services.organization_update(by=None, organization=org, **changes)
            tally.updated["organization"] += 1
    return {o.code: o for o in Organization.objects.filter(code__in=codes)}


def _load_people(units: dict[str, Unit], tally: _Tally) -> dict[str, Person]:
    emails = [s.email for s in PEOPLE]
    existing = {p.email: p for p in Person.objects.select_related("unit").filter(email__in=emails)}
    people = {}
    for spec in PEOPLE:
        wanted = {
            "name": spec.name,
            "name_en": spec.name_en,
            "name_native": spec.name_native,
            "membership_status": spec.status,
            "joined_party_on": datetime.date.fromisoformat(spec.joined) if spec.joined else None,
            "unit": units[spec.unit] if spec.unit else None,
            "position": spec.position,
            "email": spec.email,
            "phone": spec.phone,
        }
        person = existing.get(spec.email)
        if person is None:
            person = services.person_create(by=None, **wanted)
            tally.created["person"] += 1
        elif changes := _changed(person, wanted):
            services.person_update(by=None, person=person, **changes)
            tally.updated["person"] += 1
        people[spec.key] = person
    return people


def _load_roles(orgs: dict[str, Organization], people: dict[str, Person], tally: _Tally) -> None:
    existing = {
        (m.person_id, m.organization_id, m.role, m.start_on): m
        for m in Membership.objects.filter(
            person__in=people.values(), organization__in=orgs.values()
        )
    }
    for spec in all_roles():
        person, org = people[spec.person], orgs[spec.org]
        membership = existing.get((person.pk, org.pk, spec.role, spec.start))
        wanted = {"end_on": spec.end, "portfolio": spec.portfolio, "note": spec.note}
        if membership is None:
            services.membership_create(
                by=None, person=person, organization=org, role=spec.role, start_on=spec.start,
                **wanted,
            )
            tally.created["role"] += 1
        elif changes := _changed(membership, wanted):
            services.membership_update(by=None, membership=membership, **changes)
            tally.updated["role"] += 1


def _ensure_account(user, *, password: str, wanted: dict, tally: _Tally) -> None:
    """Make an existing account usable with the demo password, counting it only if it changed."""
    changes = _changed(user, {**wanted, "is_active": True})
    for name, value in changes.items():
        setattr(user, name, value)
    fields = list(changes)
    if not user.check_password(password):
        user.set_password(password)
        fields.append("password")
    if fields:
        user.save(update_fields=fields)
        tally.updated["account"] += 1


def _reset_lockouts(username: str) -> None:
    """Forget failed login attempts, so that a printed login is never locked out."""
    axes_reset(username=username)


def _load_logins(
    orgs: dict[str, Organization], people: dict[str, Person], password: str, tally: _Tally
) -> list[DemoLogin]:
    User = get_user_model()
    logins = []
    for spec in LOGINS:
        user = User.objects.filter(username=spec.username).first()
        if spec.person is None:
            wanted = {"email": ADMIN_EMAIL, "is_staff": True, "is_superuser": True}
            if user is None:
                User.objects.create_user(spec.username, password=password, **wanted)
                tally.created["account"] += 1
            else:
                _ensure_account(user, password=password, wanted=wanted, tally=tally)
            logins.append(
                DemoLogin(spec.username, password, "", "",
                          "系统管理员（超级用户）", "Administrator (superuser)")
            )
            _reset_lockouts(spec.username)
            continue
        person = people[spec.person]
        if user is None:
            services.user_account_create(
                by=None, person=person, username=spec.username, password=password
            )
            tally.created["account"] += 1
        else:
            _ensure_account(user, password=password, wanted={"email": person.email}, tally=tally)
            if person.user_id != user.pk:
                person.user = user
                person.save(update_fields=["user"])
                tally.updated["account"] += 1
        _reset_lockouts(spec.username)
        org = orgs[spec.org]
        with translation.override("zh-hans"):
            role_zh = str(Role(spec.role).label)
        with translation.override("en"):
            role_en = str(Role(spec.role).label)
        logins.append(
            DemoLogin(
                spec.username, password, person.name, person.name_en,
                f"{org.name_zh} · {role_zh}", f"{org.name_en} · {role_en}",
            )
        )
    return logins


def load(*, stdout=None, password: str | None = None) -> list[DemoLogin]:
    """Make the database hold the demo data; write what changed to `stdout`; return the logins."""
    password = settings.DEMO_PASSWORD if password is None else password
    if not password:
        raise ValueError(
            "The demo password is empty; set DEMO_PASSWORD, or unset it for the default."
        )
    tally = _Tally()
    with transaction.atomic(), audit.acting_as(None, source="demo"):
        units = _load_units(tally)
        orgs = _load_organizations(units, tally)
        people = _load_people(units, tally)
        _load_roles(orgs, people, tally)
        logins = _load_logins(orgs, people, password, tally)
    if stdout is not None:
        stdout.write(tally.describe())
    return logins
