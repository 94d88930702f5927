"""Elections of a branch committee (换届选举): the record, its rules and its sign-off.

An election is held at a general meeting (an `Activity`): the meeting's attendance rows say who
had voting rights and who was present, as of the meeting's date. The record keeps the seats, the
candidates and the votes each received; the result is computed from the counts, never typed. The
branch reports the result to the committee above, which approves it; the approved record gives the
committee's term (start, end) and so the due date of the next election, shown on the branch's
compliance page.

The rules are data (`ELECTION_CHECKS`, the same `Check` shape as the checks of minutes): a record
breaking one cannot be reported or approved, and the message names the rule and its source.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchwork.activities import models as activity_models
from branchwork.activities.checks import Check, Failure
from branchwork.core import audit
from branchwork.core.conflicts import Conflict, lock_for_update
from branchwork.core.models import Organization, Person

# Candidates exceed seats by at least this share of the seats (差额选举).
CANDIDATE_MARGIN = Fraction(1, 5)
# Voting members present must exceed this share of the voting members expected.
ATTENDANCE_SHARE = Fraction(4, 5)
# A term of a branch committee, in years (Party Constitution; the article is not verified).
TERM_YEARS = 5
# The compliance page warns this many days before a term ends.
DUE_SOON_DAYS = 180

# Where each rule comes from. Verified against the published text (2020): Art. 3 (an election
# when the term ends), Art. 4 (the committee is elected by the general meeting), Art. 5 (only full
# members vote). The articles of the candidates' margin, the four fifths present and the majority
# needed to be elected were not found in a source we could read: said so, not guessed.
ELECTION_SOURCE = gettext_lazy(
    "Regulations on Elections in Grassroots Party Organizations (2020), article not verified")
ELECTION_MEETING_SOURCE = gettext_lazy(
    "Regulations on Elections in Grassroots Party Organizations (2020), Art. 4")
ELECTION_TERM_SOURCE = gettext_lazy(
    "Regulations on Elections in Grassroots Party Organizations (2020), Art. 3; the length of "
    "the term: Party Constitution, article not verified")


class ElectionStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("draft")
    REPORTED = "reported", gettext_lazy("reported to the committee")
    APPROVED = "approved", gettext_lazy("approved by the committee")


class Election(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="elections",
        verbose_name=gettext_lazy("organization"),
    )
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.PROTECT, related_name="elections",
        verbose_name=gettext_lazy("general meeting"),
        help_text=gettext_lazy("The general meeting at which the election was held; its attendance says "
                    "who had voting rights and who was present."),
    )
    seats = models.PositiveIntegerField(gettext_lazy("seats"), help_text=gettext_lazy("Committee members to elect."))
    status = models.CharField(gettext_lazy("status"), max_length=10, choices=ElectionStatus.choices,
                              default=ElectionStatus.DRAFT)
    term_start = models.DateField(gettext_lazy("term starts"))
    term_end = models.DateField(gettext_lazy("term ends"))
    reported_on = models.DateField(gettext_lazy("reported to the committee on"), null=True, blank=True)
    approved_on = models.DateField(gettext_lazy("approved on"), null=True, blank=True)
    approval_document = models.CharField(gettext_lazy("approval document number"), max_length=120, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-term_start", "-pk"]
        verbose_name = gettext_lazy("election")
        verbose_name_plural = gettext_lazy("elections")

    def __str__(self) -> str:
        return f"{self.organization} {self.term_start:%Y}–{self.term_end:%Y}"

    @property
    def next_due(self) -> datetime.date:
        """The next election is due when this term ends."""
        return self.term_end


class ElectionCandidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                               verbose_name=gettext_lazy("candidate"))
    votes = models.PositiveIntegerField(gettext_lazy("votes for"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = gettext_lazy("candidate")
        verbose_name_plural = gettext_lazy("candidates")
        constraints = [models.UniqueConstraint(fields=["election", "person"],
                                               name="uniq_election_candidate")]

    def __str__(self) -> str:
        return self.person.display_name


# --- The counts and the result ---


@dataclass(frozen=True)
class Result:
    voting_expected: int
    voting_present: int
    elected: list[ElectionCandidate]
    tied: list[ElectionCandidate]  # tied for the last seat: a new ballot between them is needed

    def is_elected(self, candidate: ElectionCandidate) -> bool:
        return candidate in self.elected


def voters(election: Election) -> tuple[int, int]:
    """(voting members expected, voting members present) at the election's meeting."""
    rows = [a for a in election.activity.attendance.all()
            if a.role == activity_models.AttendanceRole.EXPECTED and a.voting]
    return len(rows), sum(1 for a in rows if a.status in activity_models.PRESENT_STATES)


