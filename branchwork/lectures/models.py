"""The lecture hall: talks given to members, in series.

A talk has a speaker (a person in Branchwork, or a guest named as they should be printed, with
their affiliation), a date, a topic and an abstract, slides and a recording as attachments
(internal files, served only through a permission-checked view) and, when it was part of a
collective study, the activity it was given at. A series (青年理论讲堂) has an archive page.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branchwork.activities.models import Activity
from branchwork.core.models import Organization, Person
from branchwork.core.reversing import cached_reverse as reverse

# The rulebook type a talk's activity must count as.
COLLECTIVE_STUDY = "collective_study"
SLIDE_EXTENSIONS = ["pdf", "ppt", "pptx", "odp", "key"]
RECORDING_EXTENSIONS = ["mp3", "m4a", "wav", "ogg", "mp4", "webm", "mov"]


def _upload_path(instance, filename: str) -> str:
    return f"lectures/{timezone.now():%Y}/{secrets.token_hex(8)}-{filename}"


class LectureSeries(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"),
        help_text=_("The organization that runs the series."),
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("lecture series")
        verbose_name_plural = _("lecture series")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lectures:series", kwargs={"series_id": self.pk})


class TalkQuerySet(models.QuerySet):
    def with_list_data(self):
        return self.select_related("series", "speaker__unit", "organization", "activity__organization")


class Talk(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"),
        help_text=_("The organization that holds the talk."),
    )
    series = models.ForeignKey(LectureSeries, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="talks", verbose_name=_("series"))
    speaker = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("speaker"))
    speaker_name = models.CharField(
        _("guest speaker"), max_length=120, blank=True,
        help_text=_("A speaker who is not in Branchwork, as their name should be printed."),
    )
    speaker_affiliation = models.CharField(
        _("affiliation"), max_length=200, blank=True,
        help_text=_("The speaker's unit and title, e.g. 某大学马克思主义学院教授."),
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    abstract = models.TextField(_("abstract"), blank=True)
    slides = models.FileField(
        _("slides"), upload_to=_upload_path, blank=True, max_length=300,
        validators=[FileExtensionValidator(SLIDE_EXTENSIONS)],
    )
    slides_name = models.CharField(max_length=200, blank=True)
    recording = models.FileField(
        _("recording"), upload_to=_upload_path, blank=True, max_length=300,
        validators=[FileExtensionValidator(RECORDING_EXTENSIONS)],
    )
    recording_name = models.CharField(max_length=200, blank=True)
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        limit_choices_to={"type_tags__code": COLLECTIVE_STUDY}, verbose_name=_("collective study"),
        help_text=_("The collective study the talk was part of, if it counts as one."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TalkQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("talk")
        verbose_name_plural = _("talks")
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("lectures:talk", kwargs={"talk_id": self.pk})

    @property
    def speaker_display(self) -> str:
        if self.speaker_id and self.speaker is not None:
            return self.speaker.display_name
        return self.speaker_name

    @property
    def affiliation_display(self) -> str:
        if self.speaker_affiliation:
            return self.speaker_affiliation
        if self.speaker_id and self.speaker is not None:
            unit = self.speaker.unit.display_name if self.speaker.unit_id else ""
            return " ".join(x for x in (unit, self.speaker.display_position) if x)
        return ""

    @property
    def is_upcoming(self) -> bool:
        return self.date >= timezone.localdate()

    def indexed_files(self) -> list:
        """The search index takes in the text of the slides with the talk's own."""
        return [self.slides] if self.slides else []

    def clean(self) -> None:
        if not self.speaker_id and not self.speaker_name.strip():
            raise ValidationError({"speaker": _("Choose the speaker, or name a guest speaker.")})
        if self.speaker_id and self.speaker_name.strip():
            raise ValidationError({"speaker_name": _("Either a speaker from Branchwork or a guest, "
                                                     "not both.")})
        if self.activity_id and not self.activity.type_tags.filter(code=COLLECTIVE_STUDY).exists():
            raise ValidationError({"activity": _("Only an activity that counts as collective "
                                                 "study can be linked.")})
