"""Who is expected at an activity, who votes, the credits it earns and its quorum (derived)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from branchwork.activities.models import (
    HELD_STATES,
    PRESENT_STATES,
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Credit,
)
from branchwork.activities.services.common import INTERNAL_KINDS, MEMBER_ROLES, OPEN_STATES
from branchwork.core import audit
from branchwork.core import selectors as core_selectors
from branchwork.core.models import (
    MANAGING_ROLES,
    Membership,
    Organization,
    OrganizationKind,
    Person,
)
from branchwork.rulebook.loader import get_rulebook

# --- Who is expected ---


@dataclass(frozen=True)
class Expected:
    person: Person
    organization: Organization
    voting: bool


def expected_attendees(
    *, organization: Organization, co_organizers: Sequence[Organization], type_codes: Sequence[str],
    on: datetime.date,
) -> list[Expected]:
    """Who the types' rules expect, as of `on` (the statuses in force when that day began).

    Party members only (any member of a Youth League body), from the roles held on `on`. A
    general branch's members are those of all branches under it; each person is expected once,
    through their own branch where they have one. Whether they vote follows their status on the
    day (core.selectors.meeting_statuses): only full members with their rights intact vote.
    """
    rulebook = get_rulebook()
    rules = {rulebook.type(c).attendance for c in type_codes}
    if rules <= {"open"}:
        return []
    orgs = [organization] + [o for o in co_organizers if o.kind in INTERNAL_KINDS]
    committee_only = rules == {"committee"}
    roles = MANAGING_ROLES if committee_only else MEMBER_ROLES
    pool: dict[int, Organization] = {}
    for org in orgs:
        for o in ([org] if committee_only else core_selectors.member_pool(org, on)):
            pool.setdefault(o.pk, o)
    order = {pk: (0 if o.kind == OrganizationKind.BRANCH else 1, i) for i, (pk, o) in enumerate(pool.items())}
    rows = sorted(
        Membership.objects.active_on(on).filter(organization__in=list(pool), role__in=roles)
        .select_related("person"),
        key=lambda m: (order[m.organization_id], m.person.name, m.pk),
    )
    statuses = core_selectors.meeting_statuses({m.person_id for m in rows}, on)
    seen: set[int] = set()
    result = []
    for m in rows:
        org, person, status = pool[m.organization_id], m.person, statuses[m.person_id]
        if person.pk in seen:
            continue
        if org.kind != OrganizationKind.YOUTH_LEAGUE and not core_selectors.is_party_member(status):
            continue
        seen.add(person.pk)
        result.append(Expected(person=person, organization=org, voting=core_selectors.may_vote(status)))
    return result


def _sync_expected(activity: Activity) -> None:
    """Add newly expected people; drop unmarked ones no longer expected. Marks are kept."""
    expected = expected_attendees(
        organization=activity.organization,
        co_organizers=list(activity.co_organizers.all()),
        type_codes=activity.type_codes,
        on=activity.local_date,
    )
    wanted = {e.person.pk: e for e in expected}
    existing = {a.person_id: a for a in activity.attendance.filter(person__isnull=False)}
    Attendance.objects.filter(
        activity=activity, role=AttendanceRole.EXPECTED, status=AttendanceStatus.UNMARKED,
        person__isnull=False,
    ).exclude(person_id__in=list(wanted)).delete()
    audit.bulk_create(Attendance, [
        Attendance(activity=activity, person=e.person, organization=e.organization, voting=e.voting)
        for pk, e in wanted.items() if pk not in existing
    ], organization_id=activity.organization_id)


# --- Credits (derived) ---


def credited_organizations(activity: Activity, code: str) -> list[Organization]:
    """The organizations an activity counts for, for one type.

    The host always. Co-organizers, and for a general branch's activity the branches under it
    as the activity's day began (core.selectors.member_pool: not today's tree),
    only where the rulebook says the type may be held jointly (`joint`): a general branch's or
    another branch's general meeting is not a branch's own general meeting.
    """
    orgs = [activity.organization]
    if get_rulebook().type(code).joint:
        orgs += list(activity.co_organizers.all())
        if activity.organization.kind == OrganizationKind.GENERAL_BRANCH:
            orgs += core_selectors.member_pool(activity.organization, activity.local_date)[1:]
    return list({o.pk: o for o in orgs}.values())


def _refresh_voting(activity: Activity, rows: list[Attendance]) -> None:
    """In a draft record, who votes follows the status history as of the activity's date (a
    status recorded later for that date changes it); a locked record keeps what it says."""
    expected = [a for a in rows if a.person_id is not None]
    statuses = core_selectors.meeting_statuses({a.person_id for a in expected}, activity.local_date)
    changed = []
    for a in expected:
        voting = core_selectors.may_vote(statuses[a.person_id])
        if a.voting != voting:
            a.voting = voting
            changed.append(a)
    audit.bulk_update(changed, ["voting"], organization_id=activity.organization_id)


def recompute_credits(activity: Activity) -> None:
    """Rebuild what the activity counts, for each organization it counts for and each type.

    The quorum of an organization is judged on the people expected through it (for a general
    branch, through it and the branches under it)."""
    Credit.objects.filter(activity=activity).delete()
    if activity.status == ActivityStatus.CANCELLED:
        return
    rulebook = get_rulebook()
    rows = list(activity.attendance.filter(role=AttendanceRole.EXPECTED))
    if activity.status in OPEN_STATES:
        _refresh_voting(activity, rows)
    held = activity.status in HELD_STATES
    pools: dict[int, set[int]] = {}
    credits = []
    for code in activity.type_codes:
        quorum = rulebook.type(code).quorum
        # A yearly record counts for the year it covers (所属年度), others for the year of their date.
        year = activity.year_covered if rulebook.type(code).yearly else activity.local_date.year
        for org in credited_organizations(activity, code):
            if org.pk not in pools:
                pools[org.pk] = {o.pk for o in core_selectors.member_pool(org, activity.local_date)}
            mine = [a for a in rows if a.organization_id in pools[org.pk]]
            present = base = 0
            counted = held
            if quorum is not None:
                pool = [a for a in mine if a.voting] if quorum.of == "voting" else mine
                base = len(pool)
                present = sum(1 for a in pool if a.status in PRESENT_STATES)
                counted = held and quorum.is_met(present=present, base=base)
            credits.append(Credit(activity=activity, organization=org, code=code,
                                  on=activity.local_date, year=year, held=held, counted=counted,
                                  present=present, base=base))
    Credit.objects.bulk_create(credits)


def quorum_report(activity: Activity, *, credits: list | None = None) -> list[dict]:
    """Per organization and quorum type: present, base, met (for pages and ledgers). `credits`:
    the activity's credits with their organizations, by organization and code, when the caller
    has them already (the activity's page)."""
    result = []
    if credits is None:
        credits = activity.credits.select_related("organization").order_by("organization_id", "code")
    for credit in credits:
        quorum = get_rulebook().types[credit.code].quorum if credit.code in get_rulebook().types else None
        if quorum is None:
            continue
        result.append({
            "organization": credit.organization,
            "type": get_rulebook().label(credit.code),
            "present": credit.present,
            "base": credit.base,
            "met": quorum.is_met(present=credit.present, base=credit.base),
        })
    return result


