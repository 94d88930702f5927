"""Learning on /my/ (a member's hours this year: one query) and in the demo."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from branchwork.core.hooks import LOAD_DEMO_HOOK, MY_PAGE_PANELS, MyPagePanel


@hooks.register(MY_PAGE_PANELS)
def hours_panel(request) -> MyPagePanel | None:
    from branchwork.core import permissions
    from branchwork.learning import selectors

    access = permissions.reader(request.user)
    if access.person_id is None or not access.is_member:
        return None
    row = selectors.person_hours(request.user.person, timezone.localdate().year)
    return MyPagePanel(title=_("My training hours"), template="learning/panels/hours.html",
                       context={"row": row}, order=50)


@hooks.register(LOAD_DEMO_HOOK)
def load_learning_demo(*, stdout) -> None:
    from branchwork.learning import demo

    demo.load_demo(stdout=stdout)
