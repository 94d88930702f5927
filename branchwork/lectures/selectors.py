"""Reads of the lecture hall, each in a fixed number of queries however many talks there are.

Who reads and who changes talks and series is the lecture hall's rules
(`lectures/permissions.py`), asked through core.permissions: the readers of their organization's
internal content read them; its editors and managers change them. A talk's activity is shown to
those who may see that activity.
"""

from __future__ import annotations

from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from branchwork.activities.models import Activity
from branchwork.core import permissions, prepared
from branchwork.lectures.models import LectureSeries, Talk


def require_reader(user) -> None:
    if not permissions.can(user, "read", Talk):
        raise Http404("No lecture hall here")


def talks(user) -> QuerySet[Talk]:
    """The talks this user reads."""
    return permissions.visible(user, Talk).with_list_data()


def upcoming(user, limit: int | None = None) -> QuerySet[Talk]:
    qs = talks(user).filter(date__gte=timezone.localdate()).order_by("date", "pk")
    return qs[:limit] if limit else qs


def next_talks(user, limit: int = 5) -> list[Talk]:
    """The next `limit` talks the user reads (for /my/, on every request: compiled once per
    reader fingerprint, core/prepared.py), with what the panel shows of them."""
    return prepared.rows(
        ("lectures.next_talks", permissions.reader(user).fingerprint, limit),
        lambda today: permissions.visible(user, Talk).filter(date__gte=today).select_related("speaker")
        .only("date", "topic", "speaker_name", "speaker__name", "speaker__name_en", "speaker__name_native")
        .order_by("date", "pk")[:limit],
        today=timezone.localdate())


def past(user) -> QuerySet[Talk]:
    return talks(user).filter(date__lt=timezone.localdate()).order_by("-date", "-pk")


def series_list(user) -> QuerySet[LectureSeries]:
    """The series this user reads, with how many of their talks the user reads."""
    readable = permissions.internal_content_filter(user, prefix="talks__organization")
    if readable is None:
        return LectureSeries.objects.none()
    counted = readable if readable else None
    return (permissions.visible(user, LectureSeries).select_related("organization")
            .annotate(talk_count=Count("talks", filter=counted), first=Min("talks__date", filter=counted),
                      last=Max("talks__date", filter=counted))
            .order_by("title", "pk"))


def get_talk_or_404(user, talk_id) -> Talk:
    require_reader(user)
    return permissions.get_or_404(user, Talk, talk_id)


def get_series_or_404(user, series_id) -> LectureSeries:
    require_reader(user)
    return permissions.get_or_404(user, LectureSeries, series_id)


def visible_activity_ids(user, talk_list) -> set[int]:
    """Of the talks' activities, those this user may see (one query)."""
    ids = {t.activity_id for t in talk_list if t.activity_id}
    if not ids:
        return set()
    return set(permissions.visible(user, Activity).filter(pk__in=ids).values_list("pk", flat=True))


def mark(user, talk_list) -> list[Talk]:
    """Set `.activity_visible` and `.can_edit` on each talk (no query per talk)."""
    talk_list = list(talk_list)
    visible = visible_activity_ids(user, talk_list)
    for talk in talk_list:
        talk.activity_visible = talk.activity_id in visible
        talk.can_edit = permissions.can(user, "edit", talk)
    return talk_list


def study_activities(user, organization=None):
    """Collective studies a talk may be linked to: those the user sees, newest first."""
    qs = permissions.visible(user, Activity).filter(type_tags__code="collective_study")
    since = timezone.localdate().replace(month=1, day=1).replace(year=timezone.localdate().year - 2)
    qs = qs.filter(starts_at__date__gte=since)
    if organization is not None:
        qs = qs.filter(Q(organization=organization) | Q(co_organizers=organization))
    return qs.select_related("organization").distinct().order_by("-starts_at", "-pk")
