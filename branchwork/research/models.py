"""Research work: topics (调研课题), outputs (成果) by kind, their authors, files, versions and
draft rounds; submissions to leaders and the instructions (批示) that come back, with their
follow-ups; publications in outlets of a maintained list.

Kinds of output are data (`OutputKind`, rows seeded by migration 0002), so an office can add its
own. A topic's status is not typed in: it follows from its dates (approval 立项, mid-term 中期,
completion 结项, cancellation), so it can be asked as of any day (`Topic.status_on`).

Branchwork runs on an unclassified network: an output marked classified keeps metadata only.
Its text, files, and the text and scan of an instruction on it are refused (`clean()` here, and
the services), with a message saying why.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from branchwork.activities.models import Activity
from branchwork.core.language import in_language
from branchwork.core.models import Organization, Person

FILE_EXTENSIONS = ["doc", "docx", "pdf", "odt", "wps"]
SCAN_EXTENSIONS = ["pdf", "jpg", "jpeg", "png"]
CLASSIFIED_REFUSAL = _(
    "This output is classified. Branchwork runs on an unclassified network, so it keeps the "
    "metadata only (title, authors, dates, level, where it went); its text and files stay offline."
)
CLASSIFIED_INSTRUCTION_REFUSAL = _(
    "The output is classified: Branchwork runs on an unclassified network, so an instruction "
    "on it is recorded without its text or scan."
)


def _upload_path(instance, filename: str) -> str:
    return f"research/{timezone.now():%Y}/{secrets.token_hex(8)}-{filename}"



class Level(models.TextChoices):
    """The level of a recipient and of an instruction."""

    CENTRAL = "central", _("Central leadership")
    MINISTRY = "ministry", _("Ministry")
    OTHER = "other", _("Other")


class Classification(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    RESTRICTED = "restricted", _("Restricted to named readers")
    CLASSIFIED = "classified", _("Classified (metadata only)")


class TopicSource(models.TextChoices):
    LEADERSHIP = "leadership", _("Assigned by the leadership")
    OWN_PLAN = "own_plan", _("The office's own plan")
    COMMISSIONED = "commissioned", _("Commissioned study")


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", pgettext_lazy("research", "Approved")
    MIDTERM = "midterm", _("Mid-term reviewed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class OutletTier(models.TextChoices):
    NATIONAL = "national", _("Central and national media")
    MINISTRY = "ministry", _("Ministry media")
    ACADEMIC = "academic", _("Academic journal")
    LOCAL = "local", _("Local media")
    FOREIGN = "foreign", _("Foreign media")


class RecipientKind(models.TextChoices):
    LEADER = "leader", _("A leader")
    BODY = "body", _("A body")


# --- Topics ---


class Topic(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organization"))
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    lead = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("lead"))
    source = models.CharField(_("source"), max_length=20, choices=TopicSource.choices,
                              default=TopicSource.OWN_PLAN)
    approved_on = models.DateField(pgettext_lazy("research", "approved on"), null=True, blank=True)
    midterm_on = models.DateField(_("mid-term review on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    activities = models.ManyToManyField(Activity, blank=True, related_name="+",
                                        verbose_name=_("study activities"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-approved_on", "-pk"]
        verbose_name = _("research topic")
        verbose_name_plural = _("research topics")

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return in_language(self.title, self.title_en)

    def get_absolute_url(self) -> str:
        return reverse("research:topic", kwargs={"org_code": self.organization.code, "topic_id": self.pk})

    def status_on(self, day: datetime.date) -> str:
        """The status the dates give on `day`."""
        for field, status in (("cancelled_on", TopicStatus.CANCELLED),
                              ("completed_on", TopicStatus.COMPLETED),
                              ("midterm_on", TopicStatus.MIDTERM),
                              ("approved_on", TopicStatus.APPROVED)):
            value = getattr(self, field)
            if value is not None and value <= day:
                return status
        return TopicStatus.PROPOSED

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def status_label(self) -> str:
        return TopicStatus(self.status).label

    def clean(self) -> None:
        order = [(f, getattr(self, f)) for f in ("approved_on", "midterm_on", "completed_on")]
        given = [(f, d) for f, d in order if d is not None]
        if given and given[0][0] != "approved_on":
            raise ValidationError({given[0][0]: _("Give the date of approval first.")})
        for (_f1, d1), (f2, d2) in zip(given, given[1:], strict=False):
            if d2 < d1:
                raise ValidationError({f2: _("The dates must follow one another: approval, mid-term, "
                                             "completion.")})


class TopicMember(models.Model):
    """A member of a topic's team: a person in Branchwork, or a guest named as printed."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="members")
    position = models.PositiveSmallIntegerField(default=1)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    guest_name = models.CharField(_("guest"), max_length=120, blank=True)

    def __str__(self) -> str:
        return self.guest_name or str(self.person_id)

    class Meta:
        ordering = ["position", "pk"]

    @property
    def display_name(self) -> str:
        return self.person.display_name if self.person_id else self.guest_name


