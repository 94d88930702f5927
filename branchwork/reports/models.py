"""Built documents: a ledger export requested from the UI is built by the task worker and kept
here until downloaded (the page polls its progress)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from branchwork.core.models import Organization


class ExportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", _("Word (DOCX)")
    XLSX = "xlsx", _("Excel (XLSX)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("building")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class LedgerExport(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    type_code = models.CharField(_("type"), max_length=40, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    file = models.FileField(upload_to="ledgers/%Y/", blank=True, max_length=300)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename or f"{self.organization.code} {self.year} {self.format}"
