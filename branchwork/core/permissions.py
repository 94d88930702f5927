"""The permission policy: one answer to "may this user see (or manage) this?".

Every view and every API endpoint asks here. The rules:

- Superusers see and manage everything.
- A person's roles that are current today decide the rest:
  - any role in an organization lets them read it and the organizations under it (a member of a
    branch reads the branch and its Party groups);
  - secretary, deputy secretary and committee member manage it and the organizations under it;
  - the committee office's staff read the committee and everything under it.
- People are visible where one of their memberships (current or past) is in a readable
  organization; everyone sees themselves.
- Anonymous users see nothing here; only public portal content (publishing) is open to them.

Outsiders get 404, never 403: the existence of a record is itself not theirs to know.
"""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from branchwork.core.models import (
    MANAGING_ROLES,
    AuditEntry,
    Membership,
    Organization,
    OrganizationKind,
    Person,
    Role,
)

_CACHE_ATTR = "_branchwork_access"


class _Access:
    """What one user may read and manage, computed once per request (cached on the user): one
    query for a person with current roles (their person, organizations and roles together; the
    person is kept on the user, where templates and views find it)."""

    def __init__(self, user):
        self.is_superuser = bool(user.is_authenticated and user.is_active and user.is_superuser)
        self.person_id = None
        self.read_paths: list[str] = []
        self.manage_paths: list[str] = []
        self.staff_paths: list[str] = []  # where they are the committee office's staff
        # A member of the institution: a current role in one of its own active organizations
        # (not in a brother unit's branch).
        self.is_member = False
        if not user.is_authenticated or not user.is_active:
            return
        memberships = list(
            Membership.objects.current()
            .filter(person__user_id=user.pk, organization__is_active=True)
            .select_related("person", "organization")
        )
        if memberships:
            person = memberships[0].person
            Person._meta.get_field("user").remote_field.set_cached_value(user, person)
        else:  # no current role: still a person, who sees themselves
            try:
                person = user.person
            except Person.DoesNotExist:
                return
        self.person_id = person.pk
        for membership in memberships:
            path = membership.organization.path
            self.read_paths.append(path)
            if membership.role in MANAGING_ROLES:
                self.manage_paths.append(path)
            if membership.role == Role.STAFF:
                self.staff_paths.append(path)
            if membership.organization.kind != OrganizationKind.EXTERNAL_BRANCH:
                self.is_member = True

    @staticmethod
    def org_filter(paths: list[str], prefix: str = "") -> Q | None:
        """Organizations at or under any of `paths` (materialized paths of the tree)."""
        if not paths:
            return None
        return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in paths))


def _access(user) -> _Access:
    access = getattr(user, _CACHE_ATTR, None)
    if access is None:
        access = _Access(user)
        try:
            setattr(user, _CACHE_ATTR, access)
        except AttributeError:  # AnonymousUser is shared; computing again is cheap
            pass
    return access


