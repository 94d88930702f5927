"""What an activity's page reads, by SQL compiled once per shape (core/prepared.py).

The page is asked on every visit of a member; building its dozen querysets and compiling them to
SQL cost about half of the request (measured on the demo), several times what the database
spends answering them. Here each is built once with stand-in values and then only asked again
with the activity's id: the same rows, the same model instances.

- `visible_activity(user, activity_id)`: the activity with everything its page names, if the user
  may see it (the permission clause is `permissions.visible(user, Activity, within=…)`, the one
  rule; its SQL is kept per reader fingerprint).
- `parts(activity)`: its attendance, attachments, resolutions, amendments, quorum credits,
  co-organizers, elections, type tags and the number of saved versions, each a list (the type
  tags are also put where `activity.type_labels` finds them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, Count, Q, QuerySet, Value
from django.db.models.functions import Cast
from wagtail.models import Revision

from branchwork.activities.models import (
    Activity,
    ActivityTypeTag,
    Amendment,
    Attachment,
    Attendance,
    Credit,
    Election,
    Resolution,
)
from branchwork.core import permissions, prepared
from branchwork.core.models import Organization

# Larger ids match nothing (and SQLite refuses integers past 64 bits).
MAX_ID = 2**63 - 1


def visible_activity(user, activity_id: int) -> Activity | None:
    """The activity `activity_id` with its organization, host, recorder, lecturer and who
    submitted and approved it (with their people), if `user` may see it; None otherwise."""
    if not 0 < activity_id <= MAX_ID:
        return None
    rows = prepared.rows(
        ("activities.record_page.activity", permissions.reader(user).fingerprint),
        lambda activity_id: permissions.visible(user, Activity, within=Q(pk=activity_id))
        .select_related("organization", "host", "recorder", "lecturer",
                        "submitted_by__person", "locked_by__person"),
        activity_id=activity_id)
    return rows[0] if rows else None


@dataclass
class Parts:
    attendance: list
    attachments: list
    resolutions: list
    amendments: list
    credits: list
    co_organizers: list
    elections: list
    revisions: int


def _attendance(activity_id):
    return Attendance.objects.filter(activity_id=activity_id).select_related("person", "organization")


def _attachments(activity_id):
    return Attachment.objects.filter(activity_id=activity_id)


def _resolutions(activity_id):
    return Resolution.objects.filter(activity_id=activity_id).select_related("subject_person")


def _amendments(activity_id):
    return Amendment.objects.filter(activity_id=activity_id).select_related("by__person")


def _credits(activity_id):
    return (Credit.objects.filter(activity_id=activity_id).select_related("organization")
            .order_by("organization_id", "code"))


def _co_organizers(activity_id):
    return Organization.objects.filter(co_organized_activities=activity_id)


def _elections(activity_id):
    return Election.objects.filter(activity_id=activity_id)


def _type_tags(activity_id):
    return ActivityTypeTag.objects.filter(activity_id=activity_id)


def _revisions(content_type_id, activity_id):
    # As `activity.revisions.count()` (the revision keeps the object's key as text), grouped so
    # that the count is a row: none when there is no saved version.
    return (Revision.objects.filter(base_content_type_id=content_type_id,
                                    object_id=Cast(Value(activity_id), CharField()))
            .order_by().values("base_content_type_id").annotate(n=Count("pk")).values_list("n", flat=True))


def _rows(name, build, activity, model=None):
    """`build(activity_id)`'s rows; with `model` (whose `activity` key points to the page's),
    each row's activity is the page's, as its related manager would give it."""
    rows = prepared.rows(f"activities.record_page.{name}", build, activity_id=activity.pk)
    if model is not None:
        field = model._meta.get_field("activity")
        for row in rows:
            field.set_cached_value(row, activity)
    return rows


def parts(activity: Activity) -> Parts:
    """What the page lists of `activity` (see the module's docstring)."""
    # The type tags where prefetch_related("type_tags") would leave them: `activity.type_codes`
    # and `type_labels` read them without a query.
    type_tags = _rows("type_tags", _type_tags, activity, ActivityTypeTag)
    cached = QuerySet(ActivityTypeTag)
    cached._result_cache, cached._prefetch_done = type_tags, True
    activity._prefetched_objects_cache = {**getattr(activity, "_prefetched_objects_cache", {}),
                                          "type_tags": cached}
    revisions = prepared.rows("activities.record_page.revisions", _revisions,
                              content_type_id=activity.get_base_content_type().pk, activity_id=activity.pk)
    return Parts(
        attendance=_rows("attendance", _attendance, activity, Attendance),
        attachments=_rows("attachments", _attachments, activity, Attachment),
        resolutions=_rows("resolutions", _resolutions, activity, Resolution),
        amendments=_rows("amendments", _amendments, activity, Amendment),
        credits=_rows("credits", _credits, activity, Credit),
        co_organizers=_rows("co_organizers", _co_organizers, activity),
        elections=_rows("elections", _elections, activity, Election),
        revisions=revisions[0] if revisions else 0,
    )
