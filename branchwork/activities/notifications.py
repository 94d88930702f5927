"""Mail about organizational life: notices of activities and digests of unmet requirements.

Notice. When an activity is scheduled with a confirmed date (or moved to a new time, or its
proposed date confirmed), the services call `enqueue_notice()` once the transaction has committed;
the task worker then runs `send_notice()`: one message to each expected attendee who has an
email address, with the time, place, host, agenda, a link and how check-in works, and an .ics
invitation (feeds.invitation). A `Reminder` keyed by the activity and its start time records that
it went out, so a notice for the same time is never sent twice and a move to a new time sends a
new one.

Digest. `send_digests()` (daily, from `branchwork send_reminders` or the task
`send_reminder_digests`) writes to the secretary and deputy secretaries of every active branch
and general branch when a requirement of the current period (its own, or one of its Party
groups') is at risk: the period ends within the rulebook's at-risk window and fewer activities
have been held than required. One digest per organization and set of periods.

Failures lose nothing: a Reminder is written only after the SMTP server accepted the messages. An
error propagates, so the task result is kept as failed, and the next `send_reminders` run sends
what is missing. (If the server fails part-way through a notice, the retry sends the notice to
everyone again: a duplicate is better than a member who never hears of the meeting.) An address
the server refuses for good (5xx) is logged and skipped, so that one stale address does not make
everyone else's notice go out again every day.

Recipients have no language preference of their own, so every message is bilingual: Chinese
first, English below. The wording lives in templates/activities/email/.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass, field
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import SafeMIMEText
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

from branchwork.activities import feeds, selectors
from branchwork.activities.models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceRole,
    Credit,
    Reminder,
    ReminderKind,
)
from branchwork.core.models import Membership, Organization, Person, Role
from branchwork.rulebook.compliance import AT_RISK, Cell
from branchwork.rulebook.loader import ActivityType

logger = logging.getLogger(__name__)

DIGEST_ROLES = (Role.SECRETARY, Role.DEPUTY_SECRETARY)
# How far ahead `send_reminders` looks for activities whose notice never went out.
CATCH_UP_DAYS = 7
WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


# --- Dates in words ---


def date_zh(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS_ZH[day.weekday()]}）"


def date_en(day: datetime.date) -> str:
    return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def when_zh(start: datetime.datetime, end: datetime.datetime) -> str:
    if start.date() == end.date():
        return f"{date_zh(start.date())}{start:%H:%M}–{end:%H:%M}"
    return f"{date_zh(start.date())}{start:%H:%M} 至 {date_zh(end.date())}{end:%H:%M}"


def when_en(start: datetime.datetime, end: datetime.datetime) -> str:
    if start.date() == end.date():
        return f"{date_en(start.date())}, {start:%H:%M}–{end:%H:%M}"
    return f"{date_en(start.date())}, {start:%H:%M} to {date_en(end.date())}, {end:%H:%M}"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _address(person: Person) -> str:
    """"Name <address>", the name quoted or encoded as it needs (a comma, Chinese…)."""
    return formataddr((_one_line(feeds.person_names(person)[0]), person.email))


def _deliver(connection, message: EmailMessage) -> bool:
    """Send one message; False when the server refuses its recipients for good (5xx), which a
    retry would not change. Anything else (a server down, a 4xx) raises."""
    try:
        return bool(connection.send_messages([message]))
    except smtplib.SMTPRecipientsRefused as exc:
        if all(code >= 500 for code, _text in exc.recipients.values()):
            logger.warning("Mail refused for %s: %s", ", ".join(exc.recipients), exc.recipients)
            return False
        raise


def _message(*, subject: str, body: str, to: list[str]) -> EmailMessage:
    return EmailMessage(
        subject=_one_line(subject), body=body, to=to,
        # RFC 3834: no vacation auto-replies to a machine.
        headers={"Auto-Submitted": "auto-generated"},
    )


# --- Notices ---


def enqueue_notice(activity_id: int):
    """Hand the notice of an activity to the task worker (call on commit). Returns the result."""
    from branchwork.activities import tasks

    return tasks.send_activity_notice.enqueue(activity_id=activity_id)


def notice_key(activity: Activity) -> str:
    return f"notice:{activity.pk}:{activity.starts_at.astimezone(datetime.UTC).isoformat()}"


def wants_notice(activity: Activity, now: datetime.datetime | None = None) -> bool:
    """Only a planned activity with a confirmed date that is still ahead gets a notice."""
    now = now or timezone.now()
    return (activity.status == ActivityStatus.PLANNED and activity.date_confirmed
            and activity.starts_at > now)


def _expected_with_email() -> Prefetch:
    return Prefetch(
        "attendance",
        queryset=Attendance.objects.filter(role=AttendanceRole.EXPECTED, person__isnull=False)
        .exclude(person__email="").select_related("person").order_by("pk"),
        to_attr="notice_rows",
    )


def _notice_queryset():
    return Activity.objects.select_related("organization", "host", "lecturer").prefetch_related(
        "type_tags", _expected_with_email())


def notice_recipients(activity: Activity) -> list[Person]:
    """Expected attendees who have an email address (from a _notice_queryset() activity)."""
    return [row.person for row in activity.notice_rows]


def notice_message(activity: Activity, person: Person, *,
                   rescheduled: bool = False) -> EmailMessage:
    start, end = feeds.local(activity.starts_at), feeds.local(feeds.end_of(activity))
    types_zh, types_en = feeds.type_names(activity)
    org_zh, org_en = feeds.org_names(activity.organization)
    host_zh, host_en = feeds.person_names(activity.host)
    name_zh, name_en = feeds.person_names(person)
    context = {
        "activity": activity, "rescheduled": rescheduled,
        "title": _one_line(activity.title), "full_title": feeds.full_title(activity),
        "types_zh": "、".join(types_zh), "types_en": ", ".join(types_en),
        "org_zh": org_zh, "org_en": org_en, "host_zh": host_zh, "host_en": host_en,
        "name_zh": name_zh, "name_en": name_en,
        "lecturer": activity.lecturer_display,
        "when_zh": when_zh(start, end), "when_en": when_en(start, end),
        "agenda": activity.agenda_items(), "url": feeds.activity_link(activity),
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    lead = "【活动通知·改期】" if rescheduled else "【活动通知】"
    subject = f"{lead}{start:%Y-%m-%d %H:%M} {feeds.full_title(activity)}"
    body = render_to_string("activities/email/notice.txt", context)
    message = _message(subject=subject, body=body, to=[_address(person)])
    # Built by hand: Django would repeat the charset of "text/calendar; method=REQUEST; charset=…".
    part = SafeMIMEText(feeds.invitation(activity, attendee=person).decode(), "calendar", "utf-8")
    part.set_param("method", "REQUEST")
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    message.attach(part)
    return message


def send_notice(activity_id: int, *, now: datetime.datetime | None = None) -> int:
    """Send the notice of an activity's current time unless it went out already; the number sent.

    Raises whatever the mail server raises, and then records nothing (a later run retries).
    """
    activity = _notice_queryset().filter(pk=activity_id).first()
    if activity is None or not wants_notice(activity, now):
        return 0
    key = notice_key(activity)
    if Reminder.objects.filter(key=key).exists():
        return 0
    people = notice_recipients(activity)
    if not people:
        return 0  # nothing recorded: someone added later still gets one from the catch-up
    rescheduled = Reminder.objects.filter(activity=activity, kind=ReminderKind.NOTICE).exists()
    with translation.override(settings.LANGUAGE_CODE):
        messages = [notice_message(activity, p, rescheduled=rescheduled) for p in people]
    with get_connection() as connection:  # one SMTP session for all of them
        sent = sum(_deliver(connection, m) for m in messages)
    Reminder.objects.get_or_create(key=key, defaults={
        "kind": ReminderKind.NOTICE, "activity": activity,
        "organization": activity.organization, "recipients": sent,
    })
    logger.info("Notice of activity %s sent to %s people", activity.pk, sent)
    return sent


def pending_notices(*, today: datetime.date | None = None, now: datetime.datetime | None = None,
                    days: int = CATCH_UP_DAYS) -> list[Activity]:
    """Activities of the coming `days` (from `today`) whose notice for their current time never
    went out: the worker was down, the mail server failed, or the date was confirmed quietly.
    Two queries however many there are."""
    now = now or timezone.now()
    today = today or timezone.localdate()
    tz = timezone.get_default_timezone()
    start = max(now, datetime.datetime.combine(today, datetime.time.min, tzinfo=tz))
    until = datetime.datetime.combine(today + datetime.timedelta(days=days + 1), datetime.time.min,
                                      tzinfo=tz)
    candidates = list(
        _notice_queryset().filter(
            status=ActivityStatus.PLANNED, date_confirmed=True, starts_at__gt=start,
            starts_at__lt=until,
        ).order_by("starts_at", "pk")
    )
    sent = set(Reminder.objects.filter(key__in=[notice_key(a) for a in candidates])
               .values_list("key", flat=True))
    return [a for a in candidates if notice_key(a) not in sent and notice_recipients(a)]


# --- Digests ---


@dataclass
class DigestItem:
    organization: Organization  # the branch, or one of its Party groups
    type: ActivityType
    cell: Cell
    planned: list[Activity]
    days_left: int  # today included


@dataclass
class Digest:
    organization: Organization
    items: list[DigestItem]
    recipients: list[Person] = field(default_factory=list)
    already_sent: bool = False

    @property
    def key(self) -> str:
        periods = sorted({item.cell.period.key for item in self.items})
        return f"digest:{self.organization.pk}:{','.join(periods)}"


def plan_digests(today: datetime.date | None = None) -> list[Digest]:
    """The digests due today: organizations with a current requirement at risk (sent or not).

    Queries: the branches, one per branch for its groups, then one each for compliance, planned
    activities, secretaries and sent digests; the number of activities does not matter.
    """
    today = today or timezone.localdate()
    branches = list(Organization.objects.filter(kind__in=selectors.BRANCH_KINDS, is_active=True)
                    .order_by("path"))
    families = {b.pk: selectors.org_and_groups(b) for b in branches}
    everyone = [o for family in families.values() for o in family]
    if not everyone:
        return []
    by_org = {c.organization.pk: c for c in selectors.compliance(everyone, today.year, today=today)}

    at_risk: dict[int, list[tuple[Organization, ActivityType, Cell]]] = {}
    for branch in branches:
        found = []
        for org in families[branch.pk]:
            for tc in by_org[org.pk].types:
                cell = tc.current(today)
                if cell is not None and cell.status == AT_RISK:
                    found.append((org, tc.type, cell))
        if found:
            at_risk[branch.pk] = found
    if not at_risk:
        return []

    # Activities planned (not yet recorded as held) in the periods at risk, in one query.
    org_ids = {org.pk for found in at_risk.values() for org, _t, _c in found}
    first = min(c.period.start for found in at_risk.values() for _o, _t, c in found)
    last = max(c.period.end for found in at_risk.values() for _o, _t, c in found)
    planned: dict[tuple[int, str], list[tuple[datetime.date, Activity]]] = {}
    for credit in (
        Credit.objects.filter(organization_id__in=org_ids, held=False, on__gte=first, on__lte=last)
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .select_related("activity").order_by("activity__starts_at", "activity_id")
    ):
        key = (credit.organization_id, credit.code)
        planned.setdefault(key, []).append((credit.on, credit.activity))

    recipients: dict[int, list[Person]] = {}
    for m in (
        Membership.objects.active_on(today)
        .filter(organization_id__in=list(at_risk), role__in=DIGEST_ROLES)
        .exclude(person__email="").select_related("person")
        .order_by("role", "person__name", "pk")
    ):
        people = recipients.setdefault(m.organization_id, [])
        if m.person not in people:
            people.append(m.person)

    digests = []
    for branch in branches:
        if branch.pk not in at_risk:
            continue
        items = [
            DigestItem(
                organization=org, type=t, cell=cell, days_left=(cell.period.end - today).days + 1,
                planned=[a for on, a in planned.get((org.pk, t.code), []) if on in cell.period],
            )
            for org, t, cell in at_risk[branch.pk]
        ]
        digests.append(Digest(organization=branch, items=items,
                              recipients=recipients.get(branch.pk, [])))
    sent = set(Reminder.objects.filter(key__in=[d.key for d in digests])
               .values_list("key", flat=True))
    for digest in digests:
        digest.already_sent = digest.key in sent
    return digests


def _planned_line(activity: Activity, today: datetime.date) -> dict:
    start = feeds.local(activity.starts_at)
    return {
        "when": f"{start:%Y-%m-%d %H:%M}", "title": _one_line(activity.title),
        "confirmed": activity.date_confirmed, "past": start.date() < today,
    }


def digest_message(digest: Digest, *, today: datetime.date) -> EmailMessage:
    items = []
    for item in digest.items:
        org_zh, org_en = feeds.org_names(item.organization)
        in_group = item.organization.pk != digest.organization.pk
        with translation.override("zh-hans"):
            period_zh = str(item.cell.period.label)
        with translation.override("en"):
            period_en = str(item.cell.period.label)
        items.append({
            "group_zh": org_zh if in_group else "", "group_en": org_en if in_group else "",
            "type_zh": item.type.name_zh, "type_en": item.type.name_en,
            "period_zh": period_zh, "period_en": period_en,
            "held": item.cell.held, "required": item.cell.required,
            "without_quorum": item.cell.without_quorum,
            "ends": item.cell.period.end.isoformat(), "days_left": item.days_left,
            "planned": [_planned_line(a, today) for a in item.planned],
        })
    org_zh, org_en = feeds.org_names(digest.organization)
    context = {
        "org_zh": org_zh, "org_en": org_en, "items": items,
        "names_zh": "、".join(feeds.person_names(p)[0] for p in digest.recipients),
        "today_zh": date_zh(today), "today_en": date_en(today),
        "url": settings.BASE_URL + digest.organization.get_absolute_url(),
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    names = list(dict.fromkeys(item.type.name_zh for item in digest.items))
    subject = f"【组织生活提醒】{org_zh}：{'、'.join(names)}本期尚未完成"
    return _message(subject=subject, body=render_to_string("activities/email/digest.txt", context),
                    to=[_address(p) for p in digest.recipients])


def send_digest(digest: Digest, *, today: datetime.date) -> bool:
    """Send one digest unless it went out already or has nobody to go to; whether it was sent."""
    if digest.already_sent:
        return False
    if not digest.recipients:
        logger.warning("No secretary with an email address in %s: digest not sent",
                       digest.organization.code)
        return False
    with translation.override(settings.LANGUAGE_CODE):
        message = digest_message(digest, today=today)
    with get_connection() as connection:
        _deliver(connection, message)
    Reminder.objects.get_or_create(key=digest.key, defaults={
        "kind": ReminderKind.DIGEST, "organization": digest.organization,
        "recipients": len(digest.recipients),
    })
    digest.already_sent = True
    return True


def send_digests(today: datetime.date | None = None) -> int:
    """Send today's digests that have not gone out; the number of digests sent.

    One organization's failure does not stop the others; the first error is raised at the end
    (so the task result shows it) and the failed digests are tried again on the next run.
    """
    today = today or timezone.localdate()
    errors: list[Exception] = []
    count = 0
    for digest in plan_digests(today):
        try:
            count += send_digest(digest, today=today)
        except Exception as exc:  # noqa: BLE001 — kept and raised after the others went out
            logger.exception("Digest for %s not sent", digest.organization.code)
            errors.append(exc)
    if errors:
        raise errors[0]
    return count
