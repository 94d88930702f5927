"""Who sees and who records research work, registered with the one policy (`core.permissions`).

- Topics and outputs belong to an organization; those who read it (a role in it or above it, the
  committee office's staff above it) see them. Outsiders get 404.
- A restricted output is seen only by its authors, its named readers, the research coordinator
  and the managers of its organization (or above), and the committee office's staff; the others
  who read the organization get 404 for it. Authors see their outputs wherever they belong.
- Recording (topics, outputs, submissions, instructions, publications) is for the research
  coordinator (Role.RESEARCH_COORDINATOR) and the managers of the organization or above it;
  the authors edit their output's text and files too.
- The text and scan of an instruction are read by the authors, the research coordinator, the
  secretary of the organization (or above it) and the committee office's staff. Everyone else
  who sees the output sees that an instruction exists and its level. A follow-up is read by those
  and by its owner.
- The list of outlets is read by any member of the institution; research coordinators keep it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from branchwork.core import permissions
from branchwork.core.models import Membership, Organization, Role
from branchwork.research.models import Classification, FollowUp, Instruction, Outlet, Output, Topic

_ROLE_CACHE = "research_role_paths"


def _role_paths(user, role: str) -> list[str]:
    """Paths of the organizations where the user holds `role` today (cached on the reader)."""
    access = permissions.reader(user)
    cache = getattr(access, _ROLE_CACHE, None)
    if cache is None:
        cache = {}
        if access.person_id is not None:
            for org_path, held in (Membership.objects.current()
                                   .filter(person_id=access.person_id, organization__is_active=True,
                                           role__in=[Role.RESEARCH_COORDINATOR, Role.SECRETARY])
                                   .values_list("organization__path", "role")):
                cache.setdefault(held, []).append(org_path)
        setattr(access, _ROLE_CACHE, cache)
    return cache.get(role, [])


def _under(org: Organization, paths: list[str]) -> bool:
    return any(org.path.startswith(p) for p in paths)


def recorder_paths(user) -> list[str]:
    access = permissions.reader(user)
    return access.manage_paths + _role_paths(user, Role.RESEARCH_COORDINATOR)


def can_record_in(user, org: Organization | None) -> bool:
    """May the user record research work of `org` (None: of any organization)?"""
    if permissions.reader(user).is_superuser:
        return True
    paths = recorder_paths(user)
    return bool(paths) if org is None else _under(org, paths)


def recording_organizations(user) -> QuerySet[Organization]:
    qs = Organization.objects.filter(is_active=True)
    if permissions.reader(user).is_superuser:
        return qs
    q = permissions.org_filter(recorder_paths(user))
    return qs.filter(q) if q is not None else qs.none()


def _privileged_paths(user) -> list[str]:
    """Where the user sees restricted outputs: recorders and the committee office's staff."""
    return recorder_paths(user) + permissions.reader(user).staff_paths


def visible_outputs(user) -> QuerySet[Output]:
    access = permissions.reader(user)
    qs = Output.objects.all()
    if access.is_superuser:
        return qs
    q = None
    readable = permissions.org_filter(access.read_paths, prefix="organization__")
    if readable is not None:
        q = readable & ~Q(classification=Classification.RESTRICTED)
    privileged = permissions.org_filter(_privileged_paths(user), prefix="organization__")
    if privileged is not None:
        q = privileged if q is None else q | privileged
    if access.person_id is not None:
        own = Q(authors__person_id=access.person_id) | Q(readers__id=access.person_id)
        q = own if q is None else q | own
    if q is None:
        return qs.none()
    return qs.filter(pk__in=Output.objects.filter(q).values("pk"))


def visible_topics(user) -> QuerySet[Topic]:
    access = permissions.reader(user)
    qs = Topic.objects.all()
    if access.is_superuser:
        return qs
    q = permissions.org_filter(access.read_paths, prefix="organization__")
    if access.person_id is not None:
        own = Q(lead_id=access.person_id) | Q(members__person_id=access.person_id)
        q = own if q is None else q | own
    if q is None:
        return qs.none()
    return qs.filter(pk__in=Topic.objects.filter(q).values("pk"))


def _is_author(user, output: Output) -> bool:
    person_id = permissions.reader(user).person_id
    if person_id is None:
        return False
    authors = getattr(output, "_prefetched_objects_cache", {}).get("authors")
    if authors is not None:
        return any(a.person_id == person_id for a in authors)
    return output.authors.filter(person_id=person_id).exists()


def can_record(user, obj: Output | Topic | None) -> bool:
    return can_record_in(user, None if obj is None else obj.organization)


def can_edit_output(user, output: Output | None) -> bool:
    """Change an output's text and files: its recorders and its authors."""
    if output is None:
        return can_record_in(user, None)
    return can_record_in(user, output.organization) or _is_author(user, output)


def can_read_instruction(user, output: Output | None) -> bool:
    """Read the text and scan of the instructions on `output`."""
    access = permissions.reader(user)
    if access.is_superuser:
        return True
    if output is None:
        return False
    org = output.organization
    return (_under(org, _role_paths(user, Role.RESEARCH_COORDINATOR))
            or _under(org, _role_paths(user, Role.SECRETARY))
            or _under(org, access.staff_paths)
            or _is_author(user, output))


def can_read_follow_up(user, follow_up: FollowUp) -> bool:
    person_id = permissions.reader(user).person_id
    return ((person_id is not None and follow_up.owner_id == person_id)
            or can_read_instruction(user, follow_up.instruction.submission.output))


def visible_instructions(user) -> QuerySet[Instruction]:
    return Instruction.objects.filter(submission__output__in=visible_outputs(user))


def can_read_outlets(user, obj=None) -> bool:
    return permissions.can_read_internal_content(user)


def can_keep_outlets(user, obj=None) -> bool:
    return can_record_in(user, None)


def visible_outlets(user) -> QuerySet[Outlet]:
    return Outlet.objects.all() if can_read_outlets(user) else Outlet.objects.none()


def register() -> None:
    permissions.register(
        Output, visible=visible_outputs,
        detail=lambda qs: qs.select_related("kind", "organization", "topic", "created_by"),
        record=can_record, edit=can_edit_output, read_instruction=can_read_instruction,
    )
    permissions.register(Topic, visible=visible_topics,
                         detail=lambda qs: qs.select_related("organization", "lead"),
                         record=can_record)
    permissions.register(Instruction, visible=visible_instructions)
    permissions.register(Outlet, visible=visible_outlets, read=can_read_outlets, keep=can_keep_outlets)