# --- Outputs ---


class OutputKind(models.Model):
    """A kind of output, as data: research report, internal reference, article, document draft…"""

    code = models.SlugField(unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80)
    has_rounds = models.BooleanField(_("drafted in rounds"), default=False,
                                     help_text=_("A document draft goes through numbered rounds of review."))
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("kind of output")
        verbose_name_plural = _("kinds of output")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name_zh, self.name_en)


class OutputQuerySet(models.QuerySet):
    def with_list_data(self):
        return self.select_related("kind", "organization", "topic").prefetch_related(
            models.Prefetch("authors", queryset=OutputAuthor.objects.select_related("person")))


class Output(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organization"))
    kind = models.ForeignKey(OutputKind, on_delete=models.PROTECT, related_name="outputs",
                             verbose_name=_("kind"))
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="outputs", verbose_name=pgettext_lazy("research", "topic"))
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    completed_on = models.DateField(_("date"), help_text=_("The day the output was finished."))
    classification = models.CharField(_("classification"), max_length=20,
                                      choices=Classification.choices, default=Classification.INTERNAL)
    readers = models.ManyToManyField(Person, blank=True, related_name="+", verbose_name=_("named readers"),
                                     help_text=_("For a restricted output: who may read it besides "
                                                 "its authors and the research coordinator."))
    text = models.TextField(_("text"), blank=True)
    # Where it went on the portal (research/portal.py): the article it was published as, and the
    # contribution it was proposed as for the internal journal; each page finds its output back
    # through `research_outputs` / `research_proposals`.
    portal_article = models.ForeignKey("wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="research_outputs", editable=False,
                                       verbose_name=_("article on the portal"))
    journal_proposal = models.ForeignKey("wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="research_proposals", editable=False,
                                         verbose_name=_("proposed for the journal as"))
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OutputQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "-pk"]
        verbose_name = _("research output")
        verbose_name_plural = _("research outputs")
        indexes = [models.Index(fields=["organization", "completed_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return in_language(self.title, self.title_en)

    @property
    def is_classified(self) -> bool:
        return self.classification == Classification.CLASSIFIED

    def get_absolute_url(self) -> str:
        return reverse("research:output", kwargs={"org_code": self.organization.code, "output_id": self.pk})

    def clean(self) -> None:
        if self.is_classified and self.text.strip():
            raise ValidationError({"text": CLASSIFIED_REFUSAL})


class OutputAuthor(models.Model):
    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="authors")
    position = models.PositiveSmallIntegerField(default=1)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    guest_name = models.CharField(_("guest author"), max_length=120, blank=True)

    def __str__(self) -> str:
        return self.guest_name or str(self.person_id)

    class Meta:
        ordering = ["position", "pk"]

    @property
    def display_name(self) -> str:
        return self.person.display_name if self.person_id else self.guest_name


class OutputFile(models.Model):
    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_upload_path, max_length=300,
                            validators=[FileExtensionValidator(FILE_EXTENSIONS)])
    name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    class Meta:
        ordering = ["uploaded_at", "pk"]


class OutputVersion(models.Model):
    """The text as it stood after each save: the output's version history."""

    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.output_id} v{self.number}"

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["output", "number"], name="research_version_unique")]


