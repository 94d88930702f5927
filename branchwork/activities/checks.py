"""Consistency checks a record must pass before it is approved, as data.

Each check is a `Check`: a stable code, the rule it enforces and where that rule comes from
(shown in every message), and a function that reads the record and yields one `Failure` per
offence, naming the person concerned. `run(activity)` runs them all; `minutes_approve` refuses a
record with any failure, and the activity page lists them while the record is still a draft or
awaiting approval, so the secretary sees what blocks.

The checks read only the record: its attendance rows (who was expected, who has voting rights at
the meeting, who was present, who spoke), its resolutions and its minutes. Who has voting rights
is the attendance row's `voting` flag, set when the expected list was made as of the meeting's
date. Election records have their own checks (`ELECTION_CHECKS`, in `elections.py`), written the
same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchwork.activities.models import (
    PRESENT_STATES,
    Activity,
    AttendanceRole,
    AttendanceStatus,
    Speaking,
)
from branchwork.core.richtext import html_to_text

# Records written by these loaders (their audit source) would be approved without the checks. None
# is: the demo passes every check (activities/tests/test_demo_activities.py runs them over all its
# records) but the one example kept wrong on purpose, which is never approved. This is the one
# place that could decide otherwise; the web, the API, commands and the importer never appear here.
SKIPPED_FOR_SOURCES: frozenset[str] = frozenset()

# Words in the minutes that announce a decision: a minute saying them must carry the decision
# in the resolutions table, with its vote.
DECISION_WORDS = ("会议议定", "议定", "决定")


@dataclass(frozen=True)
class Failure:
    code: str
    message: str
    person_id: int | None = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Check:
    code: str
    rule: Promise  # what must hold, translated when shown
    source: Promise  # the regulation and article, or the branch rule
    find: Callable[..., Iterator[tuple[str, int | None]]]  # record → (detail, person id)

    def run(self, record) -> list[Failure]:
        return [
            Failure(code=self.code, person_id=person_id, message=_(
                "%(detail)s Rule: %(rule)s (%(source)s)") % {
                "detail": detail, "rule": self.rule, "source": self.source})
            for detail, person_id in self.find(record)
        ]


@dataclass
class RecordView:
    """What the checks read, loaded once per record."""

    activity: Activity
    attendance: list = field(default_factory=list)
    resolutions: list = field(default_factory=list)

    @classmethod
    def of(cls, activity: Activity, attendance: list | None = None,
           resolutions: list | None = None) -> RecordView:
        """The record's view; `attendance`: its attendance rows with their people, and
        `resolutions`: its resolutions with their subject people, when the caller has them
        already (the activity's page)."""
        return cls(
            activity=activity,
            attendance=list(activity.attendance.select_related("person")) if attendance is None else attendance,
            resolutions=list(activity.resolutions.select_related("subject_person"))
            if resolutions is None else resolutions,
        )

    @cached_property
    def expected(self) -> list:
        return [a for a in self.attendance if a.role == AttendanceRole.EXPECTED]

    @cached_property
    def voting_expected(self) -> list:
        return [a for a in self.expected if a.voting]

    @cached_property
    def voting_present(self) -> list:
        return [a for a in self.voting_expected if a.status in PRESENT_STATES]

    @cached_property
    def minutes_text(self) -> str:
        return html_to_text(self.activity.minutes or "")


def _status_label(row) -> str:
    return str(AttendanceStatus(row.status).label)


def _absent_speaking(record: RecordView):
    for row in record.attendance:
        if row.speaking and row.status not in PRESENT_STATES:
            yield (_("%(name)s is marked %(status)s but recorded as %(part)s.") % {
                "name": row.display_name, "status": _status_label(row),
                "part": Speaking(row.speaking).label}, row.person_id)


def _own_matter(record: RecordView):
    present_voting = {a.person_id for a in record.voting_present if a.person_id}
    for number, r in enumerate(record.resolutions, start=1):
        subject = r.subject_person_id
        if subject is None or subject not in present_voting or not r.has_votes:
            continue
        # Everyone present with a vote is counted; the subject is one of them.
        if r.votes_cast > len(present_voting) - 1:
            yield (_("%(name)s is the person resolution %(number)s is about, yet %(cast)s votes "
                     "were counted with only %(others)s other voting members present.") % {
                "name": r.subject_person.display_name, "number": number, "cast": r.votes_cast,
                "others": len(present_voting) - 1}, subject)


def _votes_exceed_present(record: RecordView):
    present = len(record.voting_present)
    for number, r in enumerate(record.resolutions, start=1):
        if r.has_votes and r.votes_cast > present:
            yield (_("Resolution %(number)s counts %(cast)s votes, but %(present)s members with "
                     "voting rights were present.") % {
                "number": number, "cast": r.votes_cast, "present": present}, None)


def _place(record: RecordView):
    if not record.activity.place.strip():
        yield (_("The place of the meeting is not recorded."), None)


def _decisions_recorded(record: RecordView):
    if record.resolutions:
        return
    said = [w for w in DECISION_WORDS if w in record.minutes_text]
    if said:
        yield (_("The minutes say “%(word)s” but the resolutions table is empty.") % {
            "word": said[0]}, None)


CHECKS: tuple[Check, ...] = (
    Check(
        code="place_required",
        rule=gettext_lazy("the minutes record where the meeting was held"),
        source=gettext_lazy("elements of the minutes, branch rule"),
        find=_place,
    ),
    Check(
        code="absent_speaker",
        rule=gettext_lazy("only someone present can speak or introduce a candidate"),
        source=gettext_lazy("consistency of the record"),
        find=_absent_speaking,
    ),
    Check(
        code="own_matter_vote",
        rule=gettext_lazy("a member does not vote on a matter about themselves; candidates and "
                          "probationary members have no vote"),
        source=gettext_lazy("Party Constitution, Art. 7; Regulations on the Work of Party "
                            "Branches (2018), Art. 11"),
        find=_own_matter,
    ),
    Check(
        code="votes_exceed_present",
        rule=gettext_lazy("only members with voting rights who are present vote"),
        source=gettext_lazy("Regulations on the Work of Party Branches (2018), Art. 11"),
        find=_votes_exceed_present,
    ),
    Check(
        code="decision_without_resolution",
        rule=gettext_lazy("what the meeting decided is entered in the resolutions table with "
                          "its vote"),
        source=gettext_lazy("Regulations on the Work of Party Branches (2018), Art. 11"),
        find=_decisions_recorded,
    ),
)


def run(activity: Activity, checks: tuple[Check, ...] = CHECKS, *, attendance: list | None = None,
        resolutions: list | None = None) -> list[Failure]:
    """Every failure of every check, in the order of the checks (empty when the record is fine)."""
    record = RecordView.of(activity, attendance, resolutions)
    return [failure for check in checks for failure in check.run(record)]


def resolution_outcomes(activity: Activity, *, attendance: list | None = None,
                        resolutions: list | None = None) -> list[dict]:
    """Each resolution with its outcome computed from the counts (for pages and ledgers)."""
    record = RecordView.of(activity, attendance, resolutions)
    base = len(record.voting_expected)
    return [{"resolution": r, "voting_expected": base, "passed": r.outcome(base)}
            for r in record.resolutions]