def forget(user) -> None:
    """Drop the cached answer (after the user's roles changed within the same request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


# --- Organizations ---


def visible_organizations(user) -> QuerySet[Organization]:
    access = _access(user)
    qs = Organization.objects.all()
    if access.is_superuser:
        return qs
    q = access.org_filter(access.read_paths)
    return qs.filter(q) if q is not None else qs.none()


def managed_organizations(user) -> QuerySet[Organization]:
    access = _access(user)
    qs = Organization.objects.all()
    if access.is_superuser:
        return qs
    q = access.org_filter(access.manage_paths)
    return qs.filter(q) if q is not None else qs.none()


def can_see_org(user, org: Organization) -> bool:
    access = _access(user)
    return access.is_superuser or any(org.path.startswith(p) for p in access.read_paths)


def can_manage_org(user, org: Organization) -> bool:
    access = _access(user)
    return access.is_superuser or any(org.path.startswith(p) for p in access.manage_paths)


def can_create_org_under(user, parent: Organization | None) -> bool:
    """Managers create organizations under theirs; the top level belongs to superusers alone."""
    if parent is None:
        return _access(user).is_superuser
    return can_manage_org(user, parent)


def get_org_or_404(user, code: str, *, manage: bool = False) -> Organization:
    qs = managed_organizations(user) if manage else visible_organizations(user)
    try:
        return qs.select_related("unit").get(code=code)
    except Organization.DoesNotExist:
        raise Http404("No such organization") from None


# --- People ---


def visible_people(user) -> QuerySet[Person]:
    access = _access(user)
    qs = Person.objects.all()
    if access.is_superuser:
        return qs
    q = access.org_filter(access.read_paths, prefix="memberships__organization__")
    if access.person_id is not None:
        q = Q(pk=access.person_id) if q is None else q | Q(pk=access.person_id)
    if q is None:
        return qs.none()
    return qs.filter(pk__in=Person.objects.filter(q).values("pk"))


def manageable_people(user) -> QuerySet[Person]:
    access = _access(user)
    qs = Person.objects.all()
    if access.is_superuser:
        return qs
    q = access.org_filter(access.manage_paths, prefix="memberships__organization__")
    if q is None:
        return qs.none()
    return qs.filter(pk__in=Person.objects.filter(q).values("pk"))


def can_manage_person(user, person: Person) -> bool:
    return manageable_people(user).filter(pk=person.pk).exists()


def get_person_or_404(user, person_id, *, manage: bool = False) -> Person:
    qs = manageable_people(user) if manage else visible_people(user)
    try:
        return qs.select_related("unit", "user").get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("No such person") from None


# --- Roles ---


def visible_memberships(user) -> QuerySet[Membership]:
    """Role records a user may read: those in organizations they read, and their own."""
    access = _access(user)
    qs = Membership.objects.all()
    if access.is_superuser:
        return qs
    q = access.org_filter(access.read_paths, prefix="organization__")
    if access.person_id is not None:
        q = Q(person_id=access.person_id) if q is None else q | Q(person_id=access.person_id)
    return qs.filter(q) if q is not None else qs.none()


def managed_memberships(user) -> QuerySet[Membership]:
    access = _access(user)
    qs = Membership.objects.all()
    if access.is_superuser:
        return qs
    q = access.org_filter(access.manage_paths, prefix="organization__")
    return qs.filter(q) if q is not None else qs.none()


def get_membership_or_404(user, org: Organization, membership_id) -> Membership:
    try:
        return managed_memberships(user).select_related("person", "organization").get(
            pk=membership_id, organization=org
        )
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404("No such role") from None


# --- Audit trail ---


def visible_audit_entries(user) -> QuerySet[AuditEntry]:
    """Secretaries and committee members read the trail of the organizations they manage."""
    access = _access(user)
    qs = AuditEntry.objects.all()
    if access.is_superuser:
        return qs
    q = access.org_filter(access.manage_paths, prefix="organization__")
    return qs.filter(q) if q is not None else qs.none()


# --- Activities (organizational life) ---
# The models live in the activities app; core imports no other app, so they are looked up by
# name. The rules:
# - an activity is visible to those who read its host organization or a co-organizer, and to
#   everyone on its attendance list (a Youth League member invited to a joint activity);
# - managers of the host organization schedule, edit, mark attendance and amend;
# - the recorder also marks attendance and writes the minutes; the host approves them.


def _activity_model():
    from django.apps import apps

    return apps.get_model("activities", "Activity")


def visible_activities(user) -> QuerySet:
    Activity = _activity_model()
    access = _access(user)
    qs = Activity.objects.all()
    if access.is_superuser:
        return qs
    q = access.org_filter(access.read_paths, prefix="organization__")
    co = access.org_filter(access.read_paths, prefix="co_organizers__")
    if co is not None:
        q = q | co
    if access.person_id is not None:
        mine = Q(attendance__person_id=access.person_id)
        q = mine if q is None else q | mine
    if q is None:
        return qs.none()
    return qs.filter(pk__in=Activity.objects.filter(q).values("pk"))


def can_manage_activity(user, activity) -> bool:
    """Schedule, change, cancel, amend: the host organization's managers."""
    return can_manage_org(user, activity.organization)


