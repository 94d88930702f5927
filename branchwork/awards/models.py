"""Awards (评奖) and the competitions run here (竞赛): a Party-course competition, a youth research
award.

An `Award` records a prize someone received, internal or external: the awarding body, its level,
the year, the grade (一等奖…, rows of `AwardGrade`), the recipients (people, or guests by name as
printed) and the research output or lecture-hall talk it was for.

A `Competition` has a call (dates, closing date, organizing organization), eligibility rules as
data (`EligibilityRule`: an age limit on the closing date, membership of an organization, the kind
of entry, the number of entrants), entries, judges with declared conflicts, criteria with weights
and per-criterion scores (exact decimals), optionally blind, and results computed from the scores
(`results.py`) with the grades it awards (`Prize`: how many places of each grade). Its state moves
draft → open → closed → scoring → published, each change under the row's lock (services).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from branchwork.core.language import in_language
from branchwork.core.models import ChoiceLabelsMixin, Organization, Person
from branchwork.core.reversing import cached_reverse as reverse
from branchwork.lectures.models import Talk
from branchwork.research.models import Output, OutputKind

ENTRY_EXTENSIONS = ["pdf", "doc", "docx", "odt", "wps", "ppt", "pptx"]


def _upload_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"awards/{timezone.now():%Y}/{secrets.token_hex(8)}.{ext}"



class AwardGrade(models.Model):
    """A grade of award, as data: 特等奖, 一等奖, 二等奖, 三等奖, 优秀奖 (migration 0002)."""

    code = models.SlugField(unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=60)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("grade of award")
        verbose_name_plural = _("grades of award")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name_zh, self.name_en)


class Scope(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")


class BodyLevel(models.TextChoices):
    """The level of the awarding body."""

    NATIONAL = "national", _("National")
    MINISTRY = "ministry", _("Ministry or province")
    INSTITUTION = "institution", _("The institution")
    OTHER = "other", _("Other")


# --- Awards ---


class Award(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organization"),
                                     help_text=_("The organization that records the award."))
    title = models.CharField(_("award"), max_length=200, help_text=_("The award's name, as given."))
    scope = models.CharField(_("internal or external"), max_length=10, choices=Scope.choices,
                             default=Scope.EXTERNAL)
    body = models.CharField(_("awarding body"), max_length=200)
    level = models.CharField(pgettext_lazy("awards", "level"), max_length=12, choices=BodyLevel.choices)
    grade = models.ForeignKey(AwardGrade, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("grade"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990),
                                                                   MaxValueValidator(2100)])
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True)
    output = models.ForeignKey(Output, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("research output"))
    talk = models.ForeignKey(Talk, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("lecture-hall talk"))
    entry = models.OneToOneField("Entry", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="award", verbose_name=_("competition entry"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Raised by every edit: an edit based on an older version is refused (services).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "-awarded_on", "-pk"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        indexes = [models.Index(fields=["organization", "year"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("awards:award", kwargs={"org_code": self.organization.code, "award_id": self.pk})

    def clean(self) -> None:
        if self.awarded_on is not None and self.awarded_on.year != self.year:
            raise ValidationError({"awarded_on": _("The date is not in the award's year.")})


class AwardRecipient(models.Model):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="recipients")
    position = models.PositiveSmallIntegerField(default=1)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    guest_name = models.CharField(_("guest"), max_length=120, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.person.display_name if self.person_id else self.guest_name


# --- Competitions ---


class CompetitionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for entries")
    CLOSED = "closed", _("Closed for entries")
    SCORING = "scoring", _("Scoring")
    PUBLISHED = "published", _("Results published")


class Method(models.TextChoices):
    MEAN = "mean", _("Mean of the judges' totals")
    WEIGHTED = "weighted", _("Mean of the judges' weighted totals")


class Competition(ChoiceLabelsMixin, models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organizing organization"))
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    call = models.TextField(_("call"), blank=True, help_text=_("What is asked for, and how."))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closing date"), help_text=_("The last day entries are taken."))
    results_on = models.DateField(_("results expected on"), null=True, blank=True)
    blind = models.BooleanField(_("blind scoring"), default=False,
                                help_text=_("Judges see neither the entrants' names nor their organizations."))
    method = models.CharField(_("result"), max_length=10, choices=Method.choices, default=Method.MEAN)
    status = models.CharField(_("status"), max_length=10, choices=CompetitionStatus.choices,
                              default=CompetitionStatus.DRAFT)
    award_level = models.CharField(_("level of its awards"), max_length=12, choices=BodyLevel.choices,
                                   default=BodyLevel.INSTITUTION)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Raised by every change of its settings (rules, criteria, prizes included): an edit based
    # on an older version is refused (services).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-closes_on", "-pk"]
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return in_language(self.title, self.title_en)

    def get_absolute_url(self) -> str:
        return reverse("awards:competition",
                       kwargs={"org_code": self.organization.code, "competition_id": self.pk})

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The closing date comes after the opening date.")})


class RuleKind(models.TextChoices):
    MAX_AGE = "max_age", _("Age limit on the closing date")
    MEMBER_OF = "member_of", _("Membership of an organization on the closing date")
    ENTRY_KIND = "entry_kind", _("Kind of entry")
    MAX_ENTRANTS = "max_entrants", _("Number of entrants")


class EntryKind(models.TextChoices):
    OUTPUT = "output", _("a research output")
    TALK = "talk", _("a lecture-hall talk")


class EligibilityRule(models.Model):
    """One condition an entry must meet, as data. `number` is the age limit (years, inclusive) or
    the most entrants; `organization` the one entrants belong to (or one under it); `entry_kind`
    and `output_kind` what the entry must link."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("rule"), max_length=20, choices=RuleKind.choices)
    number = models.PositiveSmallIntegerField(_("limit"), null=True, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("organization"))
    entry_kind = models.CharField(_("entry links"), max_length=10, choices=EntryKind.choices, blank=True)
    output_kind = models.ForeignKey(OutputKind, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("kind of output"))
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")

    def __str__(self) -> str:
        from branchwork.awards.eligibility import describe

        return describe(self)

    def clean(self) -> None:
        if self.kind in (RuleKind.MAX_AGE, RuleKind.MAX_ENTRANTS) and not self.number:
            raise ValidationError({"number": _("Give the number this rule is about.")})
        if self.kind == RuleKind.MEMBER_OF and self.organization_id is None:
            raise ValidationError({"organization": _("Give the organization entrants must belong to.")})
        if self.kind == RuleKind.ENTRY_KIND and not self.entry_kind:
            raise ValidationError({"entry_kind": _("Say what an entry must link.")})


