import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from branchwork.core import permissions, prepared
from branchwork.core.hooks import LOAD_DEMO_HOOK, MY_PAGE_PANELS, MyPagePanel
from branchwork.core.reversing import cached_reverse


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


# What the panel's template and the check-in state read of a row: anything else would be read
# afresh, row by row (the /my/ tests count the queries).
_ROW_FIELDS = (
    "person_id", "activity_id", "status", "reason", "makeup_on",
    "activity__organization_id", "activity__title", "activity__starts_at", "activity__status",
    "activity__place", "activity__checkin_token",
    "activity__organization__code", "activity__organization__name_zh", "activity__organization__name_en",
)


def _mine(person_id: int):
    from branchwork.activities.models import ActivityStatus, Attendance

    return Attendance.objects.filter(person_id=person_id).exclude(activity__status=ActivityStatus.CANCELLED)


def _window_rows(*, person_id, since, until):
    """The person's attendance rows at activities starting between `since` and `until`, with
    the activity and its organization: only the columns the panel shows (making model instances
    of whole activities cost more than the query)."""
    return (_mine(person_id).filter(activity__starts_at__gte=since, activity__starts_at__lte=until)
            .select_related("activity__organization")
            .only(*_ROW_FIELDS)
            .order_by("activity__starts_at", "pk"))


def _year_tally(*, person_id, since, until):
    """How the person was marked at the activities held between `since` and `until`, counted by
    status."""
    from branchwork.activities.models import ActivityStatus

    return (_mine(person_id).filter(activity__starts_at__lt=until, activity__starts_at__gte=since,
                                    activity__status__in=[ActivityStatus.HELD, ActivityStatus.SUBMITTED,
                                                          ActivityStatus.LOCKED])
            .values_list("status").annotate(n=Count("pk")).order_by())


def _waiting(user, *, person_id):
    """The records waiting for the person: minutes to write (recorder) or approve (host)."""
    from branchwork.activities.models import Activity, ActivityStatus

    return (permissions.visible(user, Activity)
            .filter(Q(recorder_id=person_id, status=ActivityStatus.HELD)
                    | Q(host_id=person_id, status=ActivityStatus.SUBMITTED))
            .select_related("organization").defer("minutes", "agenda", "return_comment")
            .order_by("starts_at")[:20])


def _feed(*, person_id):
    from branchwork.activities.models import CalendarFeed

    return CalendarFeed.objects.filter(person_id=person_id).only("token", "person_id")[:1]


def _row(row, start_format: str) -> dict:
    """What the panel shows of an attendance row, worked out here: the template reads a dict's
    keys (no attribute lookups, filters or reversing per row)."""
    activity = row.activity
    return {"start": activity.local_start.strftime(start_format), "url": activity.get_absolute_url(),
            "title": activity.title, "status": row.status, "status_label": row.get_status_display()}


def _upcoming(row, state) -> dict:
    activity = row.activity
    item = _row(row, "%m-%d %H:%M")
    item.update(organization=activity.organization.display_name, place=activity.place,
                is_present=row.is_present, checkin_open=state.is_open, checkin_not_yet=state.not_yet,
                checkin_opens=state.opens.strftime("%m-%d %H:%M"),
                checkin_url=cached_reverse("checkin", kwargs={"token": activity.checkin_token})
                if state.is_open else "")
    return item


def _recent(row) -> dict:
    item = _row(row, "%m-%d")
    item.update(reason=row.reason, makeup_on=row.makeup_on.strftime("%m-%d") if row.makeup_on else "")
    return item


@hooks.register(MY_PAGE_PANELS)
def my_activities_panel(request) -> MyPagePanel | None:
    """What is coming up for me (with when check-in opens), what waits for me (minutes to write
    or approve), what I was at recently and how I was marked, my calendar. Four queries, each
    compiled once per shape (core/prepared.py): /my/ asks them on every request."""
    from branchwork.activities import checkin, feeds
    from branchwork.activities.models import AttendanceStatus

    access = permissions.reader(request.user)
    person = access.person
    if person is None:
        return None
    now = timezone.now()
    # Coming up (the next 45 days, from 12 hours ago) and the last RECENT_DAYS before that: one
    # query over both windows, split here.
    split = now - datetime.timedelta(hours=12)
    rows = prepared.rows("activities.my.window", _window_rows, person_id=person.pk,
                         since=now - datetime.timedelta(days=RECENT_DAYS),
                         until=now + datetime.timedelta(days=45))
    upcoming = [_upcoming(row, checkin.state(row.activity, now))
                for row in [row for row in rows if row.activity.starts_at >= split][:10]]
    recent = [_recent(row) for row in [row for row in reversed(rows) if row.activity.starts_at < split][:20]]
    tally = dict(prepared.rows("activities.my.tally", _year_tally, person_id=person.pk,
                               since=now - datetime.timedelta(days=365), until=now))
    summary = [(label, tally.get(value, 0)) for value, label in AttendanceStatus.choices
               if value != AttendanceStatus.UNMARKED]
    # The permission clause is part of the SQL's shape: kept per reader fingerprint.
    waiting = prepared.rows(("activities.my.waiting", access.fingerprint),
                            lambda person_id: _waiting(request.user, person_id=person_id),
                            person_id=person.pk)
    feed = next(iter(prepared.rows("activities.my.feed", _feed, person_id=person.pk)), None)
    if feed is None:
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
