"""The rulebook: activity types and their rules, as data (YAML), validated on load.

A rulebook file names activity types with zh/en names, the organization kinds they are counted
for, who is expected to attend, an optional quorum, a cadence and the record fields that minutes
need before they can be locked. `get_rulebook()` returns the deployment's rulebook (the file named
by settings.RULEBOOK_PATH), loaded once per process.

Nothing here imports our models: the rulebook is plain data that the activities app and the
compliance engine read.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import get_language

PERIODS = ("month", "quarter", "year")
ATTENDANCE_RULES = ("members", "committee", "open")
QUORUM_BASES = ("voting", "expected")
ORG_KINDS = ("committee", "general_branch", "branch", "group", "youth_league", "external_branch")
RECORD_FIELDS = ("host", "recorder", "lecturer", "place", "agenda", "minutes", "resolutions")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class RulebookError(ImproperlyConfigured):
    """A rulebook file is wrong: the message names the file, the entry and the problem."""


@dataclass(frozen=True)
class Cadence:
    count: int
    per: str  # month | quarter | year


@dataclass(frozen=True)
class Quorum:
    more_than: float  # the share of `base`; see `inclusive`
    of: str  # voting | expected
    inclusive: bool = False  # True: that share or more ("at_least"); False: more than it

    def is_met(self, *, present: int, base: int) -> bool:
        """More than (or, inclusive, at least) the share of `base` present; an empty base has
        no quorum."""
        if base <= 0:
            return False
        return present >= self.more_than * base if self.inclusive else present > self.more_than * base


@dataclass(frozen=True)
class ActivityType:
    code: str
    name_zh: str
    name_en: str
    applies_to: tuple[str, ...]
    attendance: str
    cadence: Cadence | None
    quorum: Quorum | None
    record: tuple[str, ...]
    source: str
    order: int
    # May an activity held jointly count for this type? Co-organizers', and for a general
    # branch's activity the branches' under it: true for study, theme days, lectures and joint
    # work; false for a branch's own meetings (general, committee, group).
    joint: bool = False
    # A local rule (the deployment's or the committee's), stricter or more precise than the
    # regulations: shown as such wherever the rule is.
    local: bool = False
    # Another type this one must come before in the same year (heart-to-heart talks before the
    # organizational life meeting): only those held on or before its first one count.
    before: str = ""

    @property
    def yearly(self) -> bool:
        """A yearly record: it has the year it covers (所属年度), which may differ from the year
        of its date (the 2025 meeting held in January 2026)."""
        return self.cadence is not None and self.cadence.per == "year"

    @property
    def name(self) -> str:
        lang = (get_language() or "zh-hans").lower()
        return self.name_en if lang.startswith("en") and self.name_en else self.name_zh

    @property
    def source_text(self) -> str:
        """The source in the reader's language: the rulebook writes it "中文 / English"."""
        zh, sep, en = self.source.partition(" / ")
        if not sep:
            return self.source
        return en if (get_language() or "zh-hans").lower().startswith("en") else zh

    def __str__(self) -> str:
        return self.name

    def applies(self, org_kind: str) -> bool:
        return org_kind in self.applies_to


@dataclass(frozen=True)
class Training:
    """Yearly training hours a member must earn (集中学习培训学时), and what earns them: attended
    activities of `types` (an activity counts once, however many of these types it has),
    recorded training courses and approved external training. Holders of `leader_roles` in any
    organization during the year owe `leader_hours` instead of `hours`."""

    hours: int
    leader_hours: int
    leader_roles: tuple[str, ...]
    types: tuple[str, ...]
    source: str

    @property
    def source_text(self) -> str:
        zh, sep, en = self.source.partition(" / ")
        if not sep:
            return self.source
        return en if (get_language() or "zh-hans").lower().startswith("en") else zh


@dataclass(frozen=True)
class Rulebook:
    path: str
    name_zh: str
    name_en: str
    version: int
    at_risk_days: dict[str, int]
    types: dict[str, ActivityType] = field(default_factory=dict)
    training: Training | None = None

    @property
    def name(self) -> str:
        lang = (get_language() or "zh-hans").lower()
        return self.name_en if lang.startswith("en") and self.name_en else self.name_zh

    def type(self, code: str) -> ActivityType:
        return self.types[code]

    def types_for(self, org_kind: str) -> list[ActivityType]:
        """Types counted for organizations of this kind, in rulebook order."""
        return [t for t in self.types.values() if t.applies(org_kind)]

    def choices(self) -> list[tuple[str, str]]:
        return [(t.code, t.name) for t in self.types.values()]

    def label(self, code: str) -> str:
        t = self.types.get(code)
        return t.name if t else code