def result(election: Election) -> Result:
    """Elected: more than half of the votes of the voting members present, and within the seats
    in order of votes. A tie for the last seat elects neither (a new ballot decides)."""
    expected, present = voters(election)
    qualified = sorted(
        (c for c in election.candidates.all() if c.votes is not None and 2 * c.votes > present),
        key=lambda c: -c.votes,
    )
    elected, tied = qualified[:election.seats], []
    if len(qualified) > election.seats and elected:
        last = elected[-1].votes
        if qualified[election.seats].votes == last:
            tied = [c for c in qualified if c.votes == last]
            elected = [c for c in elected if c.votes != last]
    return Result(voting_expected=expected, voting_present=present, elected=elected, tied=tied)


# --- The rules ---


@dataclass(frozen=True)
class ElectionView:
    """What the election checks read: the record and its computed result."""

    election: Election
    result: Result


def _margin(view: ElectionView):
    election = view.election
    count = len(election.candidates.all())
    if count <= election.seats or Fraction(count - election.seats) < CANDIDATE_MARGIN * election.seats:
        yield (_("%(candidates)s candidates for %(seats)s seats.") % {
            "candidates": count, "seats": election.seats}, None)


def _attendance(view: ElectionView):
    r = view.result
    if not r.voting_present > ATTENDANCE_SHARE * r.voting_expected:
        yield (_("%(present)s of %(expected)s members with voting rights were present.") % {
            "present": r.voting_present, "expected": r.voting_expected}, None)


def _votes(view: ElectionView):
    for c in view.election.candidates.all():
        if c.votes is None:
            yield (_("No votes are recorded for %(name)s.") % {"name": c.person.display_name},
                   c.person_id)
        elif c.votes > view.result.voting_present:
            yield (_("%(name)s has %(votes)s votes, more than the %(present)s voting members "
                     "present.") % {"name": c.person.display_name, "votes": c.votes,
                                    "present": view.result.voting_present}, c.person_id)


def _tie(view: ElectionView):
    for c in view.result.tied:
        yield (_("%(name)s is tied for the last seat: a new ballot between the tied candidates "
                 "decides.") % {"name": c.person.display_name}, c.person_id)


def _meeting(view: ElectionView):
    meeting = view.election.activity
    if "general_meeting" not in meeting.type_codes or meeting.organization_id != view.election.organization_id:
        yield (_("“%(title)s” is not a general meeting of this organization.") % {
            "title": meeting.title}, None)
    elif not meeting.is_held:
        yield (_("“%(title)s” has not been held.") % {"title": meeting.title}, None)


def _term(view: ElectionView):
    if view.election.term_end <= view.election.term_start:
        yield (_("The term ends before it starts."), None)


ELECTION_CHECKS: tuple[Check, ...] = (
    Check(code="election_meeting",
          rule=gettext_lazy("a committee is elected by the general meeting"),
          source=ELECTION_MEETING_SOURCE, find=_meeting),
    Check(code="election_margin",
          rule=gettext_lazy("there are at least 20% more candidates than seats (差额选举)"),
          source=ELECTION_SOURCE, find=_margin),
    Check(code="election_attendance",
          rule=gettext_lazy("more than four fifths of the members with voting rights are present"),
          source=ELECTION_SOURCE, find=_attendance),
    Check(code="election_votes",
          rule=gettext_lazy("each candidate's votes are recorded, at most one per voting member "
                            "present"),
          source=ELECTION_SOURCE, find=_votes),
    Check(code="election_tie",
          rule=gettext_lazy("a candidate is elected with more than half of the votes of the voting "
                            "members present, in order of votes up to the seats"),
          source=ELECTION_SOURCE, find=_tie),
    Check(code="election_term",
          rule=gettext_lazy("a committee's term ends after it starts (five years by default)"),
          source=ELECTION_TERM_SOURCE, find=_term),
)


