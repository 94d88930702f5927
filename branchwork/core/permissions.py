"""The permission policy: one answer to "may this user see (or manage) this?".

Every view and every API endpoint asks here. This module holds three things:

- **The reader** (`reader(user)`): who the user is, which organizations they read, manage and
  oversee as the committee office's staff, from their roles current today; built once per
  request from facts cached across requests under the access generation (core/generation.py),
  which every change of a role, an organization, a person or an account moves on.
- **The questions** for any model: `visible(user, Model)` (the rows they may see), `get_or_404(
  user, Model, pk)`, `can(user, action, obj)`. Each app gives the rules for its own models with
  `register(Model, visible=…, **actions)` in its AppConfig.ready() (see the app's
  `permissions.py`); asking about a model or an action nobody registered raises `NotRegistered`.
- **Core's own rules** (organizations, people, roles, the audit trail) and the building blocks
  other apps' rules are made of: `org_filter`, the internal-content rule
  (`internal_content_filter`, `can_read_internal_of`), who edits publications, who oversees.

Core's rules:

- Superusers see and manage everything.
- A person's roles that are current today decide the rest:
  - any role in an organization lets them read it and the organizations under it (a member of a
    branch reads the branch and its Party groups);
  - secretary, deputy secretary and committee member manage it and the organizations under it;
    closing, reopening or moving an organization is for the managers of the level above it
    (`can_restructure_org`), so that nobody locks themselves out;
  - the committee office's staff read the committee and everything under it.
- People are visible where one of their memberships (current or past) is in a readable
  organization; everyone sees themselves.
- Anonymous users see nothing here; only public portal content (publishing) is open to them.

Outsiders get 404, never 403: the existence of a record is itself not theirs to know.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, NamedTuple

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from branchwork.core import generation
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


def org_filter(paths: list[str], prefix: str = "") -> Q | None:
    """Organizations at or under any of `paths` (materialized paths of the tree); None for none.
    `prefix` reaches the organization from another model (`"organization__"`). Each path once,
    in order: the filter (and its SQL) depends on the set of paths alone, as the reader's
    `fingerprint` does (core/prepared.py keeps SQL under it)."""
    if not paths:
        return None
    return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in sorted(set(paths))))


class HeldRole(NamedTuple):
    """One role the reader holds today, with the organization it is held in."""

    role: str
    organization_id: int
    path: str
    code: str
    kind: str


# Readers are kept across requests under the access generation (core/generation.py: moved on by
# every change of a role, an organization, a person or an account) and today's date (only roles
# current today count), and for ten minutes at most.
READER_CACHE_SECONDS = 600


def _reader_key(user) -> str:
    return f"reader:{user.pk}:{generation.access_generation()}:{timezone.localdate().isoformat()}"


def _read_facts(user) -> tuple[Person | None, tuple[HeldRole, ...]]:
    """The person (with their unit, which pages show) and the roles current today in active
    organizations: one query (two for an account whose person holds no current role)."""
    memberships = list(
        Membership.objects.current()
        .filter(person__user_id=user.pk, organization__is_active=True)
        .select_related("person__unit", "organization")
        .order_by("organization__path", "role", "pk")
    )
    if memberships:
        person = memberships[0].person
    else:  # no current role: still a person, who sees themselves
        person = Person.objects.filter(user_id=user.pk).select_related("unit").first()
    roles = tuple(HeldRole(m.role, m.organization_id, m.organization.path, m.organization.code,
                           m.organization.kind) for m in memberships)
    return person, roles


class Reader:
    """Who one user is and what they may read and manage, from their roles current today: built
    once per request (kept on the user) from facts cached across requests (`READER_CACHE_SECONDS`
    under the access generation), which one query reads when they are not cached. The person is
    put on the user, where templates and views find it. General on purpose: views, selectors and
    other apps' rules (activities, publishing, the search) read its paths, roles and
    `fingerprint` instead of asking the database again."""

    def __init__(self, user, facts: tuple[Person | None, tuple[HeldRole, ...]] | None = None):
        self.is_superuser = bool(user.is_authenticated and user.is_active and user.is_superuser)
        self.person: Person | None = None
        self.person_id = None
        self.roles: tuple[HeldRole, ...] = ()
        self.read_paths: list[str] = []
        self.manage_paths: list[str] = []
        self.staff_paths: list[str] = []  # where they are the committee office's staff
        self.editor_paths: list[str] = []  # where they hold the editor role
        # A member of the institution: a current role in one of its own active organizations
        # (not in a brother unit's branch).
        self.is_member = False
        # A role above a plain membership in a committee (its office staff, secretaries,
        # committee members): core.auth asks these for a second factor.
        self.committee_level = False
        if not user.is_authenticated or not user.is_active:
            return
        if facts is None:
            key = _reader_key(user)
            facts = cache.get(key)
            if facts is None:
                facts = _read_facts(user)
                cache.set(key, facts, READER_CACHE_SECONDS)
        person, self.roles = facts
        if person is None:
            return
        Person._meta.get_field("user").remote_field.set_cached_value(user, person)
        self.person, self.person_id = person, person.pk
        for held in self.roles:
            self.read_paths.append(held.path)
            if held.role in MANAGING_ROLES:
                self.manage_paths.append(held.path)
            if held.role == Role.STAFF:
                self.staff_paths.append(held.path)
            if held.role == Role.EDITOR:
                self.editor_paths.append(held.path)
            if held.kind != OrganizationKind.EXTERNAL_BRANCH:
                self.is_member = True
            if held.kind == OrganizationKind.COMMITTEE and held.role != Role.MEMBER:
                self.committee_level = True
        self.role_codes = frozenset(held.role for held in self.roles)

    role_codes: frozenset[str] = frozenset()

    def holds(self, role: str) -> bool:
        """Does the reader hold `role` today, in any active organization?"""
        return role in self.role_codes

    @property
    def organization_ids(self) -> list[int]:
        """The organizations the reader holds a role in today, in tree order, once each."""
        return list(dict.fromkeys(held.organization_id for held in self.roles))

    @property
    def fingerprint(self) -> str:
        """The facts permission filters are made of, as one string: two readers with the same
        fingerprint see the same rows, so a filter built for one may be cached under it."""
        if self.is_superuser:
            return "superuser"
        return "|".join([
            ",".join(sorted(set(self.read_paths))), ",".join(sorted(set(self.manage_paths))),
            ",".join(sorted(set(self.staff_paths))), ",".join(sorted(set(self.editor_paths))),
            str(self.person_id or ""), "m" if self.is_member else "",
        ])


def reader(user) -> Reader:
    """The user's reader, built once per request (kept on the user object) from facts cached
    across requests."""
    access = getattr(user, _CACHE_ATTR, None)
    if access is None:
        access = Reader(user)
        try:
            setattr(user, _CACHE_ATTR, access)
        except AttributeError:  # AnonymousUser is shared; computing again is cheap
            pass
    return access


def forget(user) -> None:
    """Drop the reader kept on the user and the cached facts (after the user's roles changed
    within the same request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    if getattr(user, "pk", None) is not None:
        cache.delete(_reader_key(user))


# --- The registry: each app's rules for its own models ---
# Shaped like Wagtail's permission policies (a policy per model: which instances a user has a
# permission for, and whether they have it for one instance), as plain functions the way
# `audit.register` takes them: an app registers its models' rules in its AppConfig.ready(), and
# core asks them without importing the app.


class NotRegistered(ImproperlyConfigured):
    """A permission question about a model, or an action, that no app gave rules for."""


@dataclass(frozen=True)
class Rules:
    """The rules of one model. `visible(user)` is the queryset of what the user may see (the
    rest answers 404); `detail(queryset)` adds what a page needs with one object; each action is
    `fn(user, obj) -> bool`, called with `obj` None when asked about the model as a whole.
    `visible_within(user, within)`, when given, is `visible(user).filter(within)` asked so that
    the database reads only the rows `within` names (a narrow question about a large table, such
    as /my/'s "waiting for me": a permission clause kept apart in a subquery is worked out for
    every row the user may see, then matched)."""

    model: type[Model]
    visible: Callable[[Any], QuerySet]
    detail: Callable[[QuerySet], QuerySet] | None = None
    actions: dict[str, Callable[[Any, Any], bool]] = field(default_factory=dict)
    visible_within: Callable[[Any, Q], QuerySet] | None = None


_registry: dict[type[Model], Rules] = {}


def register(model: type[Model], *, visible: Callable[[Any], QuerySet],
             detail: Callable[[QuerySet], QuerySet] | None = None,
             visible_within: Callable[[Any, Q], QuerySet] | None = None,
             **actions: Callable[[Any, Any], bool]) -> None:
    """Give the rules of `model` (its own app does, once). Subclasses of `model` (a specific
    Wagtail page) follow its rules unless registered themselves. `visible_within(user, within)`
    (optional) must give the rows of `visible(user).filter(within)`, read narrowly."""
    rules = Rules(model=model, visible=visible, detail=detail, actions=dict(actions),
                  visible_within=visible_within)
    existing = _registry.get(model)
    if existing is not None and existing.visible is not visible:
        raise ImproperlyConfigured(f"{model._meta.label} has its permission rules already.")
    if existing is not None:  # the same app's ready() again: keep actions other apps added
        rules.actions.update({k: v for k, v in existing.actions.items() if k not in actions})
    _registry[model] = rules


def extend(model: type[Model], **actions: Callable[[Any, Any], bool]) -> None:
    """Add actions that another app answers to a registered model's rules (the reports app says
    who may export an organization's ledger). An action keeps one rule."""
    rules = rules_for(model)
    for name, rule in actions.items():
        if rules.actions.get(name, rule) is not rule:
            raise ImproperlyConfigured(f"{model._meta.label} already has a rule for {name!r}.")
        rules.actions[name] = rule


def rules_for(model: type[Model]) -> Rules:
    """The rules of `model` (or of the nearest registered class it inherits from)."""
    for klass in model.__mro__:
        rules = _registry.get(klass)
        if rules is not None:
            return rules
    label = getattr(getattr(model, "_meta", None), "label", model.__name__)
    raise NotRegistered(
        f"No permission rules for {label}: its app must register them with "
        "branchwork.core.permissions.register() in its AppConfig.ready()."
    )


def registered_models() -> list[type[Model]]:
    return list(_registry)


def visible(user, model: type[Model], *, within: Q | None = None) -> QuerySet:
    """The rows of `model` this user may see; with `within`, only those matching it (the same
    rows as `.filter(within)`, read through the rules' `visible_within` when they give one, so
    that the database reads only the rows `within` names)."""
    rules = rules_for(model)
    if rules.model is not model:  # a subclass following its parent's rules
        qs = model._default_manager.filter(pk__in=rules.visible(user).values("pk"))
        return qs if within is None else qs.filter(within)
    if within is None:
        return rules.visible(user)
    if rules.visible_within is not None:
        return rules.visible_within(user, within)
    return rules.visible(user).filter(within)


def can(user, action: str, obj) -> bool:
    """May this user take `action` on `obj` (an instance, or a model class for the model as a
    whole: "may they read any journal")?"""
    model = obj if isinstance(obj, type) else type(obj)
    rules = rules_for(model)
    rule = rules.actions.get(action)
    if rule is None:
        raise NotRegistered(
            f"{rules.model._meta.label} has no permission rule for {action!r} "
            f"(it has: {', '.join(sorted(rules.actions)) or 'none'})."
        )
    return bool(rule(user, None if isinstance(obj, type) else obj))


def get_or_404(user, model: type[Model], pk=None, /, **lookups):
    """The object (with what its rules' `detail` loads), if this user may see it; 404 otherwise,
    for a malformed key too."""
    rules = rules_for(model)
    qs = visible(user, model)
    if rules.detail is not None:
        qs = rules.detail(qs)
    if pk is not None:
        lookups["pk"] = pk
    try:
        return qs.get(**lookups)
    except (model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404(f"No such {model._meta.model_name}") from None


# --- Organizations ---


def visible_organizations(user) -> QuerySet[Organization]:
    access = reader(user)
    qs = Organization.objects.all()
    if access.is_superuser:
        return qs
    q = org_filter(access.read_paths)
    return qs.filter(q) if q is not None else qs.none()


def managed_organizations(user) -> QuerySet[Organization]:
    access = reader(user)
    qs = Organization.objects.all()
    if access.is_superuser:
        return qs
    q = org_filter(access.manage_paths)
    return qs.filter(q) if q is not None else qs.none()


def can_see_org(user, org: Organization) -> bool:
    access = reader(user)
    return access.is_superuser or any(org.path.startswith(p) for p in access.read_paths)


def can_manage_org(user, org: Organization) -> bool:
    access = reader(user)
    return access.is_superuser or any(org.path.startswith(p) for p in access.manage_paths)


def can_restructure_org(user, org: Organization) -> bool:
    """Close, reopen or move an organization: the level above decides, never the organization's
    own managers (a secretary who closed her own branch would lock herself and her members out,
    with nobody but a superuser to undo it). Managers of an organization strictly above `org`,
    and superusers; the committee office's staff read, they do not restructure."""
    access = reader(user)
    return access.is_superuser or any(
        org.path.startswith(p) and org.path != p for p in access.manage_paths
    )


def can_create_org_under(user, parent: Organization | None) -> bool:
    """Managers create organizations under theirs; the top level belongs to superusers alone."""
    if parent is None:
        return reader(user).is_superuser
    return can_manage_org(user, parent)


def is_staff_over(user, org: Organization) -> bool:
    """Is the user the committee office's staff in `org` or in an organization above it?"""
    return any(org.path.startswith(p) for p in reader(user).staff_paths)


def get_org_or_404(user, code: str, *, manage: bool = False) -> Organization:
    qs = managed_organizations(user) if manage else visible_organizations(user)
    try:
        return qs.select_related("unit").get(code=code)
    except Organization.DoesNotExist:
        raise Http404("No such organization") from None


# --- People ---


def visible_people(user) -> QuerySet[Person]:
    access = reader(user)
    qs = Person.objects.all()
    if access.is_superuser:
        return qs
    q = org_filter(access.read_paths, prefix="memberships__organization__")
    if access.person_id is not None:
        q = Q(pk=access.person_id) if q is None else q | Q(pk=access.person_id)
    if q is None:
        return qs.none()
    return qs.filter(pk__in=Person.objects.filter(q).values("pk"))


def manageable_people(user) -> QuerySet[Person]:
    access = reader(user)
    qs = Person.objects.all()
    if access.is_superuser:
        return qs
    q = org_filter(access.manage_paths, prefix="memberships__organization__")
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
    access = reader(user)
    qs = Membership.objects.all()
    if access.is_superuser:
        return qs
    q = org_filter(access.read_paths, prefix="organization__")
    if access.person_id is not None:
        q = Q(person_id=access.person_id) if q is None else q | Q(person_id=access.person_id)
    return qs.filter(q) if q is not None else qs.none()


def managed_memberships(user) -> QuerySet[Membership]:
    access = reader(user)
    qs = Membership.objects.all()
    if access.is_superuser:
        return qs
    q = org_filter(access.manage_paths, prefix="organization__")
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
    access = reader(user)
    qs = AuditEntry.objects.all()
    if access.is_superuser:
        return qs
    q = org_filter(access.manage_paths, prefix="organization__")
    return qs.filter(q) if q is not None else qs.none()


# --- Publications: who edits them ---
# Editors (the editor role in the owning organization or one above it) and the managers of the
# owning organization compose, publish and upload an organization's journal issues and talks.


def _editor_paths(user) -> list[str]:
    """Paths of the organizations where the user holds the editor role today."""
    return reader(user).editor_paths


def can_edit_publications_of(user, org: Organization) -> bool:
    """Compose, change and publish what `org` publishes internally (a journal's issues, talks):
    editors of `org` or of an organization above it, and those who manage `org`."""
    if can_manage_org(user, org):
        return True
    return any(org.path.startswith(p) for p in _editor_paths(user))


def publication_organizations(user) -> QuerySet[Organization]:
    """Active organizations whose journal issues and talks the user may edit."""
    access = reader(user)
    qs = Organization.objects.filter(is_active=True)
    if access.is_superuser:
        return qs
    q = org_filter(access.manage_paths + _editor_paths(user))
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
    access = reader(user)
    if access.is_superuser:
        return Q()
    q = org_filter(access.read_paths, prefix=prefix)
    if q is None:
        return None
    above = {path[:i] for path in access.read_paths
             for i in range(Organization.steplen, len(path), Organization.steplen)}
    return q | Q(**{f"{prefix}path__in": sorted(above)}) if above else q


def can_read_internal_of(user, org: Organization | None) -> bool:
    """May this user read the internal content of `org` (None: of the whole institution)?"""
    if org is None:
        return can_read_internal_content(user)
    access = reader(user)
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


def internal_content(user, qs: QuerySet, prefix: str = "organization") -> QuerySet:
    """`qs` narrowed to the rows whose internal content the user reads."""
    readable = internal_content_filter(user, prefix=prefix)
    return qs.none() if readable is None else qs.filter(readable)


def can_read_internal_content(user) -> bool:
    """Is this user a member of the institution, who reads its organization-less internal
    content (and sees the journal and lecture hall in the menus)?"""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or reader(user).is_member


# --- The user's standing ---


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
    return reader(user).holds(role)


# --- Core's own models in the registry ---

register(
    Organization,
    visible=visible_organizations,
    detail=lambda qs: qs.select_related("unit"),
    see=can_see_org,
    manage=can_manage_org,
    restructure=can_restructure_org,
)
register(
    Person,
    visible=visible_people,
    detail=lambda qs: qs.select_related("unit", "user"),
    manage=can_manage_person,
)
register(Membership, visible=visible_memberships)
register(AuditEntry, visible=visible_audit_entries)