class _Checker:
    """Collects what is wrong with a rulebook, naming the entry, so all problems show at once."""

    def __init__(self, path: str):
        self.path = path
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.errors:
            lines = "\n  ".join(self.errors)
            raise RulebookError(f"Rulebook {self.path} is not valid:\n  {lines}")


def _names(check: _Checker, where: str, value) -> tuple[str, str]:
    if not isinstance(value, dict) or not isinstance(value.get("zh"), str) or not value["zh"].strip():
        check.fail(where, "name must be a mapping with a non-empty 'zh' (and an 'en')")
        return "", ""
    en = value.get("en", "")
    if not isinstance(en, str) or not en.strip():
        check.fail(where, "name.en must be a non-empty string (English is complete)")
        en = ""
    return value["zh"].strip(), en.strip()


def _type(check: _Checker, index: int, entry, order: int) -> ActivityType | None:
    where = f"types[{index}]"
    if not isinstance(entry, dict):
        check.fail(where, "must be a mapping")
        return None
    code = entry.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        check.fail(where, f"code {code!r} must be lowercase letters, digits and underscores")
        code = f"?{index}"
    where = f"types[{index}] ({code})"
    known = {"code", "name", "applies_to", "attendance", "quorum", "cadence", "record", "source",
             "joint", "local", "before"}
    for key in sorted(set(entry) - known):
        check.fail(where, f"unknown key {key!r} (known: {', '.join(sorted(known))})")
    name_zh, name_en = _names(check, where, entry.get("name"))

    applies_to = entry.get("applies_to")
    if not isinstance(applies_to, list) or not applies_to:
        check.fail(where, "applies_to must be a non-empty list of organization kinds")
        applies_to = []
    for kind in applies_to:
        if kind not in ORG_KINDS:
            check.fail(where, f"applies_to: unknown organization kind {kind!r} "
                              f"(one of {', '.join(ORG_KINDS)})")

    attendance = entry.get("attendance", "members")
    if attendance not in ATTENDANCE_RULES:
        check.fail(where, f"attendance must be one of {', '.join(ATTENDANCE_RULES)}, "
                          f"got {attendance!r}")

    cadence = None
    raw = entry.get("cadence")
    if raw is not None:
        if not isinstance(raw, dict):
            check.fail(where, "cadence must be a mapping like {count: 1, per: month}")
        else:
            count, per = raw.get("count"), raw.get("per")
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                check.fail(where, f"cadence.count must be a whole number ≥ 1, got {count!r}")
            if per not in PERIODS:
                check.fail(where, f"cadence.per must be one of {', '.join(PERIODS)}, got {per!r}")
            if isinstance(count, int) and count >= 1 and per in PERIODS:
                cadence = Cadence(count=count, per=per)

    quorum = None
    raw = entry.get("quorum")
    if raw is not None:
        if not isinstance(raw, dict):
            check.fail(where, "quorum must be a mapping like {more_than: 0.5, of: voting}")
        elif ("more_than" in raw) == ("at_least" in raw):
            check.fail(where, "quorum needs exactly one of more_than (more than that share) or "
                              "at_least (that share or more)")
        else:
            inclusive = "at_least" in raw
            key = "at_least" if inclusive else "more_than"
            share, of = raw.get(key), raw.get("of", "voting")
            if not isinstance(share, (int, float)) or isinstance(share, bool) \
                    or not 0 <= share < 1 or (inclusive and share == 0):
                check.fail(where, f"quorum.{key} must be a fraction in "
                                  f"{'(0, 1)' if inclusive else '[0, 1)'}, got {share!r}")
            elif of not in QUORUM_BASES:
                check.fail(where, f"quorum.of must be one of {', '.join(QUORUM_BASES)}, got {of!r}")
            else:
                quorum = Quorum(more_than=float(share), of=of, inclusive=inclusive)

    record = entry.get("record", [])
    if not isinstance(record, list):
        check.fail(where, "record must be a list of field names")
        record = []
    for name in record:
        if name not in RECORD_FIELDS:
            check.fail(where, f"record: unknown field {name!r} (one of {', '.join(RECORD_FIELDS)})")

    source = entry.get("source", "")
    if not isinstance(source, str) or not source.strip():
        check.fail(where, "source must say where the rule comes from")
        source = ""
    flags = {}
    for key in ("joint", "local"):
        value = entry.get(key, False)
        if not isinstance(value, bool):
            check.fail(where, f"{key} must be true or false, got {value!r}")
            value = False
        flags[key] = value
    before = entry.get("before", "")
    if not isinstance(before, str) or (before and not _CODE.match(before)):
        check.fail(where, f"before must be the code of another type, got {before!r}")
        before = ""
    return ActivityType(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        applies_to=tuple(applies_to),
        attendance=attendance,
        cadence=cadence,
        quorum=quorum,
        record=tuple(record),
        source=source.strip(),
        order=order,
        joint=flags["joint"],
        local=flags["local"],
        before=before,
    )


