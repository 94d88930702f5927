"""Scheduling an activity, changing, cancelling and deleting it."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.activities.models import (
    Activity,
    ActivitySource,
    ActivityStatus,
    ActivityTypeTag,
    AttendanceStatus,
)
from branchwork.activities.services.common import (
    _LOCKED_MESSAGE,
    EDITABLE_FIELDS,
    OPEN_STATES,
    VERSIONED_FIELDS,
    _as,
    _check_types,
    _check_version,
    _check_yearly_fields,
    _lock,
    _revision,
)
from branchwork.activities.services.expected import _sync_expected, recompute_credits
from branchwork.core import audit
from branchwork.core.conflicts import Conflict
from branchwork.core.models import (
    Organization,
    Person,
)
from branchwork.core.richtext import clean_rich_text

# --- Scheduling ---


@transaction.atomic
def activity_schedule(
    *,
    by,
    organization: Organization,
    types: Sequence[str],
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    place: str = "",
    host: Person | None = None,
    recorder: Person | None = None,
    lecturer: Person | None = None,
    lecturer_name: str = "",
    agenda: str = "",
    co_organizers: Sequence[Organization] = (),
    session_number: int | None = None,
    date_confirmed: bool = True,
    source: str = ActivitySource.WEB,
    notify: bool = True,
    covers_year: int | None = None,
    contents: Sequence[str] = (),
    paper_signed_on: datetime.date | None = None,
) -> Activity:
    codes = _check_types(types)
    if ends_at is not None and ends_at < starts_at:
        raise ValidationError({"ends_at": _("The end is before the start.")})
    co = [o for o in co_organizers if o.pk != organization.pk]
    activity = Activity(
        organization=organization, title=title.strip(), starts_at=starts_at, ends_at=ends_at,
        place=place.strip(), host=host, recorder=recorder, lecturer=lecturer,
        lecturer_name=lecturer_name.strip(), agenda=agenda.strip(), session_number=session_number,
        date_confirmed=date_confirmed, source=source, covers_year=covers_year,
        contents=list(dict.fromkeys(contents)), paper_signed_on=paper_signed_on,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    activity.full_clean(exclude=["latest_revision", "minutes"])
    _check_yearly_fields(activity, codes)
    with _as(by):
        activity.save()
        activity.co_organizers.set(co)
        audit.bulk_create(ActivityTypeTag, [ActivityTypeTag(activity=activity, code=c) for c in codes],
                          organization_id=activity.organization_id)
        _sync_expected(activity)
        recompute_credits(activity)
        _revision(activity, by, "wagtail.create")
    if notify and date_confirmed and activity.starts_at > timezone.now():
        from branchwork.activities import notifications

        transaction.on_commit(lambda: notifications.enqueue_notice(activity.pk))
    return activity


@transaction.atomic
def activity_update(
    *, by, activity: Activity, types: Sequence[str] | None = None,
    co_organizers: Sequence[Organization] | None = None, notify: bool = True,
    version: int | None = None, **changes,
) -> Activity:
    """Change a record that is still a draft (a locked one changes only by amendment)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"activity_update() cannot change {', '.join(sorted(unknown))}")
    _lock(activity, OPEN_STATES, _LOCKED_MESSAGE)
    _check_version(activity, version)
    old_start, old_confirmed = activity.starts_at, activity.date_confirmed
    if "minutes" in changes:
        changes["minutes"] = clean_rich_text(changes["minutes"])
    for name, value in changes.items():
        value = value.strip() if isinstance(value, str) and name != "minutes" else value
        if name in VERSIONED_FIELDS and value != getattr(activity, name):
            activity.minutes_version += 1
        setattr(activity, name, value)
    if activity.ends_at is not None and activity.ends_at < activity.starts_at:
        raise ValidationError({"ends_at": _("The end is before the start.")})
    activity.full_clean(exclude=["latest_revision"])
    _check_yearly_fields(activity, _check_types(types) if types is not None else activity.type_codes)
    with _as(by):
        activity.save()
        if types is not None:
            codes = _check_types(types)
            ActivityTypeTag.objects.filter(activity=activity).exclude(code__in=codes).delete()
            have = set(activity.type_tags.values_list("code", flat=True))
            audit.bulk_create(
                ActivityTypeTag, [ActivityTypeTag(activity=activity, code=c) for c in codes if c not in have],
                organization_id=activity.organization_id)
        if co_organizers is not None:
            activity.co_organizers.set([o for o in co_organizers if o.pk != activity.organization_id])
        activity = Activity.objects.get(pk=activity.pk)  # fresh relations
        if activity.status == ActivityStatus.PLANNED:
            _sync_expected(activity)
        recompute_credits(activity)
        _revision(activity, by, "wagtail.edit")
    moved = activity.starts_at != old_start or (activity.date_confirmed and not old_confirmed)
    if notify and moved and activity.date_confirmed and activity.starts_at > timezone.now():
        from branchwork.activities import notifications

        transaction.on_commit(lambda: notifications.enqueue_notice(activity.pk))
    return activity


@transaction.atomic
def activity_cancel(*, by, activity: Activity) -> Activity:
    _lock(activity, (ActivityStatus.PLANNED,), _("Only a planned activity can be cancelled."))
    with _as(by):
        activity.status = ActivityStatus.CANCELLED
        activity.save(update_fields=["status", "updated_at"])
        recompute_credits(activity)
        _revision(activity, by, "branchwork.cancel")
    return activity


@transaction.atomic
def activity_delete(*, by, activity: Activity) -> None:
    """Only a planned activity that nobody has checked in to may be deleted outright."""
    refused = _("Only a planned activity without attendance can be deleted.")
    _lock(activity, (ActivityStatus.PLANNED,), refused)
    if activity.attendance.exclude(status=AttendanceStatus.UNMARKED).exists():
        raise Conflict(refused)
    with _as(by):
        activity.delete()


