"""The programme side of an event: its timetable (sessions), the invitations sent to its
participants and their answers, the visa letters and their approval, and who was present on
which day or at which session. Imported by `exchanges.models`, so Django sees them there.

Letters and invitations hold no copy of passport data: a letter's PDF is built from the
participant when it is downloaded or sent, so the purge after the retention date reaches it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from branchwork.core.language import is_chinese


class Session(models.Model):
    """One slot of an event's timetable: a day, a time, a room and the languages interpreted."""

    event = models.ForeignKey("exchanges.Event", on_delete=models.CASCADE, related_name="sessions")
    day = models.DateField(_("day"))
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"))
    title_zh = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    room = models.CharField(_("room"), max_length=200, blank=True)
    interpretation = models.CharField(
        _("interpretation languages"), max_length=200, blank=True,
        help_text=_("The languages interpreted into, separated by commas."))

    class Meta:
        ordering = ["day", "starts_at", "pk"]
        verbose_name = _("session")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_zh if is_chinese() or not self.title_en else self.title_en

    @property
    def languages(self) -> list[str]:
        return [x.strip() for x in self.interpretation.replace("，", ",").replace("、", ",").split(",") if x.strip()]

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A session ends after it starts.")})
        event = self.event if self.event_id else None
        if event and self.day and not (event.starts_on <= self.day <= event.ends_on):
            raise ValidationError({"day": _("The day must fall within the event's dates.")})


class InvitationTemplate(models.Model):
    """The event's invitation mail, in Chinese and English. The texts may name {name}, {event},
    {dates}, {place} and {link}; nothing else in them is read as a placeholder."""

    PLACEHOLDERS = ("{name}", "{event}", "{dates}", "{place}", "{link}")

    event = models.OneToOneField("exchanges.Event", on_delete=models.CASCADE, related_name="invitation_template")
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_zh = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"))

    class Meta:
        verbose_name = _("invitation template")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.event_id}"

    def clean(self) -> None:
        for field in ("body_zh", "body_en"):
            if "{link}" not in getattr(self, field):
                raise ValidationError({field: _("The text must hold {link}, the guest's personal link.")})


class InvitationAnswer(models.TextChoices):
    NONE = "", _("No answer yet")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Invitation(models.Model):
    """The invitation of one participant: when it was asked for and sent, and the answer given
    through the personal link."""

    participant = models.OneToOneField("exchanges.Participant", on_delete=models.CASCADE,
                                       related_name="invitation")
    requested_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=10, choices=InvitationAnswer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class LetterTemplate(models.Model):
    """The event's visa invitation letter, in Chinese and English, signed by an official. The
    texts may name {name}, {event}, {dates} and {place}."""

    event = models.OneToOneField("exchanges.Event", on_delete=models.CASCADE, related_name="letter_template")
    body_zh = models.TextField(_("letter (Chinese)"))
    body_en = models.TextField(_("letter (English)"))
    signatory_zh = models.CharField(_("signed by (Chinese)"), max_length=200)
    signatory_en = models.CharField(_("signed by (English)"), max_length=200)

    class Meta:
        verbose_name = _("letter template")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.event_id}"


class LetterState(models.TextChoices):
    DRAFT = "draft", _("Draft, awaiting approval")
    APPROVED = "approved", pgettext_lazy("exchanges", "Approved")


class Letter(models.Model):
    """A visa invitation letter for one participant. Drafted by an event's manager, approved by
    foreign-affairs staff other than the drafter (`services_letters.letter_approve`); only an
    approved letter is downloaded or sent."""

    participant = models.OneToOneField("exchanges.Participant", on_delete=models.CASCADE,
                                       related_name="letter")
    state = models.CharField(_("state"), max_length=10, choices=LetterState.choices, default=LetterState.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation letter")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("exchanges:letter_pdf", args=[self.participant.event_id, self.pk])


class Presence(models.Model):
    """A participant seen at the door: on a day, or at one session. One row each, so a second
    scan finds the first."""

    participant = models.ForeignKey("exchanges.Participant", on_delete=models.CASCADE, related_name="presences")
    day = models.DateField()
    session = models.ForeignKey(Session, on_delete=models.CASCADE, null=True, blank=True, related_name="presences")
    scanned_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "day"], condition=Q(session__isnull=True),
                                    name="presence_once_a_day"),
            models.UniqueConstraint(fields=["participant", "session"], condition=Q(session__isnull=False),
                                    name="presence_once_a_session"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.day:%Y-%m-%d} {self.session_id or ''}"
