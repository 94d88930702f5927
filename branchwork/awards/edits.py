"""Edits of awards, entries and a competition's settings, under the same rules as the other writes
(services.py): keyword-only, validated, in one transaction, audited, each locking the row it
changes and reading it afresh first.

Every edit carries the version of the record it was made on (`base_version`, the hidden field of
the edit form); a record changed since (another person saved first) refuses it with `Conflict`,
never writing over the other change.

What may change when:
- An award: by those who record awards for its organization, at any time; one a competition's
  publication created stays with the published results (its recipients and grade are theirs) and
  is not deleted here.
- An entry: by its entrants or the competition's managers while the competition is open and not
  past its closing date, meeting every eligibility rule again; refused afterwards.
- A competition: everything while a draft. Once open (and while closed or scoring) only its
  wording (`SAFE_ONCE_OPEN`: title, English title, call) and the date results are expected: the
  dates, blind flag, method, level of awards, rules, criteria, weights and prizes stay as the
  entrants and judges were told. Nothing changes once the results are published.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.awards.models import (
    Award,
    AwardRecipient,
    Competition,
    CompetitionStatus,
    Criterion,
    EligibilityRule,
    Entrant,
    Entry,
)
from branchwork.awards.services import (
    _SETUP_REFUSED,
    AWARD_FIELDS,
    _as,
    _contributors,
    _locked,
    checked_entrants,
    settings_changed,
)
from branchwork.core.conflicts import Conflict, lock_for_update
from branchwork.core.models import Organization
from branchwork.lectures.models import Talk
from branchwork.research.models import Output

SAFE_ONCE_OPEN = ("title", "title_en", "call", "results_on")
FIXED_ONCE_OPEN = ("opens_on", "closes_on", "blind", "method", "award_level")
COMPETITION_FIELDS = SAFE_ONCE_OPEN + FIXED_ONCE_OPEN
EDITABLE = [CompetitionStatus.DRAFT, CompetitionStatus.OPEN, CompetitionStatus.CLOSED, CompetitionStatus.SCORING]


def _check_version(record, base_version: int) -> None:
    if base_version != record.version:
        raise Conflict(_("Someone else changed this record while you were editing it. Nothing was "
                         "saved: reload the page, check their change and make yours again."))


def _clean(value):
    return value.strip() if isinstance(value, str) else value


# --- Awards ---


@transaction.atomic
def award_update(*, by, award: Award, base_version: int, recipients=None, **fields) -> Award:
    unknown = set(fields) - set(AWARD_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of an award: {', '.join(sorted(unknown))}")
    with _as(by):
        lock_for_update(award)
        _check_version(award, base_version)
        for name, value in fields.items():
            setattr(award, name, _clean(value))
        award.full_clean()
        award.version += 1
        award.save()
        if recipients is not None:
            people = _contributors(recipients)
            if not people:
                raise ValidationError({"recipients": _("Name at least one recipient.")})
            award.recipients.all().delete()
            AwardRecipient.objects.bulk_create(
                AwardRecipient(award=award, position=i, person=p, guest_name=name)
                for i, (p, name) in enumerate(people, start=1))
    return award


@transaction.atomic
def award_delete(*, by, award: Award, base_version: int) -> None:
    with _as(by):
        lock_for_update(award)
        _check_version(award, base_version)
        if award.entry_id is not None:
            raise Conflict(_("This award is a result of a competition's published results and stays "
                             "with them; it cannot be deleted."))
        award.delete()


# --- A competition's settings ---


@transaction.atomic
def competition_update(*, by, competition: Competition, base_version: int, **fields) -> Competition:
    """Change the competition's call or settings: all of them while a draft, only the wording
    and the expected date of results once open (see the module's docstring)."""
    unknown = set(fields) - set(COMPETITION_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of a competition: {', '.join(sorted(unknown))}")
    with _as(by):
        _locked(competition, EDITABLE,
                _("The results are published; the competition no longer changes. It is now: %(status)s."))
        _check_version(competition, base_version)
        fields = {name: _clean(value) for name, value in fields.items()}
        changed = [name for name, value in fields.items() if getattr(competition, name) != value]
        fixed = [name for name in changed if name not in SAFE_ONCE_OPEN]
        if fixed and competition.status != CompetitionStatus.DRAFT:
            raise Conflict(_(
                "Once a competition opens, its dates, blind scoring, method, rules, criteria, weights "
                "and prizes stay as entrants and judges were told; only its title, call and the date "
                "results are expected can change. It is now: %(status)s. Not saved: %(fields)s.") % {
                "status": CompetitionStatus(competition.status).label,
                "fields": ", ".join(str(Competition._meta.get_field(name).verbose_name) for name in fixed)})
        for name, value in fields.items():
            setattr(competition, name, value)
        competition.full_clean()
        competition.version += 1
        competition.save()
    return competition


@transaction.atomic
def rule_remove(*, by, rule: EligibilityRule, base_version: int) -> None:
    competition = rule.competition
    with _as(by):
        _locked(competition, [CompetitionStatus.DRAFT], _SETUP_REFUSED)
        _check_version(competition, base_version)
        EligibilityRule.objects.filter(pk=rule.pk).delete()
        settings_changed(competition)


@transaction.atomic
def criterion_update(*, by, criterion: Criterion, base_version: int, name: str, weight: Decimal,
                     max_score: Decimal, name_en: str = "") -> Criterion:
    competition = criterion.competition
    with _as(by):
        _locked(competition, [CompetitionStatus.DRAFT], _SETUP_REFUSED)
        _check_version(competition, base_version)
        lock_for_update(criterion)
        criterion.name, criterion.name_en = (name or "").strip(), (name_en or "").strip()
        criterion.weight, criterion.max_score = weight, max_score
        criterion.full_clean()
        criterion.save()
        settings_changed(competition)
    return criterion


@transaction.atomic
def criterion_remove(*, by, criterion: Criterion, base_version: int) -> None:
    competition = criterion.competition
    with _as(by):
        _locked(competition, [CompetitionStatus.DRAFT], _SETUP_REFUSED)
        _check_version(competition, base_version)
        Criterion.objects.filter(pk=criterion.pk).delete()
        settings_changed(competition)


# --- Entries ---


@transaction.atomic
def entry_update(*, by, entry: Entry, base_version: int, organization: Organization, title: str, entrants,
                 abstract: str = "", output: Output | None = None, talk: Talk | None = None, file=None,
                 today: datetime.date | None = None) -> Entry:
    """Change an entry while its competition is open and not past the closing date, if it still
    meets every eligibility rule. A new file replaces the old one; no file keeps it."""
    today = today or timezone.localdate()
    competition = entry.competition
    with _as(by):
        _locked(competition, [CompetitionStatus.OPEN],
                _("Entries can be changed only while the competition is open for entries; it is now: "
                  "%(status)s."))
        if today > competition.closes_on:
            raise Conflict(_("Entries can be changed until the closing date %(end)s; it has passed.") % {
                "end": competition.closes_on.isoformat()})
        lock_for_update(entry)
        _check_version(entry, base_version)
        people = checked_entrants(competition, entrants, output=output, talk=talk)
        entry.organization, entry.title, entry.abstract = organization, (title or "").strip(), abstract or ""
        entry.output, entry.talk = output, talk
        if file is not None:
            entry.file = file
        entry.full_clean()
        entry.version += 1
        entry.save()
        entry.entrants.all().delete()
        Entrant.objects.bulk_create(
            Entrant(entry=entry, position=i, person=p, guest_name=name, born_on=born)
            for i, (p, name, born) in enumerate(people, start=1))
    return entry
