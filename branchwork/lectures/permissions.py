"""Who reads and who changes the lecture hall, registered with the one policy
(`core.permissions`):

- talks and series are read by the readers of the internal content of their organization
  (`core.permissions.can_read_internal_of`: its members, those of the organizations under and
  above it); `permissions.can(user, "read", Talk)` asks whether the user reads any (the menu);
- editors of the organization (or of one above it) and its managers change them (`edit`).

A talk's activity is shown only to those who may see that activity (the activity's own rules).
"""

from django.db.models import QuerySet

from branchwork.core import permissions
from branchwork.lectures.models import LectureSeries, Talk


def readable_talks(user) -> QuerySet[Talk]:
    return permissions.internal_content(user, Talk.objects.all())


def readable_series(user) -> QuerySet[LectureSeries]:
    return permissions.internal_content(user, LectureSeries.objects.all())


def can_read(user, obj: Talk | LectureSeries | None) -> bool:
    if obj is None:
        return permissions.can_read_internal_content(user)
    return permissions.can_read_internal_of(user, obj.organization)


def can_edit(user, obj: Talk | LectureSeries) -> bool:
    return permissions.can_edit_publications_of(user, obj.organization)


def register() -> None:
    permissions.register(Talk, visible=readable_talks, detail=lambda qs: qs.with_list_data(),
                         read=can_read, edit=can_edit)
    permissions.register(LectureSeries, visible=readable_series,
                         detail=lambda qs: qs.select_related("organization"),
                         read=can_read, edit=can_edit)