class DraftRound(models.Model):
    """One round of a document draft (文稿起草): draft 1, 2, … with who reviewed it and what they said."""

    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    circulated_on = models.DateField(_("circulated on"))
    note = models.TextField(pgettext_lazy("research", "note"), blank=True)

    def __str__(self) -> str:
        return f"{self.output_id} #{self.number}"

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["output", "number"], name="research_round_unique")]


class DraftReview(models.Model):
    round = models.ForeignKey(DraftRound, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewer_name = models.CharField(_("reviewer"), max_length=120, blank=True)
    comments = models.TextField(_("comments"), blank=True)

    def __str__(self) -> str:
        return self.reviewer_name or str(self.reviewer_id)

    class Meta:
        ordering = ["pk"]

    @property
    def display_name(self) -> str:
        return self.reviewer.display_name if self.reviewer_id else self.reviewer_name


# --- Submissions, instructions, follow-ups ---


class Submission(models.Model):
    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="submissions")
    recipient = models.CharField(_("recipient"), max_length=200,
                                 help_text=_("The leader or body it went to."))
    recipient_kind = models.CharField(_("recipient is"), max_length=10, choices=RecipientKind.choices,
                                      default=RecipientKind.LEADER)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    submitted_on = models.DateField(_("submitted on"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")

    class Meta:
        ordering = ["submitted_on", "pk"]
        indexes = [models.Index(fields=["submitted_on"])]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return f"{self.submitted_on:%Y-%m-%d} {self.recipient}"


class Instruction(models.Model):
    """A leader's written instruction (批示) on a submitted output. Its text and scan are
    restricted (research.permissions.can_read_instruction); that it exists, and its level, are
    not."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="instructions")
    given_by = models.CharField(_("given by"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    given_on = models.DateField(_("date"))
    text = models.TextField(_("text of the instruction"), blank=True)
    scan = models.FileField(_("scan"), upload_to=_upload_path, blank=True, max_length=300,
                            validators=[FileExtensionValidator(SCAN_EXTENSIONS)])
    scan_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")

    class Meta:
        ordering = ["given_on", "pk"]
        indexes = [models.Index(fields=["given_on"])]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")

    def __str__(self) -> str:
        return f"{self.given_on:%Y-%m-%d} {Level(self.level).label}"


class FollowUp(models.Model):
    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.TextField(pgettext_lazy("research", "action"))
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_on = models.DateField(_("deadline"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.due_on:%Y-%m-%d}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.closed_on is None and self.due_on < today


# --- Outlets and publications ---


class Outlet(models.Model):
    name = models.CharField(pgettext_lazy("research", "name"), max_length=120, unique=True)
    name_en = models.CharField(_("name in English"), max_length=160, blank=True)
    tier = models.CharField(_("tier"), max_length=10, choices=OutletTier.choices)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["tier", "name"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_en)


class Publication(models.Model):
    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="publications")
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="publications",
                               verbose_name=_("outlet"))
    published_on = models.DateField(_("published on"))
    page_or_url = models.CharField(_("page or address"), max_length=300, blank=True)
    reprint_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="reprints", verbose_name=_("reprint of"))
    clipping = models.FileField(_("clipping"), upload_to=_upload_path, blank=True, max_length=300,
                                validators=[FileExtensionValidator(SCAN_EXTENSIONS)])
    clipping_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["published_on", "pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        indexes = [models.Index(fields=["published_on"])]

    def __str__(self) -> str:
        return f"{self.published_on:%Y-%m-%d} {self.outlet_id}"

    def clean(self) -> None:
        if self.reprint_of_id and self.reprint_of.output_id != self.output_id:
            raise ValidationError({"reprint_of": _("A reprint is of the same output's publication.")})
