"""Private calendar subscriptions (iCal) and the iCalendar events that email invitations carry.

Each person has one private feed of the activities they are on the attendance list of, and each
organization has one of the activities it hosts or co-organizes. They are served at
`/calendar/<token>.ics` without a login, because calendar apps cannot log in: the unguessable
token is the key, and `rotate()` issues a new one when an old address has gone astray. An
organization's address is shown only to those who read the organization; a person's only to them.

What an event says (time, place, host, agenda, a link) is what an invitee or a reader of the
organization sees on the activity's page anyway; minutes and attendance never go into a feed.

The same event is built for a feed and for the .ics invitation of a notice, so a calendar that has
both sees one event: the UID is stable per activity (`activity-<pk>@<host of BASE_URL>`) and the
SEQUENCE is the id of the activity's latest Wagtail revision. Every scheduling, change, amendment
or cancellation saves a revision, so the number only grows, grows when the activity is moved,
costs no query and needs no column of its own.
"""

from __future__ import annotations

import datetime
import hashlib
from email.utils import parseaddr
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.views.decorators.http import require_safe

from branchwork.activities.models import Activity, ActivityStatus, CalendarFeed, new_token
from branchwork.core.models import Organization, Person
from branchwork.rulebook.loader import get_rulebook

PRODID = "-//Branchwork//Branchwork calendar//ZH"
# An activity without an end time shows as two hours long (a meeting or a lecture, typically).
DEFAULT_DURATION = datetime.timedelta(hours=2)
# Feeds reach this far back; everything ahead is included.
FEED_HISTORY = datetime.timedelta(days=365)
# How often calendar apps are asked to fetch a feed again.
REFRESH = datetime.timedelta(hours=1)


# --- Events ---


def local(moment: datetime.datetime) -> datetime.datetime:
    """A moment in the deployment's time zone (whatever zone the current request activated)."""
    return timezone.localtime(moment, timezone.get_default_timezone())


def uid_host() -> str:
    return urlsplit(settings.BASE_URL).hostname or "branchwork.invalid"


def event_uid(activity: Activity) -> str:
    return f"activity-{activity.pk}@{uid_host()}"


def event_sequence(activity: Activity) -> int:
    return activity.latest_revision_id or 0


def activity_link(activity: Activity) -> str:
    return settings.BASE_URL + activity.get_absolute_url()


def type_names(activity: Activity) -> tuple[list[str], list[str]]:
    """Chinese and English names of the activity's types (from prefetched type_tags)."""
    rulebook = get_rulebook()
    zh, en = [], []
    for tag in activity.type_tags.all():
        t = rulebook.types.get(tag.code)
        zh.append(t.name_zh if t else tag.code)
        en.append(t.name_en if t else tag.code)
    return zh, en


def full_title(activity: Activity) -> str:
    """The title as typed, led by the type (主题党日：…) unless the title already names it."""
    zh, _en = type_names(activity)
    title = " ".join(activity.title.split())  # one line, whatever was pasted
    if not zh or any(name in title for name in zh):
        return title
    return f"{'、'.join(zh)}：{title}"


def person_names(person: Person | None) -> tuple[str, str]:
    """A person's name in Chinese and in English (falling back to the other script)."""
    if person is None:
        return "", ""
    zh = person.name or person.name_en or person.name_native
    return zh, person.name_en or zh


def org_names(org: Organization) -> tuple[str, str]:
    return org.name_zh, org.name_en or org.name_zh


def end_of(activity: Activity) -> datetime.datetime:
    return activity.ends_at or activity.starts_at + DEFAULT_DURATION


def description(activity: Activity) -> str:
    """Plain text, Chinese then English, of what the invitee may see on the activity's page."""
    types_zh, types_en = type_names(activity)
    org_zh, org_en = org_names(activity.organization)
    host_zh, host_en = person_names(activity.host)
    lines = [
        f"类型 Type：{'、'.join(types_zh)} / {', '.join(types_en)}",
        f"主办 Organized by：{org_zh}" + (f" / {org_en}" if org_en != org_zh else ""),
    ]
    if host_zh:
        lines.append(f"主持人 Host：{host_zh}" + (f" / {host_en}" if host_en != host_zh else ""))
    lecturer = activity.lecturer_display
    if lecturer:
        lines.append(f"主讲人 Lecturer：{lecturer}")
    if activity.place:
        lines.append(f"地点 Place：{activity.place}")
    if not activity.date_confirmed:
        lines.append("日期待确认 Date to be confirmed")
    items = activity.agenda_items()
    if items:
        lines.append("议程 Agenda：")
        lines += [f"{i}. {item}" for i, item in enumerate(items, 1)]
    lines.append(f"详情 Details：{activity_link(activity)}")
    return "\n".join(lines)