def check(election: Election) -> list[Failure]:
    """Every rule the record breaks, in the order of the rules (empty when it is fine)."""
    view = ElectionView(election=election, result=result(election))
    return [failure for rule in ELECTION_CHECKS for failure in rule.run(view)]


# --- Services ---


def _as(by):
    return audit.acting_as(by, source=audit.current_actor().source)


def _refuse_if_broken(election: Election) -> None:
    failures = check(election)
    if failures:
        raise ValidationError([f.message for f in failures])


def default_term_end(start: datetime.date) -> datetime.date:
    try:
        end = start.replace(year=start.year + TERM_YEARS)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + TERM_YEARS, day=28)
    return end - datetime.timedelta(days=1)


@transaction.atomic
def election_record(
    *, by, activity, seats: int, candidates: list[tuple[Person, int | None]],
    term_start: datetime.date | None = None, term_end: datetime.date | None = None,
) -> Election:
    """Record an election held at `activity` (a general meeting), as a draft. The rules are
    checked when it is reported and approved, so that a draft can be corrected."""
    if seats < 1:
        raise ValidationError({"seats": _("An election has at least one seat.")})
    people = [p for p, _v in candidates]
    if len({p.pk for p in people}) != len(people):
        raise ValidationError({"candidates": _("A candidate is listed twice.")})
    term_start = term_start or activity.local_date
    election = Election(organization=activity.organization, activity=activity, seats=seats,
                        term_start=term_start, term_end=term_end or default_term_end(term_start))
    election.full_clean()
    with _as(by):
        election.save()
        ElectionCandidate.objects.bulk_create([
            ElectionCandidate(election=election, person=p, votes=v, order=i)
            for i, (p, v) in enumerate(candidates)
        ])
    return election


@transaction.atomic
def election_set_votes(*, by, election: Election, votes: dict[int, int | None]) -> Election:
    """Correct the votes of a draft (person id → votes)."""
    lock_for_update(election)
    if election.status != ElectionStatus.DRAFT:
        raise Conflict(_("Only a draft election record can be changed."))
    with _as(by):
        for c in election.candidates.all():
            if c.person_id in votes:
                c.votes = votes[c.person_id]
                c.save(update_fields=["votes"])
    return election


@transaction.atomic
def election_report(*, by, election: Election, on: datetime.date | None = None) -> Election:
    """The branch reports the result to the committee above; a record breaking a rule cannot."""
    lock_for_update(election)
    if election.status != ElectionStatus.DRAFT:
        raise Conflict(_("This election has already been reported."))
    _refuse_if_broken(election)
    election.status = ElectionStatus.REPORTED
    election.reported_on = on or timezone.localdate()
    with _as(by):
        election.save(update_fields=["status", "reported_on"])
    return election


@transaction.atomic
def election_approve(
    *, by, election: Election, on: datetime.date | None = None, document: str = "",
) -> Election:
    """The committee approves the reported result; the rules are checked again."""
    lock_for_update(election)
    if election.status != ElectionStatus.REPORTED:
        raise Conflict(_("Only a reported election can be approved."))
    _refuse_if_broken(election)
    on = on or timezone.localdate()
    if on < election.reported_on:
        raise ValidationError({"approved_on": _("The approval cannot precede the report.")})
    election.status = ElectionStatus.APPROVED
    election.approved_on, election.approval_document = on, document.strip()
    election.approved_by = by if getattr(by, "is_authenticated", False) else None
    with _as(by):
        election.save(update_fields=["status", "approved_on", "approval_document", "approved_by"])
    return election


# --- What pages show ---


@dataclass(frozen=True)
class Term:
    election: Election
    start: datetime.date
    end: datetime.date
    next_due: datetime.date
    overdue: bool
    due_soon: bool


def current_term(organization: Organization, *, today: datetime.date) -> Term | None:
    """The term of the latest approved election, with the due date of the next one."""
    election = (Election.objects.filter(organization=organization, status=ElectionStatus.APPROVED)
                .order_by("-term_start", "-pk").first())
    if election is None:
        return None
    due = election.next_due
    return Term(election=election, start=election.term_start, end=election.term_end, next_due=due,
                overdue=today > due,
                due_soon=today <= due <= today + datetime.timedelta(days=DUE_SOON_DAYS))
