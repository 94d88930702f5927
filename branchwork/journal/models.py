"""The internal journal: a journal (内部刊物) of an organization, its issues, their sections and
the articles in them, in order.

An article (`JournalEntry`) is either taken from the portal (a live Wagtail page: an internal
or public article, rendered from the page's own title, byline and body) or written for the issue
(its own title, author and rich text body). An issue is a draft until an editor publishes it;
publishing notifies the members of the organizations on its distribution list, once. The print
version is a PDF built by the task worker (`IssueBuild`), rebuilt whenever the issue's content
changes; the web version is rendered from the same records.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField

from branchwork.core.models import Organization, Person
from branchwork.core.reversing import cached_reverse as reverse
from branchwork.reports.models import ExportStatus


def _is_english() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).lower().startswith("en")


class Journal(models.Model):
    """An internal journal, e.g. 《研究室党建通讯》, kept by one organization."""

    slug = models.SlugField(
        _("short name"), max_length=60, unique=True,
        help_text=_("Used in addresses, e.g. yjs-tongxun."),
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=120,
                               help_text=_("As printed on the cover, without 《》."))
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("organization"), help_text=_("The organization that edits the journal."),
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_zh", "pk"]
        verbose_name = _("journal")
        verbose_name_plural = _("journals")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if _is_english() and self.name_en:
            return self.name_en
        return self.name_zh

    @property
    def quoted_name(self) -> str:
        """The name as a title is quoted in running text: 《研究室党建通讯》."""
        if _is_english() and self.name_en:
            return self.name_en
        name = self.name_zh
        return name if name.startswith("《") else f"《{name}》"

    def get_absolute_url(self) -> str:
        return reverse("journal:journal", kwargs={"journal_slug": self.slug})


class IssueStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class JournalIssue(ClusterableModel):
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="issues",
                                verbose_name=_("journal"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("The issue's number in its year (期)."))
    published_on = models.DateField(_("date of issue"))
    editor = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("editor"))
    cover_note = models.TextField(_("cover note"), blank=True,
                                  help_text=_("A few lines printed on the cover."))
    status = models.CharField(_("status"), max_length=10, choices=IssueStatus.choices,
                              default=IssueStatus.DRAFT)
    distribution = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name=_("distribution"),
        help_text=_("Members of these organizations (and of those under them) are notified by "
                    "email when the issue is published."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    notified_at = models.DateTimeField(_("members notified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "-number", "-pk"]
        verbose_name = _("journal issue")
        verbose_name_plural = _("journal issues")
        constraints = [
            models.UniqueConstraint(fields=["journal", "year", "number"], name="uniq_journal_issue"),
        ]

    def __str__(self) -> str:
        return f"{self.journal.display_name} {self.label}"

    @property
    def label(self) -> str:
        """2026年第1期 / No. 1, 2026."""
        if _is_english():
            return f"No. {self.number}, {self.year}"
        return f"{self.year}年第{self.number}期"

    @property
    def is_published(self) -> bool:
        return self.status == IssueStatus.PUBLISHED

    def url_kwargs(self) -> dict:
        return {"journal_slug": self.journal.slug, "year": self.year, "number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("journal:issue", kwargs=self.url_kwargs())


class IssueCorrection(models.Model):
    """A published issue reopened for a correction: who, when and why. Published issues are
    locked; this is the only way back to a draft, and it is kept."""

    issue = models.ForeignKey(JournalIssue, on_delete=models.CASCADE, related_name="corrections")
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           related_name="+")
    by_name = models.CharField(_("by"), max_length=150)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("correction of an issue")
        verbose_name_plural = _("corrections of issues")

    def __str__(self) -> str:
        return f"{self.issue_id} {self.at:%Y-%m-%d} {self.by_name}"


class JournalSection(ClusterableModel):
    issue = ParentalKey(JournalIssue, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=100, help_text=_("e.g. 理论学习, 支部动态"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.title


class JournalEntry(models.Model):
    """An article of an issue: a portal page, or written for the issue."""

    section = ParentalKey(JournalSection, on_delete=models.CASCADE, related_name="entries")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        limit_choices_to={"live": True}, verbose_name=_("portal article"),
        help_text=_("An article of the portal (internal or public); leave empty to write one here."),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    author = models.CharField(_("author"), max_length=200, blank=True,
                              help_text=_("As printed under the title, e.g. 研究室 王浩然."))
    body = RichTextField(_("text"), blank=True)
    new_page = models.BooleanField(
        _("start on a new page"), default=False,
        help_text=_("In the PDF, articles run on one after another; tick to start this one on a new page."))

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        if self.title:
            return self.title
        return str(self.page) if self.page_id else "—"

    def clean(self) -> None:
        if self.page_id and (self.title or self.author or (self.body or "").strip()):
            raise ValidationError(_("An article is either taken from the portal or written for "
                                    "the issue, not both: clear the page or the text."))
        if not self.page_id and not self.title.strip():
            raise ValidationError({"title": _("Give the article a title, or choose a portal "
                                              "article.")})


class IssueRecipient(models.Model):
    """Who was notified of an issue: one row per address, so that nobody is notified twice."""

    issue = models.ForeignKey(JournalIssue, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    email = models.EmailField()
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "email"], name="uniq_issue_recipient"),
        ]

    def __str__(self) -> str:
        return self.email


class IssueBuild(models.Model):
    """One build of an issue's PDF. `fingerprint` is a digest of everything the PDF shows, so a
    build is current exactly while the issue still has that fingerprint."""

    issue = models.ForeignKey(JournalIssue, on_delete=models.CASCADE, related_name="builds")
    fingerprint = models.CharField(max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=ExportStatus.choices,
                              default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    file = models.FileField(upload_to="journal/%Y/", blank=True, max_length=300)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename or f"{self.issue_id}:{self.fingerprint[:8]}"

    @property
    def is_pending(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
