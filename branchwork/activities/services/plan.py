"""Attachments of a record, and the year plan."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from branchwork.activities.models import (
    Activity,
    ActivitySource,
    ActivityStatus,
    Attachment,
    Credit,
)
from branchwork.activities.services.common import _LOCKED_MESSAGE, OPEN_STATES, _as, _lock
from branchwork.activities.services.scheduling import activity_schedule
from branchwork.core.models import (
    Organization,
    OrganizationKind,
)
from branchwork.rulebook.loader import get_rulebook

# --- Attachments ---


@transaction.atomic
def attachment_add(*, by, activity: Activity, kind: str, file, caption: str = "") -> Attachment:
    _lock(activity, OPEN_STATES, _LOCKED_MESSAGE)
    name = getattr(file, "name", "file").rsplit("/", 1)[-1][:200]
    row = Attachment(activity=activity, kind=kind, file=file, filename=name, caption=caption.strip(),
                     order=activity.attachments.filter(kind=kind).count(),
                     uploaded_by=by if getattr(by, "is_authenticated", False) else None)
    row.full_clean(exclude=["activity", "file"])
    with _as(by):
        row.save()
    return row


@transaction.atomic
def attachment_remove(*, by, attachment: Attachment) -> None:
    _lock(attachment.activity, OPEN_STATES, _LOCKED_MESSAGE)
    with _as(by):
        attachment.delete()
    transaction.on_commit(lambda: attachment.file.delete(save=False))


# --- The year plan ---


def _plan_date(period, index_in_period: int, count: int, today: datetime.date) -> datetime.date:
    """Spread `count` activities over what is left of the period (mid-month, mid-quarter…)."""
    start = max(period.start, today + datetime.timedelta(days=1))
    span = (period.end - start).days + 1
    offset = int(span * (index_in_period + 1) / (count + 1))
    day = start + datetime.timedelta(days=offset)
    while day.weekday() >= 5:  # weekdays only
        day += datetime.timedelta(days=1)
    if day > period.end:
        day = period.end
    return day


def _yearly_span(activity_type, period, today: datetime.date):
    """Where the plan puts a yearly record: in the fourth quarter, as the regulations advise for
    the organizational life meeting; a type that must come before another (heart-to-heart talks)
    in its first half, the others from mid-November."""
    from branchwork.rulebook.compliance import Period

    year = period.year
    if activity_type.before:
        span = Period(datetime.date(year, 10, 1), datetime.date(year, 11, 10), "year", year, 1)
    else:
        span = Period(datetime.date(year, 11, 11), datetime.date(year, 12, 31), "year", year, 1)
    return span if span.end > today else period  # late in the year: what is left of it


@transaction.atomic
def year_plan_generate(
    *, by, organization: Organization, year: int, today: datetime.date | None = None,
) -> list[Activity]:
    """Planned activities for the year from the rulebook, on proposed dates to confirm.

    Idempotent: a period that already has (planned or held) activities of a type gets only what
    is still missing. Group meetings are planned for each Party group under a branch.
    """
    from branchwork.rulebook.compliance import periods_of_year

    rulebook = get_rulebook()
    targets = [organization]
    if organization.kind in (OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH):
        targets += list(organization.get_children().filter(kind=OrganizationKind.GROUP, is_active=True))
    tz = timezone.get_current_timezone()
    today = today or timezone.localdate()
    have: dict[tuple[int, str], list[datetime.date]] = {}
    for credit in Credit.objects.filter(
        organization__in=targets, year=year,
    ).exclude(activity__status=ActivityStatus.CANCELLED).values_list("organization_id", "code", "on"):
        have.setdefault((credit[0], credit[1]), []).append(credit[2])
    created = []
    for org in targets:
        for t in rulebook.types_for(org.kind):
            if t.cadence is None:
                continue
            for period in periods_of_year(t.cadence.per, year):
                if period.end < today:
                    continue  # nothing to plan in a period that is over
                have_dates = have.get((org.pk, t.code), [])
                already = len(have_dates) if t.yearly else sum(1 for d in have_dates if d in period)
                span = _yearly_span(t, period, today) if t.yearly else period
                for i in range(already, t.cadence.count):
                    day = _plan_date(span, i, t.cadence.count, today)
                    starts = datetime.datetime.combine(day, datetime.time(14, 30), tzinfo=tz)
                    created.append(activity_schedule(
                        by=by, organization=org, types=[t.code],
                        title=f"{period.label} {t.name}", starts_at=starts,
                        date_confirmed=False, source=ActivitySource.PLAN, notify=False,
                        covers_year=year if t.yearly else None,
                    ))
    return created