def can_record_activity(user, activity) -> bool:
    """Mark attendance and write minutes: managers, the recorder and the host."""
    person_id = _access(user).person_id
    return can_manage_activity(user, activity) or (
        person_id is not None and person_id in (activity.recorder_id, activity.host_id)
    )


def can_approve_activity(user, activity) -> bool:
    """Approve or send back the minutes: the host (the organization's managers when none is set)."""
    access = _access(user)
    if access.is_superuser:
        return True
    if activity.host_id is not None:
        return access.person_id == activity.host_id
    return can_manage_activity(user, activity)


def get_activity_or_404(user, activity_id, *, org: Organization | None = None):
    Activity = _activity_model()
    qs = visible_activities(user).select_related("organization", "host", "recorder", "lecturer")
    try:
        activity = qs.get(pk=activity_id)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404("No such activity") from None
    if org is not None and activity.organization_id != org.pk:
        raise Http404("No such activity")
    return activity


# --- Ledgers (reports) ---


def can_export_ledger(user, org: Organization) -> bool:
    """Export an organization's ledger: those who manage it, and the committee office's staff
    reading it from above (a role of staff in it or an organization over it). Plain members
    read the records but do not take the whole year's member data away in a file."""
    if not can_see_org(user, org):
        return False
    if can_manage_org(user, org):
        return True
    return any(org.path.startswith(p) for p in _access(user).staff_paths)


# --- Internal publications: the journal and the lecture hall ---
# Read like internal portal content (`can_read_internal_of` below): a journal, a talk or a
# series belongs to an organization, and is read by that organization's readers of internal
# content; the views send the anonymous to the login page and answer 404 to the rest.
# Editors (the editor role in the owning organization or one above it) and the managers of the
# owning organization compose, publish and upload.


def can_read_journal(user, org: Organization | None = None) -> bool:
    """Read the journal of `org` (its published issues); without `org`: read some journal."""
    return can_read_internal_of(user, org) if org is not None else can_read_internal_content(user)


def can_read_lectures(user, org: Organization | None = None) -> bool:
    """Read the talks and series of `org` (slides, recordings); without `org`: read some."""
    return can_read_internal_of(user, org) if org is not None else can_read_internal_content(user)


def _editor_paths(user) -> list[str]:
    """Paths of the organizations where the user holds the editor role today (cached)."""
    from branchwork.core.models import Role

    access = _access(user)
    paths = getattr(access, "editor_paths", None)
    if paths is None:
        paths = []
        if access.person_id is not None:
            paths = list(
                Membership.objects.current()
                .filter(person_id=access.person_id, role=Role.EDITOR, organization__is_active=True)
                .values_list("organization__path", flat=True)
            )
        access.editor_paths = paths
    return paths


def can_edit_journal(user, org: Organization) -> bool:
    """Compose, change and publish the issues of a journal owned by `org` (or talks held by it):
    editors of `org` or of an organization above it, and those who manage `org`."""
    if can_manage_org(user, org):
        return True
    return any(org.path.startswith(p) for p in _editor_paths(user))


def can_edit_lectures(user, org: Organization) -> bool:
    return can_edit_journal(user, org)


def publication_organizations(user) -> QuerySet[Organization]:
    """Active organizations whose journal issues and talks the user may edit."""
    access = _access(user)
    qs = Organization.objects.filter(is_active=True)
    if access.is_superuser:
        return qs
    q = access.org_filter(access.manage_paths + _editor_paths(user))
    return qs.filter(q) if q is not None else qs.none()