class Criterion(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=100)
    name_en = models.CharField(_("criterion in English"), max_length=160, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0.01"))])
    max_score = models.DecimalField(_("highest score"), max_digits=6, decimal_places=2,
                                    default=Decimal("100"), validators=[MinValueValidator(Decimal("0.01"))])
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_en)


class Prize(models.Model):
    """How many places of a grade the competition awards, best first (一等奖 2, 二等奖 3…)."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="prizes")
    grade = models.ForeignKey(AwardGrade, on_delete=models.PROTECT, related_name="+", verbose_name=_("grade"))
    places = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["grade__position", "pk"]
        constraints = [models.UniqueConstraint(fields=["competition", "grade"], name="awards_prize_unique")]

    def __str__(self) -> str:
        return f"{self.grade_id} × {self.places}"


class Entry(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="entries")
    number = models.PositiveIntegerField(_("entry number"), help_text=_("What judges know the entry by."))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("entrants' organization"))
    title = models.CharField(_("title"), max_length=200)
    abstract = models.TextField(_("abstract"), blank=True)
    output = models.ForeignKey(Output, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("research output"))
    talk = models.ForeignKey(Talk, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("lecture-hall talk"))
    file = models.FileField(_("file"), upload_to=_upload_path, blank=True, max_length=300,
                            validators=[FileExtensionValidator(ENTRY_EXTENSIONS)])
    submitted_on = models.DateField(_("entered on"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    # The result, written when the competition's results are published (results.py computes it).
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    tied = models.BooleanField(default=False)
    grade = models.ForeignKey(AwardGrade, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["number"]
        verbose_name = _("competition entry")
        verbose_name_plural = _("competition entries")
        constraints = [models.UniqueConstraint(fields=["competition", "number"], name="awards_entry_number")]

    def __str__(self) -> str:
        return f"#{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("awards:entry", kwargs={"org_code": self.competition.organization.code,
                                               "competition_id": self.competition_id, "entry_id": self.pk})

    @property
    def code(self) -> str:
        return f"{self.number:03d}"


class Entrant(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="entrants")
    position = models.PositiveSmallIntegerField(default=1)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    guest_name = models.CharField(_("guest"), max_length=120, blank=True)
    born_on = models.DateField(_("date of birth"), null=True, blank=True,
                               help_text=_("Asked where the competition has an age limit."))

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.person.display_name if self.person_id else self.guest_name


class Judge(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="judges")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("judge"))
    added_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        constraints = [models.UniqueConstraint(fields=["competition", "person"], name="awards_judge_unique")]

    def __str__(self) -> str:
        return str(self.person_id)


class JudgeConflict(models.Model):
    """A conflict of interest a judge declared (or the organizers recorded) with an entry."""

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="conflicts")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["judge", "entry"], name="awards_conflict_unique")]

    def __str__(self) -> str:
        return f"{self.judge_id}/{self.entry_id}"


class Score(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0"))])
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "judge", "criterion"], name="awards_score_unique")]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.judge_id}/{self.criterion_id}={self.value}"
