"""Writes of awards and competitions: keyword-only, validated, in one transaction, audited.

A write that depends on a competition's state (an entry while it is open, a score while it is
scoring, a change of state, the rules and criteria before it opens) locks the competition's row
and reads it afresh first (`core.conflicts.lock_for_update`); a refused change raises `Conflict`
(pages show the message, the API would answer 409). An entry that breaks an eligibility rule is
refused with `IneligibleEntry`, each message naming the rule. A judge never scores their own
entry, an entry of their own organization, or one they declared a conflict with
(`JudgeConflicted`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchwork.awards import eligibility, results
from branchwork.awards.models import (
    Award,
    AwardGrade,
    AwardRecipient,
    BodyLevel,
    Competition,
    CompetitionStatus,
    Criterion,
    EligibilityRule,
    Entrant,
    Entry,
    Judge,
    JudgeConflict,
    Method,
    Prize,
    Scope,
    Score,
)
from branchwork.core import audit
from branchwork.core.conflicts import Conflict, lock_for_update
from branchwork.core.models import Membership, Organization, OrganizationKind, Person
from branchwork.lectures.models import Talk
from branchwork.research.models import Output

Contributor = Person | str  # a person in Branchwork, or a guest's name as printed


class JudgeConflicted(Conflict):
    """A judge asked to score an entry they may not score."""


def _as(by):
    return audit.acting_as(by, source=audit.current_actor().source)


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


DEFAULT_GRADES = [
    ("special", "特等奖", "Special prize"),
    ("first", "一等奖", "First prize"),
    ("second", "二等奖", "Second prize"),
    ("third", "三等奖", "Third prize"),
    ("merit", "优秀奖", "Award of merit"),
]


def ensure_default_grades() -> None:
    """The grades an office starts with (migration 0002 adds them; this puts them back after a
    test database was flushed)."""
    for position, (code, zh, en) in enumerate(DEFAULT_GRADES, start=1):
        AwardGrade.objects.get_or_create(code=code, defaults={"name_zh": zh, "name_en": en,
                                                              "position": position})


def _contributors(items: Sequence[Contributor]) -> list[tuple[Person | None, str]]:
    out = []
    for item in items:
        if isinstance(item, Person):
            out.append((item, ""))
        elif (item or "").strip():
            out.append((None, item.strip()[:120]))
    return out


# --- Awards ---


AWARD_FIELDS = ("title", "scope", "body", "level", "grade", "year", "awarded_on", "output", "talk", "note")


@transaction.atomic
def award_create(*, by, organization: Organization, recipients: Sequence[Contributor] = (),
                 entry: Entry | None = None, **fields) -> Award:
    unknown = set(fields) - set(AWARD_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of an award: {', '.join(sorted(unknown))}")
    with _as(by):
        award = Award(organization=organization, entry=entry,
                      **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()})
        award.full_clean()
        award.save()
        people = _contributors(recipients)
        if not people:
            raise ValidationError({"recipients": _("Name at least one recipient.")})
        AwardRecipient.objects.bulk_create(
            AwardRecipient(award=award, position=i, person=p, guest_name=name)
            for i, (p, name) in enumerate(people, start=1))
    return award


# --- Competitions: the call, its rules, criteria, prizes and judges ---


@transaction.atomic
def competition_create(*, by, organization: Organization, title: str, opens_on: datetime.date,
                       closes_on: datetime.date, title_en: str = "", call: str = "", blind: bool = False,
                       method: str = Method.MEAN, results_on: datetime.date | None = None,
                       award_level: str = BodyLevel.INSTITUTION) -> Competition:
    with _as(by):
        competition = Competition(organization=organization, title=(title or "").strip(),
                                  title_en=(title_en or "").strip(), call=call, opens_on=opens_on,
                                  closes_on=closes_on, blind=blind, method=method, results_on=results_on,
                                  award_level=award_level)
        competition.full_clean()
        competition.save()
    return competition


def _locked(competition: Competition, states: Sequence[str], message: str) -> Competition:
    """Lock the competition's row, read it afresh, and refuse unless it is in one of `states`."""
    lock_for_update(competition)
    if competition.status not in states:
        raise Conflict(message % {"status": CompetitionStatus(competition.status).label})
    return competition


