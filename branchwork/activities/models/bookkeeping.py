"""What is derived from the records or kept beside them: credits (what an activity counts
for), calendar feeds, reminders sent, import jobs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branchwork.core.models import Organization, Person
from branchwork.core.reversing import cached_reverse as reverse

from branchwork.activities.models.activity import Activity, new_token
from branchwork.activities.models.choices import ImportStatus, ReminderKind


class Credit(models.Model):
    """Derived: what one activity counts for one organization and type (kept by services)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="credits")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=40)
    on = models.DateField()  # local date in the deployment's time zone
    # The year it counts for: the activity's year covered for a yearly type, else the year of `on`.
    year = models.PositiveSmallIntegerField(default=0)
    held = models.BooleanField()
    counted = models.BooleanField()  # held, and with quorum where the type has one
    present = models.PositiveIntegerField(default=0)  # quorum: present of base
    base = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.code} {self.on} → {self.organization_id}"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "organization", "code"], name="uniq_credit"),
        ]
        indexes = [models.Index(fields=["organization", "code", "on"]),
                   models.Index(fields=["organization", "year"])]

    @property
    def without_quorum(self) -> bool:
        return self.held and not self.counted


class CalendarFeed(models.Model):
    """A private iCal address: one per person and one per organization."""

    token = models.CharField(max_length=64, unique=True, default=new_token)
    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feed"
    )
    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feed"
    )

    def __str__(self) -> str:
        return f"calendar of person {self.person_id}" if self.person_id else f"calendar of organization {self.organization_id}"

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, organization__isnull=True)
                | Q(person__isnull=True, organization__isnull=False),
                name="calendar_feed_one_owner",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("calendar_feed", args=[self.token])


class Reminder(models.Model):
    """A sent notice or digest, so that the same one is never sent twice."""

    kind = models.CharField(max_length=8, choices=ReminderKind.choices)
    key = models.CharField(max_length=200, unique=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key

    class Meta:
        ordering = ["-sent_at"]


class ImportJob(models.Model):
    """An import of past records started from the web page and run as a task
    (activities.tasks.run_activity_import), so that a long file does not hold a request: the
    page shows its stage and progress until it is done, refused (with every error) or failed.
    The file is kept here (it is bounded by settings.IMPORT_LIMITS) until the job ends."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("file"), max_length=255)
    data = models.BinaryField(editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    rows = models.PositiveIntegerField(default=0)  # records in the file, once read
    encoding = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=16, blank=True)  # of the page: messages in it
    imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{row, column, problem, message}]
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED)

    def get_absolute_url(self) -> str:
        return reverse("activities:import_job", args=[self.organization.code, self.pk])
