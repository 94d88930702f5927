"""Who may see and change an activity, registered with the one policy (`core.permissions`):

- an activity is visible to those who read its host organization or a co-organizer, and to
  everyone on its attendance list (a Youth League member invited to a joint activity);
- managers of the host organization schedule, edit, mark attendance and amend (`manage`);
- the recorder and the host also mark attendance and write the minutes (`record`);
- the host approves them or sends them back (`approve`; the managers when no host is set).

An election record (`Election`) is visible with its meeting; those who `record` the meeting
record the election and report it (`record`); the committee above approves it (`approve`: the
managers or the office staff of an organization above the branch, never the branch itself).

Ask through core: `permissions.visible(user, Activity)`, `permissions.get_or_404(user, Activity,
pk)`, `permissions.can(user, "approve", activity)`.
"""

from django.db.models import Q, QuerySet

from branchwork.activities.models import Activity, Election
from branchwork.core import permissions


def visible_activities(user, within: Q | None = None) -> QuerySet[Activity]:
    """The activities the user may see; with `within` (`permissions.visible(user, Activity,
    within=…)`), those of them matching it, with `within` asked inside the permission subquery
    too, so that the database works the rule out for those rows only (/my/'s "waiting for me":
    the activities a person records or hosts), not for every activity the user may see."""
    reader = permissions.reader(user)
    qs = Activity.objects.all() if within is None else Activity.objects.filter(within)
    if reader.is_superuser:
        return qs
    q = permissions.org_filter(reader.read_paths, prefix="organization__")
    co = permissions.org_filter(reader.read_paths, prefix="co_organizers__")
    if co is not None:
        q = q | co
    if reader.person_id is not None:
        mine = Q(attendance__person_id=reader.person_id)
        q = mine if q is None else q | mine
    if q is None:
        return qs.none()
    readable = Activity.objects.all() if within is None else Activity.objects.filter(within)
    return qs.filter(pk__in=readable.filter(q).values("pk"))


def can_manage(user, activity: Activity) -> bool:
    """Schedule, change, cancel, amend: the host organization's managers."""
    return permissions.can_manage_org(user, activity.organization)


def can_record(user, activity: Activity) -> bool:
    """Mark attendance and write minutes: managers, the recorder and the host."""
    person_id = permissions.reader(user).person_id
    return can_manage(user, activity) or (
        person_id is not None and person_id in (activity.recorder_id, activity.host_id)
    )


def can_approve(user, activity: Activity) -> bool:
    """Approve or send back the minutes: the host (the organization's managers when none is set)."""
    reader = permissions.reader(user)
    if reader.is_superuser:
        return True
    if activity.host_id is not None:
        return reader.person_id == activity.host_id
    return can_manage(user, activity)


def visible_elections(user) -> QuerySet[Election]:
    return Election.objects.filter(activity__in=visible_activities(user))


def can_record_election(user, election: Election) -> bool:
    return can_record(user, election.activity)


def can_approve_election(user, election: Election) -> bool:
    """The committee above the branch approves its election: its managers or its office staff
    (an organization strictly above the branch)."""
    reader = permissions.reader(user)
    path = election.organization.path
    return reader.is_superuser or any(
        path.startswith(p) and path != p for p in (*reader.manage_paths, *reader.staff_paths))


def register() -> None:
    permissions.register(
        Activity,
        visible=visible_activities,
        visible_within=visible_activities,
        detail=lambda qs: qs.select_related("organization", "host", "recorder", "lecturer"),
        manage=can_manage,
        record=can_record,
        approve=can_approve,
    )
    permissions.register(
        Election,
        visible=visible_elections,
        detail=lambda qs: qs.select_related("organization", "activity__organization"),
        record=can_record_election,
        approve=can_approve_election,
    )