LEADER_ROLES = ("secretary", "deputy_secretary", "committee_member", "group_leader")


def _training(check: _Checker, raw, types: dict[str, ActivityType]) -> Training | None:
    if raw is None:
        return None
    where = "training"
    if not isinstance(raw, dict):
        check.fail(where, "must be a mapping like {hours: 32, leader_hours: 56, types: [...]}")
        return None
    known = {"hours", "leader_hours", "leader_roles", "types", "source"}
    for key in sorted(set(raw) - known):
        check.fail(where, f"unknown key {key!r} (known: {', '.join(sorted(known))})")
    numbers = {}
    for key in ("hours", "leader_hours"):
        value = raw.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            check.fail(where, f"{key} must be a whole number of hours ≥ 0, got {value!r}")
            value = 0
        numbers[key] = value
    roles = raw.get("leader_roles", [])
    if not isinstance(roles, list) or any(r not in LEADER_ROLES for r in roles):
        check.fail(where, f"leader_roles must be a list of {', '.join(LEADER_ROLES)}, got {roles!r}")
        roles = []
    codes = raw.get("types", [])
    if not isinstance(codes, list) or not codes:
        check.fail(where, "types must be a non-empty list of activity type codes")
        codes = []
    for code in codes:
        if code not in types:
            check.fail(where, f"types: unknown type {code!r}")
    source = raw.get("source", "")
    if not isinstance(source, str) or not source.strip():
        check.fail(where, "source must say where the requirement comes from")
        source = ""
    return Training(hours=numbers["hours"], leader_hours=numbers["leader_hours"],
                    leader_roles=tuple(roles), types=tuple(codes), source=source.strip())


def parse_rulebook(text: str, *, path: str = "<string>") -> Rulebook:
    check = _Checker(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        raise RulebookError(f"Rulebook {path} is not valid YAML ({where}): "
                            f"{getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise RulebookError(f"Rulebook {path} must be a mapping with 'name', 'version' and 'types'")
    known = {"name", "version", "at_risk_days", "types", "training"}
    for key in sorted(set(data) - known):
        check.fail("top level", f"unknown key {key!r} (known: {', '.join(sorted(known))})")
    name_zh, name_en = _names(check, "name", data.get("name"))
    version = data.get("version", 1)
    if not isinstance(version, int):
        check.fail("version", f"must be a whole number, got {version!r}")
        version = 0
    at_risk = {"month": 7, "quarter": 15, "year": 30}
    raw_risk = data.get("at_risk_days", {})
    if not isinstance(raw_risk, dict):
        check.fail("at_risk_days", "must be a mapping of month/quarter/year to days")
    else:
        for key, days in raw_risk.items():
            if key not in PERIODS:
                check.fail("at_risk_days", f"unknown period {key!r} (one of {', '.join(PERIODS)})")
            elif not isinstance(days, int) or isinstance(days, bool) or days < 0:
                check.fail(f"at_risk_days.{key}", f"must be a whole number of days ≥ 0, got {days!r}")
            else:
                at_risk[key] = days
    entries = data.get("types")
    types: dict[str, ActivityType] = {}
    if not isinstance(entries, list) or not entries:
        check.fail("types", "must be a non-empty list of activity types")
        entries = []
    for index, entry in enumerate(entries):
        activity_type = _type(check, index, entry, order=index)
        if activity_type is None:
            continue
        if activity_type.code in types:
            check.fail(f"types[{index}] ({activity_type.code})", "duplicate code")
        types[activity_type.code] = activity_type
    for index, activity_type in enumerate(types.values()):
        if activity_type.before and activity_type.before not in types:
            check.fail(f"types[{index}] ({activity_type.code})",
                       f"before: unknown type {activity_type.before!r}")
        elif activity_type.before and activity_type.before == activity_type.code:
            check.fail(f"types[{index}] ({activity_type.code})", "before: a type cannot come before itself")
    training = _training(check, data.get("training"), types)
    check.raise_if_any()
    return Rulebook(path=path, name_zh=name_zh, name_en=name_en, version=version,
                    at_risk_days=at_risk, types=types, training=training)


def load_rulebook(path: str | Path) -> Rulebook:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulebookError(f"Rulebook {path} cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise RulebookError(f"Rulebook {path} is not UTF-8 text") from None
    return parse_rulebook(text, path=str(path))


@functools.cache
def _cached(path: str) -> Rulebook:
    return load_rulebook(path)


def get_rulebook() -> Rulebook:
    """The deployment's rulebook (settings.RULEBOOK_PATH), loaded once per process."""
    return _cached(str(settings.RULEBOOK_PATH))
