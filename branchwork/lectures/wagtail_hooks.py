"""The lecture hall in the back office, on /my/ and in the demo."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from branchwork.core.hooks import LOAD_DEMO_HOOK, MY_PAGE_PANELS, MyPagePanel
from branchwork.lectures.models import LectureSeries, Talk


class SeriesAdminViewSet(ModelViewSet):
    model = LectureSeries
    icon = "list-ul"
    menu_label = _("Lecture series")
    form_fields = ["organization", "title", "description"]
    list_display = ["title", "organization"]
    search_fields = ["title"]
    copy_view_enabled = False


class TalkAdminViewSet(ModelViewSet):
    model = Talk
    icon = "media"
    menu_label = _("Talks")
    form_fields = ["organization", "series", "topic", "date", "place", "speaker", "speaker_name",
                   "speaker_affiliation", "abstract", "activity", "slides", "recording"]
    list_display = ["topic", "date", "speaker", "speaker_name", "series"]
    list_filter = ["series", "organization"]
    search_fields = ["topic", "speaker_name", "abstract"]
    copy_view_enabled = False


class LectureHallGroup(ModelViewSetGroup):
    menu_label = _("Lecture hall")
    menu_icon = "media"
    items = (TalkAdminViewSet("talks"), SeriesAdminViewSet("lecture_series"))


@hooks.register("register_admin_viewset")
def register_lectures_admin():
    return LectureHallGroup()


@hooks.register(MY_PAGE_PANELS)
def upcoming_talks_panel(request) -> MyPagePanel | None:
    from branchwork.core import permissions
    from branchwork.lectures import selectors
    from branchwork.lectures.models import Talk

    if not permissions.can(request.user, "read", Talk):
        return None
    talks = selectors.next_talks(request.user, limit=5)
    if not talks:
        return None
    return MyPagePanel(title=_("Lecture hall"), template="lectures/panels/upcoming.html",
                       context={"talks": talks}, order=45)


@hooks.register(LOAD_DEMO_HOOK)
def load_lectures_demo(*, stdout) -> None:
    from branchwork.lectures import demo

    demo.load_demo(stdout=stdout)
