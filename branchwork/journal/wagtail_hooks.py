"""The journal in the back office, on /my/ and in the demo.

Back office: journals, issues (with their sections inline) and sections (with their articles
inline, the rich text editor with images) for staff with the model permissions. Publishing —
which notifies members — is done from the issue's page on the site, not here, so the status and
the notification fields are not in these forms.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from branchwork.core.hooks import LOAD_DEMO_HOOK, MY_PAGE_PANELS, MyPagePanel
from branchwork.journal.models import Journal, JournalIssue, JournalSection


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
    panels = [
        FieldPanel("journal"), FieldPanel("year"), FieldPanel("number"), FieldPanel("published_on"),
        FieldPanel("editor"), FieldPanel("cover_note"), FieldPanel("distribution"),
        InlinePanel("sections", label=_("sections")),
    ]
    list_display = ["__str__", "published_on", "editor", "status"]
    list_filter = ["journal", "year", "status"]
    copy_view_enabled = False


class SectionAdminViewSet(ModelViewSet):
    model = JournalSection
    icon = "list-ul"
    menu_label = _("Journal sections")
    panels = [
        FieldPanel("issue"), FieldPanel("title"), FieldPanel("order"),
        InlinePanel("entries", label=_("articles")),
    ]
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
