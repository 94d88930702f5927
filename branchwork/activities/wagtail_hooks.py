import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from branchwork.core import permissions
from branchwork.core.hooks import LOAD_DEMO_HOOK, MY_PAGE_PANELS, MyPagePanel


@hooks.register("register_log_actions")
def register_activity_log_actions(actions):
    """The sign-off steps, logged with each revision of an activity's record."""
    actions.register_action("branchwork.submit", _("Submit minutes"), _("Minutes submitted"))
    actions.register_action("branchwork.return", _("Send minutes back"), _("Minutes sent back"))
    actions.register_action("branchwork.approve", _("Approve and lock"), _("Minutes approved and locked"))
    actions.register_action("branchwork.amend", _("Amend"), _("Locked record amended"))
    actions.register_action("branchwork.cancel", _("Cancel"), _("Activity cancelled"))


@hooks.register(MY_PAGE_PANELS)
def my_activities_panel(request) -> MyPagePanel | None:
    """What is coming up for me, what waits for me (minutes to write or approve), my calendar."""
    from branchwork.activities import feeds
    from branchwork.activities.models import Activity, ActivityStatus

    person = getattr(request.user, "person", None)
    if person is None:
        return None
    now = timezone.now()
    upcoming = list(
        Activity.objects.filter(attendance__person=person, starts_at__gte=now - datetime.timedelta(hours=12),
                                starts_at__lte=now + datetime.timedelta(days=45))
        .exclude(status=ActivityStatus.CANCELLED).select_related("organization")
        .order_by("starts_at")[:10]
    )
    waiting = list(
        permissions.visible(request.user, Activity).filter(
            Q(recorder=person, status=ActivityStatus.HELD) | Q(host=person, status=ActivityStatus.SUBMITTED)
        ).select_related("organization").order_by("starts_at")[:20]
    )
    feed = feeds.feed_for_person(person)
    return MyPagePanel(
        title=_("My activities"),
        template="activities/panels/my_activities.html",
        context={"upcoming": upcoming, "waiting": waiting, "feed_url": request.build_absolute_uri(
            feed.get_absolute_url()), "person": person},
        order=5,
    )


@hooks.register(LOAD_DEMO_HOOK)
def load_activities_demo(*, stdout) -> None:
    from branchwork.activities import demo

    demo.load_demo(stdout=stdout)
