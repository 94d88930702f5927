"""Reads that several views, the API, commands and reports share."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from branchwork.activities.models import Activity, ActivityStatus, Credit
from branchwork.core.models import Organization, OrganizationKind
from branchwork.rulebook.compliance import Tally, TypeCompliance, evaluate
from branchwork.rulebook.loader import get_rulebook

BRANCH_KINDS = (OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH)


def tallies_for(org_ids: list[int], year: int) -> dict[int, dict[str, Tally]]:
    """Local dates of held, planned and quorum-less activities per organization and type that
    count for `year` (a yearly record by the year it covers), in one query."""
    raw: dict[int, dict[str, dict[str, list]]] = defaultdict(
        lambda: defaultdict(lambda: {"held": [], "planned": [], "without_quorum": []}))
    rows = (
        Credit.objects.filter(organization_id__in=org_ids, year=year)
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .values_list("organization_id", "code", "on", "held", "counted")
    )
    for org_id, code, on, held, counted in rows:
        bucket = raw[org_id][code]
        if counted:
            bucket["held"].append(on)
        elif held:
            bucket["without_quorum"].append(on)
        else:
            bucket["planned"].append(on)
    return {
        org_id: {code: Tally(held=tuple(b["held"]), planned=tuple(b["planned"]),
                             without_quorum=tuple(b["without_quorum"])) for code, b in codes.items()}
        for org_id, codes in raw.items()
    }


@dataclass(frozen=True)
class OrgCompliance:
    organization: Organization
    types: list[TypeCompliance]

    def by_code(self) -> dict[str, TypeCompliance]:
        return {t.type.code: t for t in self.types}


def compliance(orgs: list[Organization], year: int, today: datetime.date | None = None,
               only: list[str] | None = None) -> list[OrgCompliance]:
    """Compliance of each organization for the year; two queries however many there are."""
    today = today or timezone.localdate()
    tallies = tallies_for([o.pk for o in orgs], year)
    rulebook = get_rulebook()
    return [
        OrgCompliance(organization=o, types=evaluate(
            rulebook=rulebook, org_kind=o.kind, year=year, tallies=tallies.get(o.pk, {}),
            today=today, only=only))
        for o in orgs
    ]


def org_and_groups(org: Organization) -> list[Organization]:
    """A branch and its Party groups (whose meetings are counted per group)."""
    groups = list(org.get_children().filter(kind=OrganizationKind.GROUP, is_active=True)) \
        if org.kind in BRANCH_KINDS else []
    return [org, *groups]


def branches_under(org: Organization) -> QuerySet[Organization]:
    """Branches and general branches at or under `org`, in tree order."""
    return Organization.objects.filter(
        path__startswith=org.path, kind__in=BRANCH_KINDS, is_active=True
    ).order_by("path")


def committee_types() -> list:
    """Columns of the committee table: types with a cadence counted for branches."""
    return [t for t in get_rulebook().types_for(OrganizationKind.BRANCH) if t.cadence is not None]


def activities_of(org: Organization) -> QuerySet[Activity]:
    """Hosted or co-organized by `org`, with what lists show."""
    return Activity.objects.for_organization(org).with_list_data()
