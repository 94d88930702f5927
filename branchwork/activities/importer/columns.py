"""The columns of an import file and the errors it reports, named by row and column."""


from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy



# The limits of a file (rows, columns, size, …) are settings: core.imports.limits().


# --- The columns ---


@dataclass(frozen=True)
class Column:
    key: str
    zh: str  # the header of the template, in Chinese
    en: str  # and in English
    required: bool
    help: str  # lazy: shown on the import page in the user's language
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How an error names a column the file does not have: both headers."""
        return f"{self.zh}/{self.en}"


COLUMNS: tuple[Column, ...] = (
    Column("date", "日期", "date", True, gettext_lazy(
        "YYYY-MM-DD or YYYY-MM-DD HH:MM, local time; an Excel date cell also works. Without a "
        "time, 14:30 is assumed. Only past dates."),
        ("日期时间", "时间", "datetime", "date and time")),
    Column("types", "类型", "types", True, gettext_lazy(
        "One or more activity types, by code or by name (e.g. 主题党日、集体学习), separated "
        "by 、 , or ;."),
        ("活动类型", "会议类型", "type")),
    Column("title", "标题", "title", True, gettext_lazy("The name of the activity."),
           ("名称", "活动名称", "会议名称", "主题")),
    Column("place", "地点", "place", False, gettext_lazy("Where it was held."),
           ("location", "venue")),
    Column("host", "主持人", "host", False, gettext_lazy("One person, by name."), ("chair",)),
    Column("recorder", "记录人", "recorder", False, gettext_lazy("One person, by name."),
           ("minute taker",)),
    Column("lecturer", "主讲人", "lecturer", False, gettext_lazy(
        "A person by name; a name that matches nobody is kept as a guest lecturer."),
        ("授课人", "speaker")),
    Column("attendees", "出席", "attendees", False, gettext_lazy(
        "Who attended, by name, separated by 、 , or ; (Chinese names also by spaces)."),
        ("出席人员", "参会人员", "到会人员", "present")),
    Column("absentees", "缺席", "absentees", False, gettext_lazy(
        "Who was absent, with the reason in brackets: 姓名（病假） or name (reason). A reason "
        "with 请假, 事假, 病假, 出差 or 公差 (or starting with “excused:”) counts as excused."),
        ("缺席人员", "缺席人员及原因", "absent")),
    Column("observers", "列席", "observers", False, gettext_lazy(
        "Observers (列席), by name; a name that matches nobody is kept as typed."),
        ("列席人员",)),
    Column("agenda", "议程", "agenda", False, gettext_lazy(
        "Agenda items, one per line or separated by ；."), ("议题",)),
    Column("resolutions", "决议", "resolutions", False, gettext_lazy(
        "One resolution per line, optionally with the vote: （同意12，反对0，弃权1） or "
        "(for 12, against 0, abstain 1)."), ("决议事项", "decisions")),
    Column("minutes", "纪要", "minutes", False, gettext_lazy(
        "The minutes as text; a blank line starts a new paragraph."),
        ("会议纪要", "会议记录", "记录")),
    Column("co_organizers", "联合单位", "co_organizers", False, gettext_lazy(
        "Organizations holding it jointly (联学共建), by code or by name."),
        ("共建单位", "联合组织", "co-organizers")),
    Column("paper_signed_on", "签字日期", "paper signed on", False, gettext_lazy(
        "The day the paper minutes were signed (YYYY-MM-DD): the ledger prints it instead of "
        "the day of the import."),
        ("原件签字日期", "纸质签字日期", "paper_signed_on", "signed on")),
)
# Headers of columns that carry nothing to import (a spreadsheet's running number).
IGNORED_HEADERS = frozenset({"序号", "编号", "no", "no.", "#"})


def _norm(text: str) -> str:
    text = text.strip().rstrip("*＊").strip().casefold()
    return re.sub(r"[\s_\-]+", " ", text)


_ALIASES: dict[str, str] = {}
for _column in COLUMNS:
    for _alias in (_column.key, _column.zh, _column.en, *_column.aliases):
        _ALIASES[_norm(_alias)] = _column.key


def column_key(header: str) -> str | None:
    """The column a header names: "日期", "Date", "日期/date" and "日期（date）" all name date."""
    norm = _norm(header)
    if norm in _ALIASES:
        return _ALIASES[norm]
    parts = [p for p in (_norm(p) for p in re.split(r"[/／|｜()（）]", header)) if p]
    keys = {_ALIASES.get(p) for p in parts}
    if len(parts) > 1 and len(keys) == 1 and None not in keys:
        return keys.pop()
    return None


# --- Errors ---


@dataclass(frozen=True)
class RowError:
    """One problem: the row (None for the whole file), the column as headed in the file ("" for
    the whole row), the problem itself, and the whole sentence naming both."""

    row: int | None
    column: str
    problem: str
    message: str

    def __str__(self) -> str:
        return self.message


def _error(row: int | None, column: str, problem: str) -> RowError:
    if row is not None and column:
        message = _("Row %(row)s, column “%(column)s”: %(problem)s") % {
            "row": row, "column": column, "problem": problem}
    elif row is not None:
        message = _("Row %(row)s: %(problem)s") % {"row": row, "problem": problem}
    elif column:
        message = _("Column “%(column)s”: %(problem)s") % {"column": column, "problem": problem}
    else:
        message = problem
    return RowError(row=row, column=column, problem=problem, message=message)


class ImportRefused(Exception):
    """The file is refused whole; `errors` says why, row by row. Nothing was written."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__("\n".join(e.message for e in self.errors))


