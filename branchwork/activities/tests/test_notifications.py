"""Notices and digests sent for real: over SMTP to an aiosmtpd server on 127.0.0.1, read back."""

import contextlib
import datetime
import io
import socket
from email import message_from_bytes
from email import policy

import icalendar
import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from branchwork.activities import notifications, services
from branchwork.activities.models import Reminder, ReminderKind
from branchwork.activities.testing import at, held_activity
from branchwork.core.models import Role
from branchwork.core.testing import PersonFactory, build_personas, give_role


pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASK_PATH = "branchwork.activities.tasks.send_activity_notice"
NOTICE = "【活动通知】"


# --- A real SMTP server ---


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping what arrived, parsed."""

    def __init__(self):
        self.messages = []
        self.refuse: set[str] = set()  # addresses answered with 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = message_from_bytes(raw, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def to(self, address: str, kind: str = "") -> list:
        return [m for rcpt, m in self.messages if address in rcpt and subject(m).startswith(kind)]

    def recipients(self, kind: str = "") -> list[str]:
        """Who got messages whose subject starts with `kind` (【活动通知】, 【组织生活提醒】)."""
        return sorted(r for rcpt, m in self.messages if subject(m).startswith(kind) for r in rcpt)


def subject(msg) -> str:
    # Django folds an encoded Subject right after the colon; mail readers drop that space.
    return str(msg["Subject"]).strip()


def smtp_settings(port: int):
    return override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                             EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_TIMEOUT=5,
                             EMAIL_USE_TLS=False, EMAIL_USE_SSL=False)


@contextlib.contextmanager
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with smtp_settings(controller.port):
            yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp():
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def p():
    return build_personas()


def ahead(days: int, hh: int = 14, mm: int = 30) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return at(day.year, day.month, day.day, hh, mm)


def invitation_of(msg) -> icalendar.Calendar:
    parts = [part for part in msg.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_content_charset() == "utf-8"
    assert parts[0].get_filename() == "invite.ics"
    return icalendar.Calendar.from_ical(parts[0].get_content())


def body_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def schedule_theme_day(p, starts_at, capture, **extra):
    with capture(execute=True):
        return services.activity_schedule(
            by=p.alice, organization=p.branch_a, types=["theme_day"], title="学习贯彻全会精神",
            starts_at=starts_at, place="三楼会议室", host=p.people.alice,
            agenda="传达学习全会精神\n交流研讨", notify=True, **extra)


# --- Notices ---


def test_each_expected_attendee_with_an_email_gets_a_notice_with_an_invitation(
        p, smtp, django_capture_on_commit_callbacks):
    no_mail = PersonFactory(name="赵无邮", email="")
    give_role(no_mail, p.branch_a, Role.MEMBER)
    start = ahead(5)
    activity = schedule_theme_day(p, start, django_capture_on_commit_callbacks)

    assert activity.attendance.filter(person=no_mail).exists()  # expected, but has no address
    assert smtp.recipients() == ["alice@example.org", "bob@example.org"]  # not Carol (branch B)
    [msg] = smtp.to("bob@example.org")
    assert subject(msg) == f"【活动通知】{start:%Y-%m-%d %H:%M} 主题党日：学习贯彻全会精神"
    assert msg["To"] == "王博 <bob@example.org>"
    assert msg["Auto-Submitted"] == "auto-generated"
    body = body_of(msg)
    url = f"http://127.0.0.1:8000/orgs/branch-a/activities/{activity.pk}/"
    weekday = "一二三四五六日"[start.weekday()]
    for text in (
        "王博同志：", f"时间：{start.year}年{start.month}月{start.day}日（星期{weekday}）14:30–16:30",
        "地点：三楼会议室", "主持人：李爱丽", "1. 传达学习全会精神", "2. 交流研讨", f"详情：{url}",
        "扫描二维码签到", "Dear Bob,", "Theme Party day", "Host: Alice", f"Details: {url}",
        "scan the QR code",
    ):
        assert text in body, text
    assert body.index("王博同志") < body.index("Dear Bob")  # Chinese first

    cal = invitation_of(msg)
    assert str(cal["method"]) == "REQUEST"
    assert cal["prodid"]
    [event] = cal.walk("VEVENT")
    assert event.decoded("dtstart") == start
    assert str(event["summary"]) == "主题党日：学习贯彻全会精神"
    assert str(event["location"]) == "三楼会议室"
    assert str(event["uid"]) == f"activity-{activity.pk}@127.0.0.1"
    assert str(event["url"]) == url
    assert str(event["attendee"]) == "mailto:bob@example.org"

    reminder = Reminder.objects.get(activity=activity)
    assert (reminder.kind, reminder.recipients) == (ReminderKind.NOTICE, 2)
    assert reminder.key == notifications.notice_key(activity)


def test_no_second_notice_for_the_same_time_and_a_new_one_after_moving(
        p, smtp, django_capture_on_commit_callbacks):
    start = ahead(5)
    activity = schedule_theme_day(p, start, django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 2
    first_seq = int(invitation_of(smtp.to("bob@example.org")[0]).walk("VEVENT")[0]["sequence"])

    result = notifications.enqueue_notice(activity.pk)  # a second run of the task
    assert result.status == "SUCCESSFUL" and result.return_value == 0
    with django_capture_on_commit_callbacks(execute=True):  # not moved: no notice
        activity = services.activity_update(by=p.alice, activity=activity, place="五楼会议室")
    assert len(smtp.messages) == 2

    with django_capture_on_commit_callbacks(execute=True):
        activity = services.activity_update(by=p.alice, activity=activity, starts_at=ahead(6, 9, 0))
    assert len(smtp.messages) == 4
    moved = smtp.to("bob@example.org")[1]
    assert subject(moved).startswith(f"【活动通知·改期】{ahead(6, 9, 0):%Y-%m-%d} 09:00")
    assert "时间有变" in body_of(moved) and "地点：五楼会议室" in body_of(moved)
    [event] = invitation_of(moved).walk("VEVENT")
    assert event.decoded("dtstart") == ahead(6, 9, 0)
    assert int(event["sequence"]) > first_seq
    assert Reminder.objects.filter(activity=activity, kind=ReminderKind.NOTICE).count() == 2


def test_an_address_refused_for_good_does_not_hold_up_the_others(
        p, smtp, django_capture_on_commit_callbacks):
    gone = PersonFactory(name="孙离职", email="gone@example.org")
    give_role(gone, p.branch_a, Role.MEMBER)
    smtp.refuse.add("gone@example.org")
    activity = schedule_theme_day(p, ahead(5), django_capture_on_commit_callbacks)
    assert smtp.recipients() == ["alice@example.org", "bob@example.org"]
    assert Reminder.objects.get(activity=activity).recipients == 2  # not sent again tomorrow


def test_no_notice_for_proposed_past_or_cancelled_activities(
        p, smtp, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    proposed = schedule_theme_day(p, ahead(5), capture, date_confirmed=False)
    past = schedule_theme_day(p, ahead(-2), capture)
    assert smtp.messages == []
    assert notifications.send_notice(past.pk) == 0  # a late retry of a past one sends nothing
    # A worker that picks the task up after the activity was cancelled sends nothing.
    cancelled = services.activity_schedule(
        by=p.alice, organization=p.branch_a, types=["theme_day"], title="取消", starts_at=ahead(4),
        notify=False)
    services.activity_cancel(by=p.alice, activity=cancelled)
    assert notifications.send_notice(cancelled.pk) == 0
    assert notifications.send_notice(999999) == 0  # deleted meanwhile
    assert smtp.messages == [] and not Reminder.objects.exists()
    # Confirming a proposed date sends the notice.
    with capture(execute=True):
        services.activity_update(by=p.alice, activity=proposed, date_confirmed=True)
    assert smtp.recipients() == ["alice@example.org", "bob@example.org"]


@pytest.mark.django_db(transaction=True)
def test_a_mail_failure_records_nothing_fails_the_task_and_cron_sends_it_later():
    p = build_personas()
    refused = free_port()  # nothing listens there
    with override_settings(TASKS=DATABASE_TASKS), smtp_settings(refused):
        activity = services.activity_schedule(
            by=p.alice, organization=p.branch_a, types=["theme_day"], title="学习贯彻全会精神",
            starts_at=ahead(3), notify=True)  # enqueued on commit, into the database
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        stored = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert stored.status == "FAILED"
    assert stored.exception_class_path.endswith("ConnectionRefusedError"), \
        stored.exception_class_path
    assert not Reminder.objects.exists()

    with pytest.raises(CommandError, match="tried again on the next run"), smtp_settings(refused):
        call_command("send_reminders", stdout=io.StringIO())
    assert not Reminder.objects.exists()

    with smtp_server() as inbox:
        out = io.StringIO()
        call_command("send_reminders", stdout=out)
    # (Today's digest may go out too, depending on the date the suite runs.)
    assert inbox.recipients(NOTICE) == ["alice@example.org", "bob@example.org"]
    assert f"notice of activity {activity.pk}" in out.getvalue()
    assert Reminder.objects.get(kind=ReminderKind.NOTICE).activity == activity


def test_cron_catches_up_on_notices_of_the_coming_week_only(p, smtp):
    soon = services.activity_schedule(by=p.alice, organization=p.branch_a, types=["theme_day"],
                                      title="下周的活动", starts_at=ahead(3), notify=False)
    services.activity_schedule(by=p.alice, organization=p.branch_a, types=["theme_day"],
                               title="十天后的活动", starts_at=ahead(10), notify=False)
    dry = io.StringIO()
    call_command("send_reminders", "--dry-run", stdout=dry)
    assert f"Would send notice of activity {soon.pk}" in dry.getvalue()
    assert "十天后" not in dry.getvalue()
    assert smtp.messages == [] and not Reminder.objects.exists()

    call_command("send_reminders", stdout=io.StringIO())
    assert smtp.recipients(NOTICE) == ["alice@example.org", "bob@example.org"]
    assert {subject(m) for m in smtp.to("bob@example.org", NOTICE)} == {
        f"【活动通知】{ahead(3):%Y-%m-%d %H:%M} 主题党日：下周的活动"}
    before = len(smtp.messages)
    call_command("send_reminders", stdout=io.StringIO())
    assert len(smtp.messages) == before


# --- Digests ---

JUNE_26 = datetime.date(2025, 6, 26)  # June (and Q2) end within the at-risk window


def digest_to(smtp, address):
    [msg] = smtp.to(address)
    return msg, body_of(msg)


def test_the_secretary_gets_a_digest_of_what_is_at_risk(p, smtp):
    deputy = PersonFactory(name="钱副书记", name_en="Qian", email="qian@example.org")
    give_role(deputy, p.branch_a, Role.DEPUTY_SECRETARY)
    give_role(deputy, p.branch_a, Role.MEMBER)
    planned = services.activity_schedule(by=p.alice, organization=p.branch_a, types=["theme_day"],
                                         title="六月主题党日", starts_at=at(2025, 6, 28), notify=False)

    assert notifications.send_digests(JUNE_26) == 1  # branch B has no secretary
    assert smtp.recipients() == ["alice@example.org", "qian@example.org"]
    msg, body = digest_to(smtp, "alice@example.org")
    assert subject(msg).startswith("【组织生活提醒】研究室党支部：")
    assert "主题党日" in subject(msg)
    assert "李爱丽、钱副书记同志：" in body or "钱副书记、李爱丽同志：" in body
    assert "主题党日（" in body and "应开展 1 次，已开展 0 次；本期截至 2025-06-30，含今天还有 5 天" in body
    assert f"已安排：2025-06-28 14:30 {planned.title}" in body
    assert "研究室第一党小组 · 党小组会" in body  # the group's own requirement
    assert "支部党员大会" in body  # quarterly: Q2 ends within 15 days
    assert ("Theme Party day (2025-06): 0 of 1 held; the period ends on 2025-06-30, "
            "5 days left") in body
    assert body.index("主题党日") < body.index("Theme Party day")
    reminder = Reminder.objects.get(kind=ReminderKind.DIGEST)
    assert reminder.key == f"digest:{p.branch_a.pk}:2025-06,2025-Q2"
    assert (reminder.organization, reminder.recipients) == (p.branch_a, 2)


def test_a_digest_is_not_sent_twice(p, smtp):
    assert notifications.send_digests(JUNE_26) == 1
    assert notifications.send_digests(JUNE_26) == 0
    assert notifications.send_digests(JUNE_26 + datetime.timedelta(days=1)) == 0  # same periods
    assert len(smtp.messages) == 1
    out = io.StringIO()
    call_command("send_reminders", "--date", "2025-06-27", stdout=out)
    assert "0 digests sent" in out.getvalue()
    assert len(smtp.messages) == 1


def test_met_requirements_are_not_in_the_digest(p, smtp):
    held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                  starts_at=at(2025, 6, 5))
    notifications.send_digests(JUNE_26)
    _msg, body = digest_to(smtp, "alice@example.org")
    assert "主题党日" not in body and "集体学习" in body


def test_no_digest_while_periods_have_time_left_or_all_is_met(p, smtp):
    assert notifications.send_digests(datetime.date(2025, 6, 10)) == 0
    # Met everything due at the end of June 2025: nothing to say.
    held_activity(by=p.alice, organization=p.branch_a, starts_at=at(2025, 6, 5), types=[
        "theme_day", "collective_study", "committee_meeting", "general_meeting", "party_lecture"])
    held_activity(by=p.alice, organization=p.group_a1, types=["group_meeting"],
                  starts_at=at(2025, 6, 6))
    assert [d for d in notifications.plan_digests(JUNE_26) if d.organization == p.branch_a] == []
    assert notifications.send_digests(JUNE_26) == 0  # branch B has no secretary to tell
    assert smtp.messages == []


def test_dry_run_lists_and_sends_nothing(p, smtp):
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", "--date", "2025-06-26", stdout=out)
    assert "Would send digest for branch-a to alice@example.org" in out.getvalue()
    assert "主题党日 2025-06 0/1" in out.getvalue()
    assert "1 digests" in out.getvalue()
    assert smtp.messages == [] and not Reminder.objects.exists()
    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "26/06/2025")


def test_planning_digests_takes_as_many_queries_for_many_activities_as_for_few(p):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            digests = notifications.plan_digests(JUNE_26)
        assert digests
        return len(ctx.captured_queries)

    for day in (2, 3):
        services.activity_schedule(by=p.alice, organization=p.branch_a, types=["theme_day"],
                                   title="计划", starts_at=at(2025, 6, day), notify=False)
    few = queries()
    for day in range(4, 20):
        services.activity_schedule(by=p.alice, organization=p.branch_a,
                                   types=["theme_day", "collective_study"], title="计划",
                                   starts_at=at(2025, 6, day), notify=False)
    assert queries() == few


def test_the_digest_task_runs_inline(p, smtp):
    from branchwork.activities import tasks

    result = tasks.send_reminder_digests.enqueue()
    assert result.status == "SUCCESSFUL", result.errors
    assert isinstance(result.return_value, int)
