"""Learning: study plans and their materials, members' study notes, training courses and
external training, from which (with attended activities) training hours are counted.

A study plan belongs to an organization and a year; its items name what is studied and link the
material where it already lives (a portal article, a lecture-hall talk, a file kept here, a web
address) and the collective studies where it was studied (activities of organizational life,
linked, never copied). Training hours are never stored: `selectors.hours` counts them from the
attendance records, the courses and the approved external training, so that an amended record
changes them at once.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branchwork.activities.models import Activity
from branchwork.core.models import Organization, Person
from branchwork.lectures.models import Talk
from branchwork.publishing.models import ArticlePage

MATERIAL_EXTENSIONS = ["pdf", "doc", "docx", "odt", "txt", "ppt", "pptx"]
EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "doc", "docx"]


def _upload_path(instance, filename: str) -> str:
    return f"learning/{timezone.now():%Y}/{secrets.token_hex(8)}-{filename}"


class StudyPlan(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organization"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000),
                                                                   MaxValueValidator(2100)])
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(pgettext_lazy("learning", "introduction"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "organization__path"]
        verbose_name = _("study plan")
        verbose_name_plural = _("study plans")
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="uniq_study_plan")]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("learning:plan", args=[self.organization.code, self.year])


class MaterialKind(models.TextChoices):
    ARTICLE = "article", _("portal article")
    TALK = "talk", _("lecture-hall talk")
    FILE = "file", _("document")
    LINK = "link", _("external link")
    NONE = "none", _("named only")


class StudyPlanItem(models.Model):
    """One thing to study, in a month of the plan, with its material and the sessions."""

    plan = models.ForeignKey(StudyPlan, on_delete=models.CASCADE, related_name="items",
                             verbose_name=_("study plan"))
    order = models.PositiveIntegerField(_("order"), default=0)
    month = models.PositiveSmallIntegerField(pgettext_lazy("learning", "month"), null=True, blank=True,
                                             validators=[MinValueValidator(1), MaxValueValidator(12)])
    topic = models.CharField(pgettext_lazy("learning", "topic"), max_length=200)
    note = models.TextField(_("what to read for"), blank=True)
    article = models.ForeignKey(ArticlePage, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("portal article"))
    talk = models.ForeignKey(Talk, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("lecture-hall talk"))
    file = models.FileField(_("document"), upload_to=_upload_path, blank=True, max_length=300,
                            validators=[FileExtensionValidator(MATERIAL_EXTENSIONS)])
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    url = models.URLField(_("external link"), blank=True, max_length=500)
    sessions = models.ManyToManyField(
        Activity, blank=True, related_name="+", verbose_name=_("collective study sessions"),
        help_text=_("The activities of organizational life where this was studied."),
    )
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["plan", "month", "order", "pk"]
        verbose_name = _("study plan item")
        verbose_name_plural = _("study plan items")

    def __str__(self) -> str:
        return self.topic

    @property
    def kind(self) -> str:
        if self.article_id:
            return MaterialKind.ARTICLE
        if self.talk_id:
            return MaterialKind.TALK
        if self.file:
            return MaterialKind.FILE
        if self.url:
            return MaterialKind.LINK
        return MaterialKind.NONE

    @property
    def kind_label(self) -> str:
        return str(MaterialKind(self.kind).label)

    def clean(self) -> None:
        linked = [bool(self.article_id), bool(self.talk_id), bool(self.file), bool(self.url)]
        if sum(linked) > 1:
            raise ValidationError(_("An item links one material: an article, a talk, a document "
                                    "or a web address."))
        if self.url and not self.url.lower().startswith(("http://", "https://")):
            raise ValidationError({"url": _("A web address starts with http:// or https://.")})


class StudyNote(models.Model):
    """A member's study note (心得体会): read by the member and the secretary of the
    organization, and by its members when the author shares it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("author"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organization"))
    item = models.ForeignKey(StudyPlanItem, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="notes", verbose_name=_("on the plan item"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    shared = models.BooleanField(_("shared with the branch"), default=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("study note")
        verbose_name_plural = _("study notes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:note", args=[self.pk])

    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]


class TrainingCourse(models.Model):
    """A training course the organization recorded, with its hours and who completed it."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organization"))
    title = models.CharField(_("title"), max_length=200)
    provider = models.CharField(_("held by"), max_length=200, blank=True)
    starts_on = models.DateField(pgettext_lazy("learning", "from"))
    ends_on = models.DateField(pgettext_lazy("learning", "to"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1,
                                validators=[MinValueValidator(0), MaxValueValidator(500)])
    participants = models.ManyToManyField(Person, through="CourseParticipant", related_name="+",
                                          verbose_name=_("participants"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-ends_on", "-pk"]
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A course cannot end before it starts.")})


class CourseParticipant(models.Model):
    course = models.ForeignKey(TrainingCourse, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "person"], name="uniq_course_person")]

    def __str__(self) -> str:
        return f"{self.course_id} · {self.person_id}"


class TrainingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting approval")
    APPROVED = "approved", pgettext_lazy("training", "approved")
    RETURNED = "returned", _("returned")


class ExternalTraining(models.Model):
    """Training outside the organization (a Party school course, a ministry's class), submitted
    by the member with evidence; its hours count once the secretary approves it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("member"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organization"))
    title = models.CharField(_("title"), max_length=200)
    provider = models.CharField(_("held by"), max_length=200)
    starts_on = models.DateField(pgettext_lazy("learning", "from"))
    ends_on = models.DateField(pgettext_lazy("learning", "to"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1,
                                validators=[MinValueValidator(0.5), MaxValueValidator(500)])
    evidence = models.FileField(_("evidence"), upload_to=_upload_path, max_length=300,
                                validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
                                help_text=_("A certificate, a notice of the course or its "
                                            "attendance record."))
    evidence_name = models.CharField(_("file name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TrainingStatus.choices,
                              default=TrainingStatus.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(pgettext_lazy("training", "decided at"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("external training")
        verbose_name_plural = _("external training")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("Training cannot end before it starts.")})