# --- Internal content: portal articles, the journal, the lecture hall ---
# Internal content belongs to an organization (an article's, a journal's, a talk's). Who reads
# the internal content of organization X:
#   - those who read X (a role in X or above it; the committee office's staff for everything
#     under their committee): a branch's members read their branch's and its groups' content;
#   - the members of organizations under X: a branch's members read their committee's content;
#   - superusers.
# So a member of branch B (Carol) never reads branch A's internal articles, minutes, journal or
# talks, while both read what the committee above them publishes internally. Content with no
# organization belongs to the whole institution: every member reads it. A member here is a
# person with a current role in one of the institution's own active organizations; a brother
# unit's branch (an external branch, with which we only hold joint activities) does not count,
# nor does an account without a person, nor a person whose roles have all ended. Anonymous
# visitors are sent to log in.


def _internal_q(user, prefix: str = "") -> Q | None:
    """Organizations whose internal content the user reads (None: none; Q(): all)."""
    access = _access(user)
    if access.is_superuser:
        return Q()
    q = access.org_filter(access.read_paths, prefix=prefix)
    if q is None:
        return None
    above = {path[:i] for path in access.read_paths
             for i in range(Organization.steplen, len(path), Organization.steplen)}
    return q | Q(**{f"{prefix}path__in": sorted(above)}) if above else q


def can_read_internal_of(user, org: Organization | None) -> bool:
    """May this user read the internal content of `org` (None: of the whole institution)?"""
    if org is None:
        return can_read_internal_content(user)
    access = _access(user)
    return access.is_superuser or any(
        org.path.startswith(p) or p.startswith(org.path) for p in access.read_paths
    )


def internal_content_filter(user, prefix: str = "organization") -> Q | None:
    """A filter on a model with an `organization` foreign key (null: the whole institution) for
    the rows whose internal content the user reads; None when there are none."""
    q = _internal_q(user, prefix=f"{prefix}__")
    if q is not None and not q:  # a superuser
        return Q()
    if can_read_internal_content(user):
        whole = Q(**{f"{prefix}__isnull": True})
        return whole if q is None else q | whole
    return q


def can_read_internal_content(user) -> bool:
    """Is this user a member of the institution, who reads its organization-less internal
    content (and sees the journal and lecture hall in the menus)?"""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or _access(user).is_member


def may_use_back_office(user) -> bool:
    """Does the header offer the back office (Wagtail's admin)? As `user.has_perm(
    "wagtailadmin.access_admin")` answers (staff and superusers too), in one query instead of
    Django's two, on every page a logged-in user opens."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.is_staff:
        return True
    if hasattr(user, "_perm_cache"):  # already read in this request
        return user.has_perm("wagtailadmin.access_admin")
    from django.contrib.auth.models import Permission

    return (
        Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
        .filter(Q(user=user) | Q(group__user=user))
        .exists()
    )


def holds_current_role(user, role: str) -> bool:
    """Does the user's person hold `role` today in an active organization (any organization)?

    The portal's editorial workflow asks this: an editor (Role.EDITOR) reviews and edits
    contributions, a signer (Role.SIGNER) signs them off, wherever their role is held.
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    return (
        Membership.objects.current()
        .filter(person__user_id=user.pk, role=role, organization__is_active=True)
        .exists()
    )


# --- Portal pages in search ---
# The page tree belongs to Wagtail and the publishing app; core imports neither, so the article
# model is looked up by name (and may be absent in a deployment without publishing).