def settings_changed(competition: Competition) -> None:
    """Raise the competition's version: an edit of its settings based on the one before is refused."""
    competition.version += 1
    competition.save(update_fields=["version"])


_SETUP_REFUSED = gettext_lazy("The rules, criteria and prizes are set while the competition is a draft; it is now: %(status)s.")


@transaction.atomic
def rule_add(*, by, competition: Competition, kind: str, number: int | None = None,
             organization: Organization | None = None, entry_kind: str = "", output_kind=None) -> EligibilityRule:
    with _as(by):
        _locked(competition, [CompetitionStatus.DRAFT], _SETUP_REFUSED)
        position = (competition.rules.aggregate(m=Max("position"))["m"] or 0) + 1
        rule = EligibilityRule(competition=competition, kind=kind, number=number, organization=organization,
                               entry_kind=entry_kind or "", output_kind=output_kind, position=position)
        rule.full_clean()
        rule.save()
        settings_changed(competition)
    return rule


@transaction.atomic
def criterion_add(*, by, competition: Competition, name: str, weight: Decimal = Decimal("1"),
                  max_score: Decimal = Decimal("100"), name_en: str = "") -> Criterion:
    with _as(by):
        _locked(competition, [CompetitionStatus.DRAFT], _SETUP_REFUSED)
        position = (competition.criteria.aggregate(m=Max("position"))["m"] or 0) + 1
        criterion = Criterion(competition=competition, name=(name or "").strip(), name_en=name_en.strip(),
                              weight=weight, max_score=max_score, position=position)
        criterion.full_clean()
        criterion.save()
        settings_changed(competition)
    return criterion


@transaction.atomic
def prize_set(*, by, competition: Competition, grade: AwardGrade, places: int) -> Prize:
    with _as(by):
        _locked(competition, [CompetitionStatus.DRAFT], _SETUP_REFUSED)
        prize = Prize.objects.filter(competition=competition, grade=grade).first() or Prize(
            competition=competition, grade=grade, places=places)
        prize.places = places
        prize.full_clean()
        prize.save()
        settings_changed(competition)
    return prize


@transaction.atomic
def judge_add(*, by, competition: Competition, person: Person) -> Judge:
    with _as(by):
        _locked(competition, [CompetitionStatus.DRAFT, CompetitionStatus.OPEN, CompetitionStatus.CLOSED],
                _("Judges are named before scoring starts; the competition is now: %(status)s."))
        judge, _created = Judge.objects.get_or_create(competition=competition, person=person)
    return judge


# --- State changes ---

NEXT = {
    CompetitionStatus.DRAFT: CompetitionStatus.OPEN,
    CompetitionStatus.OPEN: CompetitionStatus.CLOSED,
    CompetitionStatus.CLOSED: CompetitionStatus.SCORING,
    CompetitionStatus.SCORING: CompetitionStatus.PUBLISHED,
}


@transaction.atomic
def competition_advance(*, by, competition: Competition, to: str, today: datetime.date | None = None) -> Competition:
    """Move the competition to its next state: open it, close it for entries, start scoring,
    publish the results. Refused unless `to` follows the state stored now (read under the lock)."""
    today = today or timezone.localdate()
    with _as(by):
        lock_for_update(competition)
        if NEXT.get(competition.status) != to:
            raise Conflict(_("The competition is now: %(status)s; it cannot move to: %(to)s.") % {
                "status": CompetitionStatus(competition.status).label, "to": CompetitionStatus(to).label})
        if to == CompetitionStatus.OPEN and not competition.criteria.exists():
            raise Conflict(_("Give the criteria judges score before opening the competition."))
        if to == CompetitionStatus.SCORING and not competition.judges.exists():
            raise Conflict(_("Name the judges before scoring starts."))
        if to == CompetitionStatus.PUBLISHED:
            _publish(competition, by=by, today=today)
        competition.status = to
        competition.full_clean()
        competition.save(update_fields=["status", "published_at"])
    return competition


