import datetime

from django.db.models import Count, Q
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


# How far back /my/ keeps the activities a member was expected at (with their own attendance).
RECENT_DAYS = 60


@hooks.register(MY_PAGE_PANELS)
def my_activities_panel(request) -> MyPagePanel | None:
    """What is coming up for me (with when check-in opens), what waits for me (minutes to write
    or approve), what I was at recently and how I was marked, my calendar."""
    from branchwork.activities import checkin, feeds
    from branchwork.activities.models import Activity, ActivityStatus, Attendance, AttendanceStatus

    person = permissions.reader(request.user).person
    if person is None:
        return None
    now = timezone.now()
    mine = Attendance.objects.filter(person=person).exclude(activity__status=ActivityStatus.CANCELLED)
    # Coming up (the next 45 days, from 12 hours ago) and the last RECENT_DAYS before that: one
    # query over both windows, split here; the records' long texts stay behind.
    split = now - datetime.timedelta(hours=12)
    rows = list(mine.filter(activity__starts_at__gte=now - datetime.timedelta(days=RECENT_DAYS),
                            activity__starts_at__lte=now + datetime.timedelta(days=45))
                .select_related("activity__organization")
                .defer("activity__minutes", "activity__agenda", "activity__return_comment")
                .order_by("activity__starts_at", "pk"))
    upcoming = [row for row in rows if row.activity.starts_at >= split][:10]
    for row in upcoming:
        row.checkin = checkin.state(row.activity, now)
    recent = [row for row in reversed(rows) if row.activity.starts_at < split][:20]
    year_rows = mine.filter(activity__starts_at__lt=now,
                            activity__starts_at__gte=now - datetime.timedelta(days=365),
                            activity__status__in=[ActivityStatus.HELD, ActivityStatus.SUBMITTED,
                                                  ActivityStatus.LOCKED])
    tally = dict(year_rows.values_list("status").annotate(n=Count("pk")).order_by())
    summary = [(label, tally.get(value, 0)) for value, label in AttendanceStatus.choices
               if value != AttendanceStatus.UNMARKED]
    waiting = list(
        permissions.visible(request.user, Activity).filter(
            Q(recorder=person, status=ActivityStatus.HELD) | Q(host=person, status=ActivityStatus.SUBMITTED)
        ).select_related("organization").order_by("starts_at")[:20]
    )
    feed = feeds.feed_for_person(person)
    return MyPagePanel(
        title=_("My activities"),
        template="activities/panels/my_activities.html",
        context={"upcoming": upcoming, "recent": recent, "recent_days": RECENT_DAYS,
                 "summary": summary, "waiting": waiting,
                 "feed_url": request.build_absolute_uri(feed.get_absolute_url()), "person": person},
        order=5,
    )


@hooks.register(LOAD_DEMO_HOOK)
def load_activities_demo(*, stdout) -> None:
    from branchwork.activities import demo

    demo.load_demo(stdout=stdout)
