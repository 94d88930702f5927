"""Results computed from the scores, in exact decimals.

A judge's total for an entry is the sum of their criterion scores (`mean` method) or the sum of
weight × score (`weighted`); only a judge who scored every criterion of the entry counts. The
entry's score is the mean of the counted judges' totals, rounded half up to two decimals, and
entries are compared on that rounded score. Entries with equal scores share a rank and are
marked tied. Grades go best first by places: an entry gets the first grade whose cumulative
places reach its rank, so entries tied across a boundary all get the better grade (the results
say they are tied). An entry no judge has fully scored gets no score, rank or grade.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass
class Result:
    entry_id: int
    score: Decimal | None
    judges: int
    rank: int | None = None
    tied: bool = False
    grade_id: int | None = None


def compute(*, entry_ids: list[int], criteria: list[tuple[int, Decimal]], scores: list[tuple[int, int, int, Decimal]],
            weighted: bool, prizes: list[tuple[int, int]]) -> list[Result]:
    """`criteria`: (criterion id, weight); `scores`: (entry id, judge id, criterion id, value);
    `prizes`: (grade id, places) best first. Results in rank order (unscored last, by entry)."""
    weights = dict(criteria)
    sheets: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for entry_id, judge_id, criterion_id, value in scores:
        if criterion_id in weights:
            sheets[(entry_id, judge_id)][criterion_id] = value
    totals: dict[int, list[Decimal]] = defaultdict(list)
    for (entry_id, _judge), sheet in sheets.items():
        if len(sheet) != len(weights):
            continue  # an unfinished sheet does not count
        if weighted:
            totals[entry_id].append(sum((weights[c] * v for c, v in sheet.items()), Decimal(0)))
        else:
            totals[entry_id].append(sum(sheet.values(), Decimal(0)))
    results = []
    for entry_id in entry_ids:
        got = totals.get(entry_id, [])
        score = (sum(got, Decimal(0)) / len(got)).quantize(CENT, rounding=ROUND_HALF_UP) if got else None
        results.append(Result(entry_id=entry_id, score=score, judges=len(got)))
    scored = sorted((r for r in results if r.score is not None), key=lambda r: (-r.score, r.entry_id))
    counts: dict[Decimal, int] = defaultdict(int)
    for r in scored:
        counts[r.score] += 1
    bounds, total = [], 0
    for grade_id, places in prizes:
        total += places
        bounds.append((total, grade_id))
    higher = 0
    for i, r in enumerate(scored):
        if i and r.score != scored[i - 1].score:
            higher = i
        r.rank = higher + 1
        r.tied = counts[r.score] > 1
        r.grade_id = next((g for bound, g in bounds if r.rank <= bound), None)
    unscored = [r for r in results if r.score is None]
    return scored + unscored
