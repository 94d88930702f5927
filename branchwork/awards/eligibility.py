"""Eligibility rules, as data, evaluated against an entry before it is taken.

Each rule of a competition (`EligibilityRule`) is described in the reader's language and checked
against a proposed entry: its entrants (people with the organizations they belonged to on the
closing date, or guests by name, each with a date of birth where given), what it links (a research
output of some kind, a lecture-hall talk) and how many entrants it has. `check()` returns every
broken rule with a message naming the rule and what broke it; the services refuse an entry with
any (`IneligibleEntry`, a ValidationError whose messages pages and the API show).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from branchwork.awards.models import EligibilityRule, EntryKind, RuleKind
from branchwork.core.models import Membership, Organization, Person


class IneligibleEntry(ValidationError):
    """An entry broke one or more of the competition's rules; each message names the rule."""


@dataclass
class Candidate:
    """What the rules look at in a proposed entry."""

    people: list[tuple[Person | None, str, datetime.date | None]]  # (person, guest name, born on)
    output_kind_id: int | None = None
    has_output: bool = False
    has_talk: bool = False
    memberships: dict[int, list[str]] = field(default_factory=dict)  # person id → org paths


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Full years of age on `day` (a birthday on 29 February falls on 1 March in other years)."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def describe(rule: EligibilityRule) -> str:
    """The rule as a sentence in the reader's language."""
    if rule.kind == RuleKind.MAX_AGE:
        return _("Entrants are at most %(n)s years old on the closing date") % {"n": rule.number}
    if rule.kind == RuleKind.MEMBER_OF:
        name = rule.organization.display_name if rule.organization_id else "?"
        return _("Entrants belong to %(org)s (or an organization under it) on the closing date") % {"org": name}
    if rule.kind == RuleKind.ENTRY_KIND:
        if rule.entry_kind == EntryKind.OUTPUT and rule.output_kind_id:
            return _("An entry is a research output of the kind %(kind)s") % {
                "kind": rule.output_kind.display_name}
        return _("An entry is %(what)s") % {"what": EntryKind(rule.entry_kind).label}
    if rule.kind == RuleKind.MAX_ENTRANTS:
        return _("An entry has at most %(n)s entrants") % {"n": rule.number}
    return str(rule.kind)


def memberships_on(people: list[Person], day: datetime.date) -> dict[int, list[str]]:
    """The paths of the organizations each person belonged to on `day` (one query)."""
    out: dict[int, list[str]] = {}
    rows = (Membership.objects.active_on(day).filter(person__in=[p.pk for p in people])
            .values_list("person_id", "organization__path"))
    for person_id, path in rows:
        out.setdefault(person_id, []).append(path)
    return out


def _name(person: Person | None, guest: str) -> str:
    return person.display_name if person is not None else guest


def _broken(rule: EligibilityRule, candidate: Candidate, closing: datetime.date) -> str | None:
    """Why the candidate breaks the rule, or None."""
    if rule.kind == RuleKind.MAX_AGE:
        for person, guest, born in candidate.people:
            if born is None:
                return _("no date of birth is given for %(name)s") % {"name": _name(person, guest)}
            age = age_on(born, closing)
            if age > rule.number:
                return _("%(name)s is %(age)s on %(day)s") % {
                    "name": _name(person, guest), "age": age, "day": closing.isoformat()}
        return None
    if rule.kind == RuleKind.MEMBER_OF:
        org: Organization = rule.organization
        for person, guest, _born in candidate.people:
            paths = candidate.memberships.get(person.pk, []) if person is not None else []
            if not any(p.startswith(org.path) for p in paths):
                return _("%(name)s does not belong to %(org)s on %(day)s") % {
                    "name": _name(person, guest), "org": org.display_name, "day": closing.isoformat()}
        return None
    if rule.kind == RuleKind.ENTRY_KIND:
        if rule.entry_kind == EntryKind.TALK and not candidate.has_talk:
            return _("the entry links no lecture-hall talk")
        if rule.entry_kind == EntryKind.OUTPUT:
            if not candidate.has_output:
                return _("the entry links no research output")
            if rule.output_kind_id and candidate.output_kind_id != rule.output_kind_id:
                return _("the linked output is of another kind")
        return None
    if rule.kind == RuleKind.MAX_ENTRANTS:
        if len(candidate.people) > rule.number:
            return _("it has %(n)s entrants") % {"n": len(candidate.people)}
        return None
    return None


def check(rules: list[EligibilityRule], candidate: Candidate, closing: datetime.date) -> list[str]:
    """One message per broken rule, each naming the rule."""
    failures = []
    for rule in rules:
        why = _broken(rule, candidate, closing)
        if why is not None:
            failures.append(_("Rule “%(rule)s” is not met: %(why)s.") % {"rule": describe(rule), "why": why})
    return failures
