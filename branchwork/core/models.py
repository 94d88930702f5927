"""Organizations, people, their roles over time, and the audit trail.

Everything else in Branchwork refers to these. Names that users type are stored as typed;
controlled vocabularies (kinds of organization, roles, statuses) are choices whose labels are
translated, so they read in Chinese and in English.
"""

import datetime
import functools

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node
from wagtail.search import index

from branchwork.core.reversing import cached_reverse as reverse


@functools.cache
def _choice_labels(field) -> dict:
    return {make_hashable(value): label for value, label in field.flatchoices}


class ChoiceLabelsMixin:
    """`get_FOO_display()` as Django's, from the field's labels gathered once: Django builds the
    dictionary again on every call, hashing every choice's lazy label (translating each to hash
    it), a tenth of a millisecond per call on pages that show a status per row. The label is
    still translated as it is shown."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(_choice_labels(field).get(make_hashable(value), value), strings_only=True)


def choice_label(model, field_name: str, value):
    """What `get_FOO_display()` of an instance of `model` with `value` in `field_name` gives."""
    return force_str(_choice_labels(model._meta.get_field(field_name)).get(make_hashable(value), value),
                     strings_only=True)


def bilingual_name(name_zh: str, name_en: str, *, english: bool | None = None) -> str:
    """`display_name` of a record with these two names, in the language shown (`english`, when a
    loop has read the language once, says which)."""
    if english is None:
        english = is_english()
    return name_en if english and name_en else name_zh


def is_english() -> bool:
    """Whether the language shown is English (else Chinese, the default)."""
    return (get_language() or "zh-hans").lower().startswith("en")


class BilingualNameMixin:
    """`display_name` picks the English name under English when there is one."""

    name_zh: str
    name_en: str

    @property
    def display_name(self) -> str:
        return bilingual_name(self.name_zh, self.name_en)

    def __str__(self) -> str:
        return self.display_name


class Unit(BilingualNameMixin, models.Model):
    """An administrative unit of the institution (the Research Office, the General Office…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")


class OrganizationKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General Party branch")
    BRANCH = "branch", _("Party branch")
    GROUP = "group", _("Party group")
    YOUTH_LEAGUE = "youth_league", _("Youth League committee")
    EXTERNAL_BRANCH = "external_branch", _("Branch of another unit")


# Which kinds may sit under which: the Party's own hierarchy, plus co-hosting bodies.
ALLOWED_CHILDREN = {
    None: {OrganizationKind.COMMITTEE, OrganizationKind.EXTERNAL_BRANCH, OrganizationKind.BRANCH},
    OrganizationKind.COMMITTEE: {
        OrganizationKind.GENERAL_BRANCH,
        OrganizationKind.BRANCH,
        OrganizationKind.YOUTH_LEAGUE,
    },
    OrganizationKind.GENERAL_BRANCH: {OrganizationKind.BRANCH},
    OrganizationKind.BRANCH: {OrganizationKind.GROUP},
    OrganizationKind.EXTERNAL_BRANCH: {OrganizationKind.GROUP},
    OrganizationKind.GROUP: set(),
    OrganizationKind.YOUTH_LEAGUE: set(),
}


def validate_placement(*, kind: str, parent: "Organization | None") -> None:
    """Raise ValidationError unless an organization of `kind` may sit under `parent`."""
    parent_kind = parent.kind if parent else None
    if kind not in ALLOWED_CHILDREN.get(parent_kind, set()):
        raise ValidationError(
            {
                "kind": _("A %(kind)s cannot sit under %(parent)s.")
                % {
                    "kind": OrganizationKind(kind).label,
                    "parent": parent.display_name if parent else _("the top level"),
                }
            }
        )


class Organization(ChoiceLabelsMixin, BilingualNameMixin, MP_Node):
    """A node of the organization tree: committee → general branch → branch → group.

    Co-hosting bodies that are not in our line (a brother unit's branch) are roots of their own.
    """

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("A short, stable identifier used in addresses, e.g. yjs-branch."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
    )
    is_active = models.BooleanField(_("active"), default=True)

    # No node_order_by: sorted insertion would rewrite the paths of existing siblings (and every
    # node under them) whenever a new one sorts before them; paths stay stable instead.

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def get_absolute_url(self) -> str:
        return reverse("core:org", kwargs={"org_code": self.code})

    @property
    def parent_path(self) -> str:
        return self.path[: -self.steplen] if self.depth > 1 else ""

    def ancestor_paths(self) -> list[str]:
        return [self.path[:i] for i in range(self.steplen, len(self.path), self.steplen)]

# Which of a person's organizations their records belong to, when they are members of several.
PRIMARY_KIND_ORDER = [
    OrganizationKind.BRANCH,
    OrganizationKind.EXTERNAL_BRANCH,
    OrganizationKind.GENERAL_BRANCH,
    OrganizationKind.COMMITTEE,
    OrganizationKind.GROUP,
    OrganizationKind.YOUTH_LEAGUE,
]


class MembershipStatus(models.TextChoices):
    """Where a person stands towards the Party. A person's status is a dated history
    (`MembershipStatusChange`); `Person.membership_status` caches the status today (as of the last change recorded)."""

    NONE = "none", _("Not a Party member")
    APPLICANT = "applicant", _("Applicant for membership")
    ACTIVIST = "activist", _("Activist applying for membership")
    CANDIDATE = "candidate", _("Candidate for admission")
    PROBATIONARY = "probationary", _("Probationary member")
    FULL = "full", _("Full member")
    SUSPENDED = "suspended", _("Member with rights suspended")
    LEFT = "left", _("Left the Party")
    DECEASED = "deceased", _("Deceased")


# Statuses of a Party member: expected at the organization's meetings. Only FULL votes.
PARTY_MEMBER_STATUSES = frozenset(
    {MembershipStatus.PROBATIONARY, MembershipStatus.FULL, MembershipStatus.SUSPENDED}
)
VOTING_STATUSES = frozenset({MembershipStatus.FULL})
# Statuses of someone who has not (yet) joined: no date of joining.
NOT_YET_MEMBER_STATUSES = frozenset(
    {MembershipStatus.NONE, MembershipStatus.APPLICANT, MembershipStatus.ACTIVIST, MembershipStatus.CANDIDATE}
)


class PersonQuerySet(models.QuerySet):
    def party_members(self):
        """Party members by the cached status (today's, as of the last change recorded); for a date, use
        core.selectors.statuses_on."""
        return self.filter(membership_status__in=PARTY_MEMBER_STATUSES)


class Person(ChoiceLabelsMixin, index.Indexed, models.Model):
    """Somebody the work involves: a member, a non-member colleague or a guest.

    Only what the work needs is kept: no ID numbers, no birth dates, no home addresses.
    """

    name = models.CharField(_("name"), max_length=80, help_text=_("As the person writes it, in Chinese."))
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_native = models.CharField(
        _("name (native script)"),
        max_length=120,
        blank=True,
        help_text=_("For guests whose name is written in another script."),
    )
    # Both kept by core.services from the status history (MembershipStatusChange): the status
    # today as of the last change recorded (or the coming one, when a change is dated ahead), and
    # the day the person became a probationary member. They serve lists,
    # filters and search; every question "as of a date" asks the history (core.selectors).
    membership_status = models.CharField(
        _("membership status"), max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.NONE
    )
    joined_party_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    position = models.CharField(_("position"), max_length=120, blank=True)
    position_en = models.CharField(_("position (English)"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    # The search index (branchwork.search, and the back office's search of people): names and
    # email; who may find a person is decided at search time by core.permissions.visible_people.
    # The filter fields are those the back office lists, filters and sorts people by.
    search_fields = [
        index.SearchField("name"),
        index.SearchField("name_en"),
        index.SearchField("name_native"),
        index.SearchField("email"),
        index.AutocompleteField("name"),
        index.AutocompleteField("name_en"),
        index.AutocompleteField("name_native"),
        index.FilterField("name"),
        index.FilterField("name_en"),
        index.FilterField("membership_status"),
        index.FilterField("unit"),
        index.FilterField("position"),
        index.FilterField("email"),
    ]

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="person_email_unique_when_set"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        lang = (get_language() or "zh-hans").lower()
        if lang.startswith("en") and self.name_en:
            return self.name_en
        return self.name or self.name_en or self.name_native

    @property
    def display_position(self) -> str:
        """The job title in the language shown: the English one in English when there is one."""
        lang = (get_language() or "zh-hans").lower()
        if lang.startswith("en") and self.position_en:
            return self.position_en
        return self.position or self.position_en

    def clean(self) -> None:
        if not (self.name or self.name_en or self.name_native):
            raise ValidationError({"name": _("A person needs a name in at least one script.")})
        if self.joined_party_on and self.membership_status in NOT_YET_MEMBER_STATUSES:
            raise ValidationError(
                {"joined_party_on": _("A date of joining the Party needs a membership status.")}
            )

    def get_absolute_url(self) -> str:
        return reverse("core:person", kwargs={"person_id": self.pk})

    def primary_org_id(self) -> int | None:
        """The organization whose records this person belongs to: their current (else latest) branch."""
        # A branch first: a member of a branch is also a member of one of its groups.
        kind_rank = models.Case(
            *(models.When(organization__kind=kind, then=rank) for rank, kind in enumerate(PRIMARY_KIND_ORDER)),
            default=len(PRIMARY_KIND_ORDER),
        )
        return (
            Membership.objects.filter(person_id=self.pk, role=Role.MEMBER)
            .order_by(models.F("end_on").desc(nulls_first=True), kind_rank, "-start_on")
            .values_list("organization_id", flat=True)
            .first()
        )

    @classmethod
    def primary_org_id_of_user(cls, user_id: int) -> int | None:
        person = cls.objects.filter(user_id=user_id).only("pk").first()
        return person.primary_org_id() if person else None


class MembershipStatusChange(models.Model):
    """From `effective_on` the person's status is `status`, by the decision described.

    The history of a person is these rows ordered by date. `effective_on` is empty only for a
    status carried over from before the records (its date not known): it counts from the
    beginning. Rights suspended (中止党员权利 or 留党察看) run from `effective_on` to `ends_on`
    inclusive when an end is set; after it the status before the suspension applies again,
    unless a later change says otherwise.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("status"), max_length=20, choices=MembershipStatus.choices)
    effective_on = models.DateField(
        _("effective from"), null=True, blank=True,
        help_text=_("Leave empty only when the date is not known (a status from before the records)."),
    )
    ends_on = models.DateField(
        _("suspended until"), null=True, blank=True,
        help_text=_("For rights suspended: the last day of the suspension, when it is fixed."),
    )
    meeting = models.CharField(
        _("decided at"), max_length=200, blank=True,
        help_text=_("The meeting that decided it, e.g. the branch general meeting of 2025-05-20."),
    )
    approved_by = models.CharField(
        _("approved by"), max_length=200, blank=True,
        help_text=_("The body that approved it, e.g. the Party committee of the institution."),
    )
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    derived = models.BooleanField(
        _("derived"), default=False,
        help_text=_("Derived from the former undated status and date of joining, not recorded "
                    "from a decision."),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["person", models.F("effective_on").asc(nulls_first=True), "pk"]
        verbose_name = _("membership status change")
        verbose_name_plural = _("membership status history")
        indexes = [models.Index(fields=["person", "effective_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | (Q(status="suspended") & (Q(effective_on__isnull=True) | Q(ends_on__gte=models.F("effective_on")))),
                name="status_change_ends_only_a_suspension_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        day = self.effective_on.isoformat() if self.effective_on else "?"
        return f"{self.person} · {self.get_status_display()} · {day}"

    def clean(self) -> None:
        if self.ends_on and self.status != MembershipStatus.SUSPENDED:
            raise ValidationError({"ends_on": _("Only a suspension of rights has an end date.")})
        if self.ends_on and self.effective_on and self.ends_on < self.effective_on:
            raise ValidationError({"ends_on": _("A suspension cannot end before it starts.")})
        if self.status == MembershipStatus.NONE:
            raise ValidationError({"status": _("Record what happened (left the Party, deceased…), "
                                               "not 'not a Party member'.")})


class Role(models.TextChoices):
    # Positions in the organization.
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    GROUP_LEADER = "group_leader", _("Group leader")
    MEMBER = "member", _("Member")
    STAFF = "staff", _("Committee office staff")
    # Functional roles: what a person does for the organization's work.
    EDITOR = "editor", _("Editor")
    SIGNER = "signer", _("Signer")
    RESEARCH_COORDINATOR = "research_coordinator", _("Research coordinator")
    FOREIGN_AFFAIRS = "foreign_affairs", _("Foreign-affairs staff")


class Portfolio(models.TextChoices):
    NONE = "", _("—")
    ORGANIZATION = "organization", _("Organization")
    PROPAGANDA = "propaganda", _("Propaganda")
    DISCIPLINE = "discipline", _("Discipline inspection")
    YOUTH = "youth", _("Youth work")
    OTHER = "other", _("Other")


# Who manages an organization (and the organizations under it).
MANAGING_ROLES = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER})


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date | None = None):
        day = day or timezone.localdate()
        return self.filter(Q(start_on__lte=day) & (Q(end_on__isnull=True) | Q(end_on__gte=day)))

    def current(self):
        return self.active_on(timezone.localdate())


class Membership(ChoiceLabelsMixin, models.Model):
    """A person holds a role in an organization from one day to another (open-ended if no end).

    Ordinary membership is the role `member`; a secretary also holds `member` in the same branch.
    """

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships")
    # PROTECT: an organization with a history of members is closed (is_active), not deleted.
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.MEMBER)
    portfolio = models.CharField(
        _("portfolio"), max_length=20, choices=Portfolio.choices, blank=True, default=Portfolio.NONE
    )
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path", "role", "start_on"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        indexes = [models.Index(fields=["organization", "role", "start_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="membership_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.organization} · {self.role_label}"

    @property
    def role_label(self) -> str:
        label = str(self.get_role_display())
        if not self.portfolio:
            return label
        if (get_language() or "").startswith("zh"):
            return f"{label}（{self.get_portfolio_display()}）"
        return f"{label} ({self.get_portfolio_display()})"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start_on <= day and (self.end_on is None or self.end_on >= day)

    def clean(self) -> None:
        if self.end_on and self.start_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": _("A role cannot end before it starts.")})
        if self.portfolio and self.role != Role.COMMITTEE_MEMBER:
            raise ValidationError({"portfolio": _("Only committee members have a portfolio.")})
        if self.person_id and self.organization_id and self.start_on:
            overlapping = Membership.objects.filter(
                person_id=self.person_id, organization_id=self.organization_id, role=self.role
            ).exclude(pk=self.pk)
            overlapping = overlapping.filter(Q(end_on__isnull=True) | Q(end_on__gte=self.start_on))
            if self.end_on:
                overlapping = overlapping.filter(start_on__lte=self.end_on)
            if overlapping.exists():
                raise ValidationError(
                    _("This person already holds this role in this organization for part of that period.")
                )


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    IMPORT = "import", _("Imported")


class AuditEntry(models.Model):
    """One create, change or delete of a record: who, when, what changed from what to what.

    Written by core.audit on every save and delete of an audited model; never edited afterwards.
    `organization` is the organization whose trail the entry belongs to, for scoping.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("record"), max_length=255)
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    changes = models.JSONField(_("changes"), default=dict, help_text=_("field → [old, new]"))
    source = models.CharField(_("source"), max_length=20, default="web")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"


class TaskWorker(models.Model):
    """A running `branchwork db_worker` process: where it runs and when it last said it was alive.

    Written by the worker itself (core.worker) at start and every few seconds; a task left
    RUNNING by a worker whose heartbeat stopped, or whose process is gone from its host, is
    reclaimed (retried or failed visibly)."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    host = models.CharField(_("machine"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}, pid {self.pid})"