def build_event(activity: Activity, *, stamp: datetime.datetime) -> icalendar.Event:
    """One VEVENT; `activity` needs organization, host, lecturer and type_tags loaded."""
    event = icalendar.Event()
    event.add("uid", event_uid(activity))
    event.add("sequence", event_sequence(activity))
    event.add("dtstamp", stamp.astimezone(datetime.UTC))
    event.add("dtstart", local(activity.starts_at))
    event.add("dtend", local(end_of(activity)))
    event.add("summary", full_title(activity))
    if activity.place:
        event.add("location", activity.place)
    event.add("description", description(activity))
    event.add("url", activity_link(activity))
    event.add("status", "TENTATIVE" if not activity.date_confirmed else "CONFIRMED")
    zh, _en = type_names(activity)
    if zh:
        event.add("categories", zh)
    return event


def new_calendar(*, method: str | None = None, name: str | None = None) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("name", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def finish(cal: icalendar.Calendar) -> bytes:
    """Add the VTIMEZONE the events refer to and serialize."""
    cal.add_missing_timezones()
    return cal.to_ical()


def invitation(activity: Activity, *, attendee: Person) -> bytes:
    """The .ics of a notice: METHOD:REQUEST, the organization as organizer, one attendee."""
    cal = new_calendar(method="REQUEST")
    event = build_event(activity, stamp=timezone.now())
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address or 'noreply@' + uid_host()}")
    organizer.params["cn"] = icalendar.vText(activity.organization.name_zh)
    event.add("organizer", organizer)
    guest = icalendar.vCalAddress(f"mailto:{attendee.email}")
    guest.params["cn"] = icalendar.vText(person_names(attendee)[0])
    guest.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    guest.params["partstat"] = icalendar.vText("NEEDS-ACTION")
    guest.params["rsvp"] = icalendar.vText("FALSE")  # attendance is marked at check-in, not here
    event.add("attendee", guest)
    cal.add_component(event)
    return finish(cal)


# --- Feeds ---


def feed_activities(feed: CalendarFeed, *, now: datetime.datetime | None = None):
    """What a feed shows, with what events need loaded (a fixed number of queries).

    A person's feed: confirmed activities they are on the list of (any role). An organization's:
    everything it hosts or co-organizes, the year plan's proposed dates included (as tentative).
    Cancelled activities are left out; calendar apps drop events that leave a feed.
    """
    since = (now or timezone.now()) - FEED_HISTORY
    if feed.person_id:
        qs = Activity.objects.filter(attendance__person_id=feed.person_id, date_confirmed=True)
    else:
        qs = Activity.objects.for_organization(feed.organization)
    return (
        qs.exclude(status=ActivityStatus.CANCELLED)
        .filter(starts_at__gte=since)
        .select_related("organization", "host", "lecturer")
        .prefetch_related("type_tags")
        .order_by("starts_at", "pk")
    )


def feed_name(feed: CalendarFeed) -> str:
    if feed.person_id:
        return f"{settings.WAGTAIL_SITE_NAME} · {person_names(feed.person)[0]}"
    return f"{settings.WAGTAIL_SITE_NAME} · {feed.organization.name_zh}"


def render_feed(feed: CalendarFeed) -> bytes:
    cal = new_calendar(method="PUBLISH", name=feed_name(feed))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    for activity in feed_activities(feed):
        # DTSTAMP: when the record last changed, so an unchanged feed is byte-for-byte the same.
        cal.add_component(build_event(activity, stamp=activity.updated_at))
    return finish(cal)


@require_safe
def calendar_feed(request, token: str) -> HttpResponse:
    """/calendar/<token>.ics — no login; an unknown, rotated or retired token is a 404."""
    feed = (
        CalendarFeed.objects.select_related("person__user", "organization")
        .filter(token=token).first()
    )
    if feed is None:
        raise Http404("No such calendar")
    if feed.organization_id and not feed.organization.is_active:
        raise Http404("No such calendar")
    if feed.person_id and feed.person.user_id and not feed.person.user.is_active:
        raise Http404("No such calendar")
    body = render_feed(feed)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "private, max-age=300",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
    }
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
        for name, value in headers.items():
            response[name] = value
        return response
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8", headers=headers)
    response["Content-Disposition"] = 'inline; filename="branchwork.ics"'
    return response


# --- Addresses ---


def feed_for_person(person: Person) -> CalendarFeed:
    """The person's feed, created on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(person=person)
    return feed


def feed_for_org(org: Organization) -> CalendarFeed:
    """The organization's feed, created on first use. Show it only to those who read `org`."""
    feed, _created = CalendarFeed.objects.get_or_create(organization=org)
    return feed


@transaction.atomic
def rotate(feed: CalendarFeed) -> CalendarFeed:
    """Issue a new address; the old one stops working at once (404)."""
    feed.token = new_token()
    feed.save(update_fields=["token"])
    return feed
