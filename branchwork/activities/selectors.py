"""Reads that several views, the API, commands and reports share."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, Func, IntegerField, Q, QuerySet
from django.utils import timezone

from branchwork.activities.models import Activity, ActivityStatus, Credit
from branchwork.core.models import Organization, OrganizationKind
from branchwork.rulebook.compliance import Tally, TypeCompliance, evaluate
from branchwork.rulebook.loader import get_rulebook

BRANCH_KINDS = (OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH)


class _Month(Func):
    """The month (1–12) of a date column, in SQL on every backend: Django's ExtractMonth on
    SQLite calls a Python function per row, which cost more than the rest of the query."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="CAST(EXTRACT(MONTH FROM %(expressions)s) AS INTEGER)",
                              **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps a date as text, YYYY-MM-DD.
        return super().as_sql(compiler, connection,
                              template="CAST(substr(%(expressions)s, 6, 2) AS INTEGER)", **extra)


def tallies_for(org_ids: list[int], year: int) -> dict[int, dict[str, Tally]]:
    """Held, planned and quorum-less activities per organization, type and month that count for
    `year` (a yearly record by the year it covers), counted by the database in one grouped
    query (a row per organization, type and month, the three counts side by side); the dates
    themselves only for the types a rule orders by date (one more query, over those types
    alone)."""
    counts: dict[int, dict[str, tuple[dict, dict, dict]]] = defaultdict(dict)
    credits = (
        Credit.objects.filter(organization_id__in=org_ids, year=year)
        .exclude(activity__status=ActivityStatus.CANCELLED)
    )
    rows = (
        credits.annotate(month=_Month("on"))
        .values("organization_id", "code", "month")
        .annotate(n_held=Count("pk", filter=Q(counted=True)),
                  n_without_quorum=Count("pk", filter=Q(held=True, counted=False)),
                  n_planned=Count("pk", filter=Q(held=False)))
        .order_by()
        .values_list("organization_id", "code", "month", "n_held", "n_planned",
                     "n_without_quorum")
    )
    # Plain integers and text: read from the cursor, without a converter call per value.
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for org_id, code, month, n_held, n_planned, n_without_quorum in rows:
        buckets = counts[org_id].get(code)
        if buckets is None:
            buckets = counts[org_id][code] = ({}, {}, {})
        for bucket, n in zip(buckets, (n_held, n_planned, n_without_quorum)):
            if n:
                bucket[month] = n
    dated = _dated_codes()
    held_dates: dict[tuple[int, str], list[datetime.date]] = defaultdict(list)
    if dated:
        for org_id, code, on in (credits.filter(code__in=dated, counted=True).order_by("on")
                                 .values_list("organization_id", "code", "on")):
            held_dates[(org_id, code)].append(on)
    return {
        org_id: {
            code: Tally(held=held, planned=planned, without_quorum=without_quorum,
                        held_dates=tuple(held_dates[(org_id, code)]) if code in dated else None)
            for code, (held, planned, without_quorum) in codes.items()
        }
        for org_id, codes in counts.items()
    }


def _dated_codes() -> frozenset[str]:
    """Types whose records a rule orders by date: those that must precede another, and those."""
    codes = set()
    for t in get_rulebook().types.values():
        if t.before:
            codes |= {t.code, t.before}
    return frozenset(codes)


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