def compute_results(competition: Competition) -> list[results.Result]:
    """The results the scores give now (a few queries, whatever the number of entries)."""
    criteria = list(competition.criteria.values_list("pk", "weight"))
    scores = list(Score.objects.filter(entry__competition=competition)
                  .values_list("entry_id", "judge_id", "criterion_id", "value"))
    prizes = list(competition.prizes.order_by("grade__position").values_list("grade_id", "places"))
    entry_ids = list(competition.entries.values_list("pk", flat=True))
    return results.compute(entry_ids=entry_ids, criteria=criteria, scores=scores,
                           weighted=competition.method == Method.WEIGHTED, prizes=prizes)


def _publish(competition: Competition, *, by, today: datetime.date) -> None:
    computed = {r.entry_id: r for r in compute_results(competition)}
    entries = list(competition.entries.prefetch_related("entrants__person"))
    for entry in entries:
        r = computed[entry.pk]
        entry.score, entry.rank, entry.tied, entry.grade_id = r.score, r.rank, r.tied, r.grade_id
    Entry.objects.bulk_update(entries, ["score", "rank", "tied", "grade"])
    competition.published_at = timezone.now()
    # Each graded entry is an award of the organizing organization, in the year of publication.
    for entry in entries:
        if entry.grade_id is None or Award.objects.filter(entry=entry).exists():
            continue
        award = Award(organization=competition.organization, title=competition.title, scope=Scope.INTERNAL,
                      body=competition.organization.display_name, level=competition.award_level,
                      grade_id=entry.grade_id, year=today.year, awarded_on=today, output=entry.output,
                      talk=entry.talk, entry=entry)
        award.full_clean()
        award.save()
        AwardRecipient.objects.bulk_create(
            AwardRecipient(award=award, position=e.position, person=e.person, guest_name=e.guest_name)
            for e in entry.entrants.all())


# --- Entries ---


def checked_entrants(competition: Competition, entrants, *, output: Output | None,
                     talk: Talk | None) -> list[tuple[Person | None, str, datetime.date | None]]:
    """The entrants as (person, guest's name, date of birth), if the entry they make meets every
    eligibility rule; otherwise IneligibleEntry names each broken rule."""
    people = []
    for item in entrants:
        who, born = item if isinstance(item, tuple) else (item, None)
        [(person, name)] = _contributors([who]) or [(None, "")]
        if person is not None or name:
            people.append((person, name, born))
    if not people:
        raise ValidationError({"entrants": _("Name at least one entrant.")})
    candidate = eligibility.Candidate(
        people=people, has_output=output is not None, has_talk=talk is not None,
        output_kind_id=output.kind_id if output is not None else None,
        memberships=eligibility.memberships_on([p for p, _n, _b in people if p is not None],
                                               competition.closes_on))
    rules = list(competition.rules.select_related("organization", "output_kind"))
    failures = eligibility.check(rules, candidate, competition.closes_on)
    if failures:
        raise eligibility.IneligibleEntry(failures)
    return people


@transaction.atomic
def entry_submit(*, by, competition: Competition, organization: Organization, title: str,
                 entrants: Sequence[Contributor | tuple[Contributor, datetime.date | None]], abstract: str = "",
                 output: Output | None = None, talk: Talk | None = None, file=None,
                 today: datetime.date | None = None) -> Entry:
    """Take an entry while the competition is open and on or before its closing date, if it
    meets every eligibility rule (each broken one named in the refusal)."""
    today = today or timezone.localdate()
    with _as(by):
        _locked(competition, [CompetitionStatus.OPEN],
                _("Entries are taken while the competition is open; it is now: %(status)s."))
        if not competition.opens_on <= today <= competition.closes_on:
            raise Conflict(_("Entries are taken from %(start)s to the closing date %(end)s.") % {
                "start": competition.opens_on.isoformat(), "end": competition.closes_on.isoformat()})
        people = checked_entrants(competition, entrants, output=output, talk=talk)
        number = (competition.entries.aggregate(m=Max("number"))["m"] or 0) + 1
        entry = Entry(competition=competition, number=number, organization=organization,
                      title=(title or "").strip(), abstract=abstract, output=output, talk=talk,
                      submitted_on=today, submitted_by=_user(by))
        if file is not None:
            entry.file = file
        entry.full_clean()
        entry.save()
        Entrant.objects.bulk_create(
            Entrant(entry=entry, position=i, person=p, guest_name=name, born_on=born)
            for i, (p, name, born) in enumerate(people, start=1))
    return entry


