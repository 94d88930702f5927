"""Reading the values of the cells: dates, lists of names, absences with reasons, votes."""


from __future__ import annotations

import datetime
import re

from django.utils import timezone

from branchwork.activities.models import (
    AttendanceStatus,
)


# --- Reading the values ---

# A row with a date and no time was held at this hour.
DEFAULT_TIME = datetime.time(14, 30)

_LIST_SEPARATORS = "、,;，；\n"
_OPEN, _CLOSE = "(（", ")）"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def split_list(text: str, separators: str = _LIST_SEPARATORS) -> list[str]:
    """Items separated by 、,;，； or new lines, never inside brackets; Chinese names may also be
    separated by spaces ("王博 陈可乐"), Latin names keep theirs ("Bob Wang")."""
    items, current, depth = [], [], 0
    for i, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
        if depth == 0 and char in separators:
            items.append("".join(current))
            current = []
            continue
        if depth == 0 and char.isspace():
            before = "".join(current).rstrip()
            after = text[i + 1:].lstrip()
            if before and after and (_CJK.match(before[-1]) or before[-1] in _CLOSE) \
                    and _CJK.match(after[0]):
                items.append(before)
                current = []
                continue
        current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T\s]\s*(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?)?$"
)


def parse_when(value) -> datetime.datetime | None:
    """A moment in the current time zone, from text, an Excel date cell or an Excel serial."""
    tz = timezone.get_current_timezone()
    # A number is an Excel date serial when it is plausibly one (1954–2146), not a bare year.
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 <= value < 90000:
        from openpyxl.utils.datetime import from_excel

        try:
            value = from_excel(value)
        except (ValueError, OverflowError):
            return None
    if isinstance(value, datetime.datetime):
        naive = value.replace(tzinfo=None)
        if naive.time() == datetime.time(0, 0):
            naive = datetime.datetime.combine(naive.date(), DEFAULT_TIME)
        return naive.replace(tzinfo=tz)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, DEFAULT_TIME, tzinfo=tz)
    match = _DATE.match(_text(value))
    if not match:
        return None
    y, m, d, hh, mm, ss = match.groups()
    try:
        return datetime.datetime(
            int(y), int(m), int(d), int(hh) if hh else DEFAULT_TIME.hour,
            int(mm) if mm else DEFAULT_TIME.minute, int(ss) if ss else 0, tzinfo=tz)
    except ValueError:
        return None


# Reasons that make an absence excused (请假): leave of any kind and official business.
EXCUSED_WORDS = ("请假", "事假", "病假", "出差", "公差", "公务", "休假", "产假", "婚假", "丧假",
                 "探亲", "年假")
EXCUSED_PREFIX = re.compile(r"^excused\s*[:：]\s*", re.I)
_WITH_REASON = re.compile(r"^(.+?)\s*[(（]\s*(.*?)\s*[)）]$", re.S)


def parse_absence(item: str) -> tuple[str, str, str]:
    """"王博（病假）" → ("王博", excused, "病假"); "Bob (no reason)" → ("Bob", absent, …)."""
    match = _WITH_REASON.match(item)
    name, reason = (match.group(1).strip(), match.group(2).strip()) if match else (item.strip(), "")
    if EXCUSED_PREFIX.match(reason):
        return name, AttendanceStatus.EXCUSED, EXCUSED_PREFIX.sub("", reason).strip()
    if any(word in reason for word in EXCUSED_WORDS):
        return name, AttendanceStatus.EXCUSED, reason
    return name, AttendanceStatus.ABSENT, reason


_VOTE_WORDS = {
    "同意": "votes_for", "赞成": "votes_for", "for": "votes_for", "yes": "votes_for",
    "反对": "votes_against", "against": "votes_against", "no": "votes_against",
    "弃权": "votes_abstain", "abstain": "votes_abstain", "abstained": "votes_abstain",
    "abstention": "votes_abstain", "abstentions": "votes_abstain",
}
_VOTE = (r"(?<![A-Za-z])(同意|赞成|反对|弃权|for|yes|against|no|abstain|abstained|abstentions?)"
         r"\s*[:：]?\s*(\d+)\s*(?:票|votes?)?")
_VOTE_ONE = re.compile(_VOTE, re.I)
_VOTES_ALL = re.compile(rf"^\s*{_VOTE}(?:\s*[,，、;；]?\s*{_VOTE})*\s*$", re.I)
_TRAILING_GROUP = re.compile(r"^(.*?)\s*[(（]([^()（）]*)[)）]\s*[。.]?$", re.S)


def parse_resolution(line: str) -> dict:
    """A resolution with its vote counts, if it ends with them (raises ValueError if unreadable)."""
    result = {"text": line.strip(), "votes_for": None, "votes_against": None,
              "votes_abstain": None}
    match = _TRAILING_GROUP.match(line.strip())
    if not match:
        return result
    inner = match.group(2)
    if not (_VOTE_ONE.search(inner) and re.search(r"\d", inner)):
        return result  # a bracket that says something else: part of the text
    if not _VOTES_ALL.match(inner):
        raise ValueError(inner)
    for word, count in _VOTE_ONE.findall(inner):
        key = _VOTE_WORDS[word.lower()]
        if result[key] is not None:
            raise ValueError(inner)
        result[key] = int(count)
    result["text"] = match.group(1).strip()
    return result


