"""The record of an activity: attendance, resolutions and their result, attachments,
amendments."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey

from branchwork.core.models import ChoiceLabelsMixin, Organization, Person

from branchwork.activities.models.activity import Activity
from branchwork.activities.models.choices import (
    AttachmentKind,
    AttendanceRole,
    AttendanceStatus,
    MarkedVia,
    PRESENT_STATES,
    Speaking,
)


class Attendance(ChoiceLabelsMixin, models.Model):
    activity = ParentalKey(Activity, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="attendance",
        verbose_name=_("person"),
    )
    name = models.CharField(
        _("name"), max_length=120, blank=True,
        help_text=_("For an observer who is not in Branchwork."),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("expected through"),
    )
    role = models.CharField(
        _("role"), max_length=10, choices=AttendanceRole.choices, default=AttendanceRole.EXPECTED
    )
    voting = models.BooleanField(_("voting member"), default=True)
    status = models.CharField(
        _("attendance"), max_length=10, choices=AttendanceStatus.choices,
        default=AttendanceStatus.UNMARKED,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    marked_via = models.CharField(
        _("marked"), max_length=8, choices=MarkedVia.choices, blank=True, default=""
    )
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    makeup_on = models.DateField(_("make-up study on"), null=True, blank=True)
    makeup_note = models.CharField(_("make-up study note"), max_length=200, blank=True)
    speaking = models.CharField(
        _("spoke as"), max_length=12, choices=Speaking.choices, blank=True, default="",
        help_text=_("Whether the minutes record this person speaking or introducing a candidate."),
    )

    class Meta:
        ordering = ["role", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"], condition=Q(person__isnull=False),
                name="uniq_attendance_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name}: {self.get_status_display()}"

    @property
    def display_name(self) -> str:
        return self.person.display_name if self.person_id else self.name

    @property
    def is_present(self) -> bool:
        return self.status in PRESENT_STATES


class Resolution(models.Model):
    activity = ParentalKey(Activity, on_delete=models.CASCADE, related_name="resolutions")
    order = models.PositiveIntegerField(default=0)
    text = models.TextField(_("resolution"))
    votes_for = models.PositiveIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstentions"), null=True, blank=True)
    subject_person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("about (person)"),
        help_text=_("The person the matter is about (the candidate admitted, the member "
                    "disciplined): they do not vote on it."),
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def has_votes(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against, self.votes_abstain))

    @property
    def votes_cast(self) -> int:
        return sum(v or 0 for v in (self.votes_for, self.votes_against, self.votes_abstain))

    def outcome(self, voting_expected: int) -> bool | None:
        """Passed or not, from the counts: more than half of the members with voting rights who
        were expected voted for it (Regulations on the Work of Party Branches, Art. 11). None
        when no vote is recorded."""
        return resolution_passes(self.votes_for, voting_expected)


def resolution_passes(votes_for: int | None, voting_expected: int) -> bool | None:
    """More than half of `voting_expected` in favour; None when no vote is recorded."""
    if votes_for is None:
        return None
    return voting_expected > 0 and 2 * votes_for > voting_expected


def attachment_path(instance, filename: str) -> str:
    return f"activities/{instance.activity_id}/{secrets.token_hex(8)}-{filename}"


class Attachment(models.Model):
    """A photo or a material of an activity; served only through a permission-checked view."""

    activity = ParentalKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=200)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "order", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.caption or self.filename


class Amendment(models.Model):
    """A change to a locked record: who, when, why and what.

    What changed is data (`entries`: field, old, new, with person ids; see
    branchwork.activities.amendments), rendered in the reader's language when read.
    `legacy_note` keeps the part of an amendment recorded before that which could not be read
    back into entries, as it was written then."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="amendments")
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by_name = models.CharField(_("by"), max_length=150)
    reason = models.TextField(_("reason"))
    entries = models.JSONField(_("changes"), default=list, blank=True)
    legacy_note = models.TextField(_("as recorded before structured changes"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.by_name}: {self.reason[:40]}"

    @property
    def by_display(self) -> str:
        """The amending person's name in the reader's language (as stored if no longer known)."""
        person = getattr(self.by, "person", None) if self.by_id else None
        return person.display_name if person is not None else self.by_name

    @property
    def changes(self) -> dict[str, list[str]]:
        """What changed, in the active language, as plain text: {what: [before, after]} (for the
        ledger and the API; pages use `amendments.with_lines`)."""
        from branchwork.activities import amendments

        result = {line.label: [line.old, line.new] for line in amendments.lines(self)}
        if self.legacy_note:
            result[str(_("as recorded before structured changes"))] = ["", self.legacy_note]
        return result
