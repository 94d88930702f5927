"""Time windows: the newest matches of a search on PostgreSQL without reading every match.

The facets are counted over the newest matches, the total is exact up to a bound, and "newest
first" pages walk matches by date: all three need the newest visible matches, not all of them.
SQLite's full-text index walks its rows newest first (their keys are dates) and stops after what
it needs. PostgreSQL's GIN index has no order: matching a common word there gathers every
matching row, and reading each row's date, kind and organization costs time in proportion to all
of them (a word in a third of 300,000 documents: 0.8 s).

So each document's vector also holds **time tokens**, the UTC day, month and year of its date
(`§.t20261204`, `§.t202612`, `§.t2026`), and a search asks for the newest matches in a *window*:
its tsquery AND-ed with the tokens covering every day from the window's first day on (`cover`:
the remaining days of the first month, the remaining months of its year, the later years). The
index intersects the word with a few short lists instead of gathering all its matches. When the
window holds at least as many visible matches as needed, the newest ones overall are all in it
(every document outside it is older than every document in it), so the facets, the total up to
its bound and a newest-first page come out as over the whole index. When it holds too few, the
window widens by what the matches found so far predict (`widen`), and past half the documents
the search asks the whole index (undated documents are only there: they sort last).

Each document's vector also holds **filter tokens** (`§.kpage`, `§.o12`, `§.c4`, `§.y2026`: its
kind, organization, channel and year as the facets show them), so a filtered search is matched
by the index too. None of these tokens is ever a word (words have no `§`) nor an access token
(those are letters and digits after the `§`).

The windows are fast when documents of nearby dates sit in nearby places of the table (the GIN
index lists rows in table order, so a window's rows are then close together in every list): the
site index's rebuild and `build_search_champions` order the table by date (`order_by_date`), and
new documents are added at its end. Results never depend on that order, only the time.

Sizes are estimated from the index's first and newest dates and its number of documents (the
planner's count), taking documents as spread evenly over time; an estimate that is off costs one
more window, never a wrong result.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from branchwork.search import access

MARK = access.PG_MARK + "."
# Past this share of the documents a window is not worth it: the whole index is asked.
WHOLE_SHARE = 0.5
# A window is sized to hold this many times the matches needed, as far as they can be foreseen.
MARGIN = 1.5
# Without any foresight, the first window holds this many documents per match needed.
FIRST_GUESS = 4


# Each facet's letter in its filter tokens, and the search document's column it is read from.
FACETS = {"kind": ("k", "kind"), "organization": ("o", "organization_id"), "channel": ("c", "channel_id"),
          "year": ("y", "year")}


def facet_token(name: str, value) -> str:
    """The filter token of a facet's value (`kind`, `organization`, `channel`, `year`)."""
    return MARK + FACETS[name][0] + str(value)


def tokens_sql(alias: str = "d") -> str:
    """SQL: the time and filter tokens of the search document `alias`, as a tsvector (weight B,
    as the access tokens). The one definition, used by the indexing writes and the migration
    that brought the tokens."""
    utc = f"({alias}.date AT TIME ZONE 'UTC')"
    parts = [
        f"'{MARK}t' || to_char({utc}, 'YYYY')",
        f"'{MARK}t' || to_char({utc}, 'YYYYMM')",
        f"'{MARK}t' || to_char({utc}, 'YYYYMMDD')",
        *(f"'{MARK}{letter}' || {alias}.{column}" for letter, column in FACETS.values()),
    ]
    return f"setweight(array_to_tsvector(array_remove(ARRAY[{', '.join(parts)}], NULL)), 'B')"


def _day(value: datetime.date) -> str:
    return f"{MARK}t{value:%Y%m%d}"


def _month(year: int, month: int) -> str:
    return f"{MARK}t{year:04d}{month:02d}"


def _year(year: int) -> str:
    return f"{MARK}t{year:04d}"


def cover(start: datetime.date, last_year: int) -> list[str]:
    """The time tokens of every day from `start` on, up to the end of `last_year` (the newest
    document's): the fewest tokens that do it (days, then months, then years)."""
    tokens = []
    year, month = start.year, start.month
    if start.day > 1:
        day = start
        while day.month == month:
            tokens.append(_day(day))
            day += datetime.timedelta(days=1)
        month += 1
    if month > 1 and month <= 12:
        tokens += [_month(year, m) for m in range(month, 13)]
        year += 1
    elif month > 12:
        year += 1
    tokens += [_year(y) for y in range(year, last_year + 1)]
    return tokens


@dataclass(frozen=True)
class Span:
    """What the index holds: its first and newest dates and how many documents."""

    first: datetime.datetime | None
    newest: datetime.datetime | None
    documents: int

    @property
    def seconds(self) -> float:
        if self.first is None or self.newest is None:
            return 0.0
        return (self.newest - self.first).total_seconds()

    def within_year(self, year: int) -> Span:
        """The part of the span in `year` (local time, as the documents' `year`), its documents
        taken in proportion to its time."""
        from django.utils import timezone

        if self.first is None or self.newest is None:
            return self
        zone = timezone.get_current_timezone()
        first = max(self.first, datetime.datetime(year, 1, 1, tzinfo=zone))
        newest = min(self.newest, datetime.datetime(year + 1, 1, 1, tzinfo=zone))
        if newest <= first:
            return Span(None, None, 0)
        share = (newest - first).total_seconds() / self.seconds if self.seconds > 0 else 1.0
        return Span(first, newest, max(1, round(self.documents * share)))

    def start_for(self, documents: float) -> datetime.date | None:
        """The first day of the window holding about `documents` of the newest documents; None
        when that is most of the index (ask the whole of it)."""
        if self.seconds <= 0 or self.documents <= 0 or documents >= WHOLE_SHARE * self.documents:
            return None
        back = datetime.timedelta(seconds=self.seconds * documents / self.documents)
        start = (self.newest - back).astimezone(datetime.UTC).date()
        if start <= self.first.astimezone(datetime.UTC).date():
            return None
        return start

    def share(self, start: datetime.date | None) -> float:
        """The share of the index's time from `start` (midnight UTC) to its newest document."""
        if start is None or self.seconds <= 0:
            return 1.0
        since = datetime.datetime.combine(start, datetime.time(), tzinfo=datetime.UTC)
        return min(1.0, max(0.0, (self.newest - since).total_seconds() / self.seconds))


def first_start(span: Span, need: int, rate: float | None) -> datetime.date | None:
    """The first window for `need` matches, given the share of documents expected to match
    (`rate`, None when nothing foretells it)."""
    documents = need * MARGIN / rate if rate else need * FIRST_GUESS
    return span.start_for(documents)


def widen(span: Span, start: datetime.date, found: int, need: int) -> datetime.date | None:
    """The next window after one from `start` held `found` (< `need`) matches: sized by the
    matches it held per document, at least twice as long."""
    had = max(1.0, span.documents * span.share(start))
    documents = had * (need * MARGIN / found if found else 8.0)
    documents = max(documents, 2.0 * had)
    wider = span.start_for(documents)
    if wider is not None and wider >= start:  # less than a day wider: go back as far again
        newest = span.newest.astimezone(datetime.UTC).date()
        wider = start - datetime.timedelta(days=max(1, (newest - start).days))
        if wider <= span.first.astimezone(datetime.UTC).date():
            return None
    return wider


def estimate(span: Span, start: datetime.date, found: int) -> int:
    """The matches of the whole index, from the `found` of the window from `start` (matches taken
    as spread evenly over time)."""
    share = span.share(start)
    return max(found, round(found / share)) if share > 0 else found
