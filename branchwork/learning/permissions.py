"""Who reads and who changes learning records, registered with the one policy
(`core.permissions`):

- study plans, their items and training courses are read like internal content of their
  organization (its readers and the members of the organizations under it); its managers
  change them;
- a study note is read by its author and by the secretary of its organization; by the other
  members of that organization (those holding a role in it today) once the author shares it;
  nobody else, the committee's staff and superusers included: it is the member's own writing;
- external training is read by the member who submitted it and by the secretaries (secretary,
  deputy secretary) of its organization, who approve it; never by the member themselves;
  returned, it is corrected and submitted again by its member alone;
- an organization's training hours (who is short) are read by its secretaries only.
"""

from django.db.models import Q, QuerySet

from branchwork.core import permissions
from branchwork.core.models import Membership, Organization, Role
from branchwork.learning.models import (
    ExternalTraining,
    StudyNote,
    StudyPlan,
    StudyPlanItem,
    TrainingCourse,
)

_CACHE = "_learning_secretaries"
SECRETARY_ROLES = (Role.SECRETARY, Role.DEPUTY_SECRETARY)


def _secretaryships(user) -> list[tuple[int, str]]:
    """(organization id, role) of the user's current secretary and deputy roles (one query,
    kept with the request's reader)."""
    access = permissions.reader(user)
    cached = getattr(access, _CACHE, None)
    if cached is None:
        cached = []
        if access.person_id is not None:
            cached = list(Membership.objects.current()
                          .filter(person_id=access.person_id, role__in=SECRETARY_ROLES,
                                  organization__is_active=True)
                          .values_list("organization_id", "role"))
        setattr(access, _CACHE, cached)
    return cached


def secretary_of(user) -> set[int]:
    """Organizations whose secretary the user is today."""
    return {org for org, role in _secretaryships(user) if role == Role.SECRETARY}


def secretaries_of(user) -> set[int]:
    """Organizations whose secretary or deputy secretary the user is today."""
    return {org for org, _role in _secretaryships(user)}


def can_see_hours_of(user, org: Organization | None) -> bool:
    return org is not None and org.pk in secretaries_of(user)


# --- Plans, items, courses ---


def readable_plans(user) -> QuerySet[StudyPlan]:
    return permissions.internal_content(user, StudyPlan.objects.all())


def readable_items(user) -> QuerySet[StudyPlanItem]:
    return StudyPlanItem.objects.filter(plan__in=readable_plans(user))


def readable_courses(user) -> QuerySet[TrainingCourse]:
    return permissions.internal_content(user, TrainingCourse.objects.all())


def can_read_plan(user, obj) -> bool:
    if obj is None:
        return permissions.can_read_internal_content(user)
    plan = obj.plan if isinstance(obj, StudyPlanItem) else obj
    return permissions.can_read_internal_of(user, plan.organization)


def can_manage_plan(user, obj) -> bool:
    if obj is None:
        return permissions.managed_organizations(user).exists()
    plan = obj.plan if isinstance(obj, StudyPlanItem) else obj
    return permissions.can_manage_org(user, plan.organization)


def can_read_course(user, course) -> bool:
    if course is None:
        return permissions.can_read_internal_content(user)
    return permissions.can_read_internal_of(user, course.organization)


def can_manage_course(user, course) -> bool:
    if course is None:
        return permissions.managed_organizations(user).exists()
    return permissions.can_manage_org(user, course.organization)


# --- Notes ---


def visible_notes(user) -> QuerySet[StudyNote]:
    access = permissions.reader(user)
    if access.person_id is None:
        return StudyNote.objects.none()
    q = Q(person_id=access.person_id) | Q(organization_id__in=secretary_of(user))
    if access.read_paths:
        # Shared with the branch: with those who hold a role in that organization itself.
        q |= Q(shared=True, organization__path__in=access.read_paths)
    return StudyNote.objects.filter(q)


def can_edit_note(user, note) -> bool:
    if note is None:
        return permissions.reader(user).person_id is not None
    return note.person_id == permissions.reader(user).person_id


# --- External training ---


def visible_training(user) -> QuerySet[ExternalTraining]:
    access = permissions.reader(user)
    if access.person_id is None:
        return ExternalTraining.objects.none()
    return ExternalTraining.objects.filter(
        Q(person_id=access.person_id) | Q(organization_id__in=secretaries_of(user)))


def can_decide_training(user, training) -> bool:
    """The secretaries of its organization approve or return it, never the member who
    submitted it (a secretary's own goes to the deputy, and the other way round)."""
    if training is None:
        return bool(secretaries_of(user))
    return (training.organization_id in secretaries_of(user)
            and training.person_id != permissions.reader(user).person_id)


def can_resubmit_training(user, training) -> bool:
    """Returned training is corrected and submitted again by the member who submitted it."""
    if training is None:
        return permissions.reader(user).person_id is not None
    return training.person_id == permissions.reader(user).person_id


def register() -> None:
    permissions.register(StudyPlan, visible=readable_plans,
                         detail=lambda qs: qs.select_related("organization"),
                         read=can_read_plan, manage=can_manage_plan)
    permissions.register(StudyPlanItem, visible=readable_items,
                         detail=lambda qs: qs.select_related("plan__organization"),
                         read=can_read_plan, manage=can_manage_plan)
    permissions.register(TrainingCourse, visible=readable_courses,
                         detail=lambda qs: qs.select_related("organization"),
                         read=can_read_course, manage=can_manage_course)
    permissions.register(StudyNote, visible=visible_notes,
                         detail=lambda qs: qs.select_related("person", "organization", "item__plan"),
                         edit=can_edit_note)
    permissions.register(ExternalTraining, visible=visible_training,
                         detail=lambda qs: qs.select_related("person", "organization"),
                         decide=can_decide_training, resubmit=can_resubmit_training)
    permissions.extend(Organization, see_training_hours=can_see_hours_of)
