"""The journal in the back office, on /my/ and in the demo.

Back office: journals, issues (with their sections inline) and sections (with their articles
inline, the rich text editor with images) for staff with the model permissions. Publishing —
which notifies members — is done from the issue's page on the site, not here, so the status and
the notification fields are not in these forms.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail.admin.views.generic.models import DeleteView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from branchwork.core.hooks import LOAD_DEMO_HOOK, MY_PAGE_PANELS, MyPagePanel
from branchwork.journal.models import IssueStatus, Journal, JournalIssue, JournalSection

LOCKED = _("This issue is published and locked: reopen it for a correction on its page on the "
           "site, saying why, before changing it.")


class DraftIssueForm(WagtailAdminModelForm):
    """The back office edits a draft issue only; a published one is locked (services.issue_reopen)."""

    def clean(self):
        data = super().clean()
        if self.instance.pk and _published(self.instance.pk):
            raise ValidationError(LOCKED)
        return data


class DraftSectionForm(WagtailAdminModelForm):
    """A section (and its articles) of a published issue is locked with it, as is moving a
    section into a published issue."""

    def clean(self):
        data = super().clean()
        issue_ids = {data["issue"].pk} if data.get("issue") else set()
        if self.instance.pk:
            issue_ids.add(JournalSection.objects.filter(pk=self.instance.pk)
                          .values_list("issue_id", flat=True).first())
        if JournalIssue.objects.filter(pk__in=issue_ids, status=IssueStatus.PUBLISHED).exists():
            raise ValidationError(LOCKED)
        return data


def _published(issue_id) -> bool:
    return JournalIssue.objects.filter(pk=issue_id, status=IssueStatus.PUBLISHED).exists()


class DraftOnlyDeleteView(DeleteView):
    """Deleting a published issue, or a section of one, is refused as editing it is."""

    def form_valid(self, form):
        obj = self.object
        if _published(obj.pk if isinstance(obj, JournalIssue) else obj.issue_id):
            messages.error(self.request, LOCKED)
            return redirect(self.get_success_url())
        return super().form_valid(form)


class JournalAdminViewSet(ModelViewSet):
    model = Journal
    icon = "doc-full"
    menu_label = _("Journals")
    form_fields = ["name_zh", "name_en", "slug", "organization", "description"]
    list_display = ["name_zh", "name_en", "slug", "organization"]
    search_fields = ["name_zh", "name_en", "slug"]
    copy_view_enabled = False


class IssueAdminViewSet(ModelViewSet):
    model = JournalIssue
    icon = "doc-full-inverse"
    menu_label = _("Journal issues")
    edit_handler = ObjectList([
        FieldPanel("journal"), FieldPanel("year"), FieldPanel("number"), FieldPanel("published_on"),
        FieldPanel("editor"), FieldPanel("cover_note"), FieldPanel("distribution"),
        InlinePanel("sections", label=_("sections")),
    ], base_form_class=DraftIssueForm)
    delete_view_class = DraftOnlyDeleteView
    list_display = ["__str__", "published_on", "editor", "status"]
    list_filter = ["journal", "year", "status"]
    copy_view_enabled = False


class SectionAdminViewSet(ModelViewSet):
    model = JournalSection
    icon = "list-ul"
    menu_label = _("Journal sections")
    edit_handler = ObjectList([
        FieldPanel("issue"), FieldPanel("title"), FieldPanel("order"),
        InlinePanel("entries", label=_("articles")),
    ], base_form_class=DraftSectionForm)
    delete_view_class = DraftOnlyDeleteView
    list_display = ["title", "issue", "order"]
    list_filter = ["issue__journal", "issue"]
    search_fields = ["title"]
    copy_view_enabled = False


class JournalGroup(ModelViewSetGroup):
    menu_label = _("Internal journal")
    menu_icon = "doc-full"
    items = (JournalAdminViewSet("journals"), IssueAdminViewSet("journal_issues"),
             SectionAdminViewSet("journal_sections"))


@hooks.register("register_admin_viewset")
def register_journal_admin():
    return JournalGroup()


@hooks.register(MY_PAGE_PANELS)
def latest_issues_panel(request) -> MyPagePanel | None:
    from branchwork.journal import selectors

    issues = selectors.latest_issues(request.user)
    if not issues:
        return None
    return MyPagePanel(title=_("Internal journal"), template="journal/panels/latest.html",
                       context={"issues": issues}, order=40)


@hooks.register(LOAD_DEMO_HOOK)
def load_journal_demo(*, stdout) -> None:
    from branchwork.journal import demo

    demo.load_demo(stdout=stdout)