# --- Judging ---


def conflict_reason(judge: Judge, entry: Entry, *, day: datetime.date,
                    entrant_ids: set[int] | None = None, judge_paths: list[str] | None = None,
                    declared: set[int] | None = None) -> str | None:
    """Why `judge` may not score `entry`, or None. The sets may be given (pages ask for many
    entries at once); otherwise each is read here."""
    if entrant_ids is None:
        entrant_ids = set(entry.entrants.exclude(person=None).values_list("person_id", flat=True))
    if judge.person_id in entrant_ids:
        return _("It is the judge's own entry.")
    if declared is None:
        declared = set(JudgeConflict.objects.filter(judge=judge).values_list("entry_id", flat=True))
    if entry.pk in declared:
        return _("The judge declared a conflict of interest with this entry.")
    if judge_paths is None:
        judge_paths = judge_paths_on(judge, day)
    org_path = entry.organization.path
    if any(path.startswith(org_path) or org_path.startswith(path) for path in judge_paths):
        return _("The entry comes from the judge's own organization.")
    return None


# A judge's own organizations are their branches and Party groups (and a brother unit's branch, a
# Youth League committee): the committee and general branches that run competitions oversee every
# entrant below them, and judging for them is no conflict.
OVERSEEING_KINDS = (OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH)


def judge_paths_on(judge: Judge, day: datetime.date) -> list[str]:
    """The paths of the judge's own organizations on `day`: an entry of one of them, or of an
    organization above or under one, is their own organization's."""
    return list(Membership.objects.active_on(day).filter(person_id=judge.person_id)
                .exclude(organization__kind__in=OVERSEEING_KINDS)
                .values_list("organization__path", flat=True))


@transaction.atomic
def conflict_declare(*, by, judge: Judge, entry: Entry, reason: str = "") -> JudgeConflict:
    if entry.competition_id != judge.competition_id:
        raise ValidationError(_("The entry is not in the judge's competition."))
    with _as(by):
        _locked(judge.competition, [CompetitionStatus.DRAFT, CompetitionStatus.OPEN, CompetitionStatus.CLOSED,
                                    CompetitionStatus.SCORING],
                _("The results are published; conflicts are declared before. It is now: %(status)s."))
        conflict, _created = JudgeConflict.objects.get_or_create(
            judge=judge, entry=entry, defaults={"reason": (reason or "").strip()[:200]})
        # A score given before the conflict was declared does not count.
        Score.objects.filter(judge=judge, entry=entry).delete()
    return conflict


@transaction.atomic
def scores_record(*, by, judge: Judge, entry: Entry, values: dict[Criterion, Decimal],
                  today: datetime.date | None = None) -> list[Score]:
    """Record (or correct) the judge's scores of the entry, one per criterion, while the
    competition is scoring; never for an entry the judge may not score."""
    today = today or timezone.localdate()
    competition = judge.competition
    if entry.competition_id != competition.pk:
        raise ValidationError(_("The entry is not in the judge's competition."))
    with _as(by):
        _locked(competition, [CompetitionStatus.SCORING],
                _("Scores are given while the competition is scoring; it is now: %(status)s."))
        reason = conflict_reason(judge, entry, day=today)
        if reason is not None:
            raise JudgeConflicted(_("This judge may not score this entry: %(why)s") % {"why": reason})
        errors = {}
        for criterion, value in values.items():
            if criterion.competition_id != competition.pk:
                raise ValidationError(_("The criterion is not one of the competition's."))
            if value is None or value < 0 or value > criterion.max_score:
                errors[f"c{criterion.pk}"] = _("A score from 0 to %(max)s.") % {"max": criterion.max_score}
        if errors:
            raise ValidationError(errors)
        saved = []
        for criterion, value in values.items():
            score, _created = Score.objects.update_or_create(
                entry=entry, judge=judge, criterion=criterion,
                defaults={"value": Decimal(value), "scored_at": timezone.now()})
            saved.append(score)
    return saved
