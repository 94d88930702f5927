import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from branchwork.core import permissions, prepared, reversing
from branchwork.core.hooks import LOAD_DEMO_HOOK, MY_PAGE_PANELS, MyPagePanel
from branchwork.core.models import bilingual_name, choice_label, is_english


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


# What the panel shows of a row (attendance, its activity and organization), as plain values:
# model instances of activities cost more than the query (the /my/ tests count the queries).
_ROW_VALUES = (
    "status", "reason", "makeup_on", "activity_id", "activity__title", "activity__starts_at",
    "activity__status", "activity__place", "activity__checkin_token",
    "activity__organization__code", "activity__organization__name_zh", "activity__organization__name_en",
)
STARTS_AT = _ROW_VALUES.index("activity__starts_at")


def _mine(person_id: int):
    from branchwork.activities.models import ActivityStatus, Attendance

    return Attendance.objects.filter(person_id=person_id).exclude(activity__status=ActivityStatus.CANCELLED)


def _window_rows(*, person_id, since, until):
    """The person's attendance rows at activities starting between `since` and `until`: the
    values of `_ROW_VALUES`, in order of the activity's start."""
    return (_mine(person_id).filter(activity__starts_at__gte=since, activity__starts_at__lte=until)
            .order_by("activity__starts_at", "pk").values_list(*_ROW_VALUES))


def _year_tally(*, person_id, since, until):
    """How the person was marked at the activities held between `since` and `until`, counted by
    status."""
    from branchwork.activities.models import ActivityStatus

    return (_mine(person_id).filter(activity__starts_at__lt=until, activity__starts_at__gte=since,
                                    activity__status__in=[ActivityStatus.HELD, ActivityStatus.SUBMITTED,
                                                          ActivityStatus.LOCKED])
            .values_list("status").annotate(n=Count("pk")).order_by())


# What "waiting for me" shows of an activity.
_WAITING_VALUES = ("pk", "title", "starts_at", "status", "organization__code")


def _waiting(user, *, person_id):
    """The records waiting for the person, oldest first: minutes to write (recorder) or approve
    (host). The permission rule is asked for these activities only (`within`); the values of
    `_WAITING_VALUES`."""
    from branchwork.activities.models import Activity, ActivityStatus

    mine = (Q(recorder_id=person_id, status=ActivityStatus.HELD)
            | Q(host_id=person_id, status=ActivityStatus.SUBMITTED))
    return (permissions.visible(user, Activity, within=mine)
            .order_by("starts_at").values_list(*_WAITING_VALUES)[:20])


def _feed(*, person_id):
    from branchwork.activities.models import CalendarFeed

    return CalendarFeed.objects.filter(person_id=person_id).only("token", "person_id")[:1]


class _Rows:
    """What the panel shows of rows of `_ROW_VALUES`, worked out here: the template reads a dict's
    keys (no attribute lookups, filters or reversing per row). What every row asks alike (the
    time zone, the language, the URL configuration, the labels of the attendance statuses) is
    read once per panel, not once per row."""

    def __init__(self, now):
        from branchwork.activities import checkin
        from branchwork.activities.models import PRESENT_STATES, Attendance

        self.now, self.state_of, self.present = now, checkin.state_of, PRESENT_STATES
        self.tz = timezone.get_current_timezone()
        self.english = is_english()
        self.reverse = reversing.reverser()
        self.labels: dict = {}
        self.label_of = lambda status: choice_label(Attendance, "status", status)

    def label(self, status) -> str:
        label = self.labels.get(status)
        if label is None:
            label = self.labels[status] = self.label_of(status)
        return label

    def past(self, values: tuple) -> dict:
        (status, reason, makeup_on, activity_id, title, starts_at, _activity_status, _place, _token,
         org_code, _org_zh, _org_en) = values
        return {"url": self.reverse("activities:detail", args=[org_code, activity_id]), "title": title,
                "status": status, "status_label": self.label(status),
                "start": starts_at.astimezone(self.tz).strftime("%m-%d"), "reason": reason,
                "makeup_on": makeup_on.strftime("%m-%d") if makeup_on else ""}

    def waiting(self, values: tuple) -> dict:
        activity_id, title, starts_at, status, org_code = values
        return {"url": self.reverse("activities:detail", args=[org_code, activity_id]), "title": title,
                "date": starts_at.astimezone(self.tz).strftime("%Y-%m-%d"), "status": status}

    def coming(self, values: tuple) -> dict:
        (status, _reason, _makeup_on, activity_id, title, starts_at, activity_status, place, token,
         org_code, org_zh, org_en) = values
        start = starts_at.astimezone(self.tz)
        state = self.state_of(start, activity_status, self.now)
        return {"url": self.reverse("activities:detail", args=[org_code, activity_id]), "title": title,
                "status": status, "status_label": self.label(status),
                "start": start.strftime("%m-%d %H:%M"),
                "organization": bilingual_name(org_zh, org_en, english=self.english), "place": place,
                "is_present": status in self.present, "checkin_open": state.is_open,
                "checkin_not_yet": state.not_yet, "checkin_opens": state.opens.strftime("%m-%d %H:%M"),
                "checkin_url": self.reverse("checkin", kwargs={"token": token}) if state.is_open else ""}


@hooks.register(MY_PAGE_PANELS)
def my_activities_panel(request) -> MyPagePanel | None:
    """What is coming up for me (with when check-in opens), what waits for me (minutes to write
    or approve), what I was at recently and how I was marked, my calendar. Four queries, each
    compiled once per shape (core/prepared.py): /my/ asks them on every request."""
    from branchwork.activities import feeds
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
    shown = _Rows(now)
    upcoming = [shown.coming(values) for values in [v for v in rows if v[STARTS_AT] >= split][:10]]
    recent = [shown.past(values) for values in [v for v in reversed(rows) if v[STARTS_AT] < split][:20]]
    tally = dict(prepared.rows("activities.my.tally", _year_tally, person_id=person.pk,
                               since=now - datetime.timedelta(days=365), until=now))
    summary = [(label, tally.get(value, 0)) for value, label in AttendanceStatus.choices
               if value != AttendanceStatus.UNMARKED]
    # The permission clause is part of the SQL's shape: kept per reader fingerprint.
    waiting = [shown.waiting(values) for values in prepared.rows(
        ("activities.my.waiting", access.fingerprint),
        lambda person_id: _waiting(request.user, person_id=person_id), person_id=person.pk)]
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