def _unreadable_internal_article_ids(user):
    """A subquery of the ids of the internal articles this user may not read (none when there
    is no article model)."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist
    from wagtail.models import Page

    try:
        article = apps.get_model("publishing", "ArticlePage")
        article._meta.get_field("visibility")
        article._meta.get_field("organization")
    except (LookupError, FieldDoesNotExist):
        return Page.objects.none().values("pk")
    internal = article.objects.exclude(visibility="public")
    readable = internal_content_filter(user)
    if readable is not None:
        internal = internal.exclude(readable)
    return internal.values("pk")


def searchable_pages(user) -> QuerySet:
    """Live portal pages the user may open, for the site search:

    - anonymous visitors: pages under no view restriction of Wagtail's, internal articles not;
    - signed-in users: also pages under a restriction they pass (a login restriction, a group
      restriction of one of their groups), never password-protected ones (search cannot ask for
      the password); internal articles of the organizations whose internal content they read
      (`can_read_internal_of`).
    """
    from wagtail.models import Page, PageViewRestriction

    qs = Page.objects.live()
    if not _access(user).is_superuser:
        blocked = _restrictions_not_passed(
            user, PageViewRestriction.objects.values_list("page__path", "restriction_type", "groups")
        )
        if blocked:
            qs = qs.exclude(reduce(or_, (Q(path__startswith=p) for p in blocked)))
    if not (user.is_authenticated and user.is_superuser):
        qs = qs.exclude(pk__in=_unreadable_internal_article_ids(user))
    return qs


def _restrictions_not_passed(user, restrictions) -> list[str]:
    """Tree paths under a Wagtail view restriction (of pages or of collections) that this user
    does not pass: every one for visitors; for signed-in users, those that are neither a login
    restriction nor a group restriction of one of their groups (a password restriction is never
    passed: search cannot ask for the password). `restrictions`: (path, type, group id) rows,
    one per group of a group restriction."""
    from wagtail.models import BaseViewRestriction

    signed_in = user.is_authenticated and user.is_active
    group_ids = None
    passed: dict[str, bool] = {}
    for path, kind, group_id in restrictions:
        passes = False
        if signed_in and kind == BaseViewRestriction.LOGIN:
            passes = True
        elif signed_in and kind == BaseViewRestriction.GROUPS:
            if group_ids is None:  # read only when a group restriction asks
                group_ids = set(user.groups.values_list("pk", flat=True))
            passes = group_id in group_ids
        passed[path] = passed.get(path, False) or passes
    return [path for path, ok in passed.items() if not ok]


# --- Documents (Wagtail's library) ---
# A file in the library is not public for being there. A document is opened by:
#   - superusers, and those who may choose or change it in the back office (Wagtail's collection
#     permissions: the portal's editors and signers), and the one who uploaded it (a contributor
#     previewing their draft);
#   - whoever may open a live page that links it (Wagtail's reference index): a document linked
#     from a public article is public, one linked only from an internal article is read by that
#     article's readers, one linked from nowhere stays in the back office.
# When Wagtail serves one, its collection view restrictions (login, groups, password) apply on
# top; the site search keeps only documents whose restrictions the user passes.


def readable_documents(user) -> QuerySet:
    """Documents this user may open (Wagtail's collection view restrictions aside)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import BigIntegerField, CharField
    from django.db.models.functions import Cast
    from wagtail.documents import get_document_model
    from wagtail.models import Page, ReferenceIndex
    from wagtail.permissions import policy_registry

    Document = get_document_model()
    if _access(user).is_superuser:
        return Document.objects.all()
    # The reference index keeps ids as text, whatever the model's key.
    pages = searchable_pages(user).order_by().annotate(ref=Cast("pk", CharField())).values("ref")
    linked = (
        ReferenceIndex.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id__in=pages,
            to_content_type=ContentType.objects.get_for_model(Document),
        )
        .annotate(document_id=Cast("to_object_id", BigIntegerField()))
        .values("document_id")
    )
    q = Q(pk__in=linked)
    if user.is_authenticated and user.is_active:
        policy = policy_registry.get_by_type(Document)
        chosen = policy.instances_user_has_any_permission_for(user, ["choose", "change"])
        q |= Q(uploaded_by_user_id=user.pk) | Q(pk__in=chosen.values("pk"))
    return Document.objects.filter(q)


def visible_documents(user) -> QuerySet:
    """Documents the site search shows this user: those they may open, outside collections under
    a view restriction they do not pass (a login one for visitors, a group one not theirs, any
    password one: search cannot ask for the password)."""
    from wagtail.models import CollectionViewRestriction

    qs = readable_documents(user)
    if _access(user).is_superuser:
        return qs
    blocked = _restrictions_not_passed(
        user, CollectionViewRestriction.objects.values_list("collection__path", "restriction_type", "groups")
    )
    if blocked:
        qs = qs.exclude(reduce(or_, (Q(collection__path__startswith=p) for p in blocked)))
    return qs
