"""Invitations by mail, sent for real over SMTP to an aiosmtpd server on 127.0.0.1 through the
task worker; the guest answers through the personal link without an account."""

import datetime
import re
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from branchwork.core.conflicts import Conflict
from branchwork.exchanges import services, services_programme
from branchwork.exchanges.models import Participant, ParticipantStatus
from branchwork.exchanges.programme_models import Invitation, InvitationAnswer, InvitationTemplate
from branchwork.exchanges.testing import exchanges_world


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def to(self, address):
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture(autouse=True)
def _test_clock(time_machine):
    """Invitations are answered before the world's forum (20–22 November 2026), whatever the
    suite's moment: these tests run four days before it (a test may still move the clock)."""
    time_machine.move_to(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
                         tick=True)


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                               EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_TIMEOUT=5,
                               EMAIL_USE_TLS=False, EMAIL_USE_SSL=False):
            yield inbox
    finally:
        controller.stop()


@pytest.fixture
def world(personas):
    w = exchanges_world(personas)
    w.personas = personas
    # Everyone starts invited, without an answer.
    Participant.objects.filter(event=w.event).update(status=ParticipantStatus.INVITED)
    return w


def body_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def send_all(world, client, capture):
    with capture(execute=True):
        response = client.post(f"/exchanges/events/{world.event.pk}/invitations/", {"action": "send"})
    assert response.status_code == 302
    return response


def link_in(msg) -> str:
    [url] = set(re.findall(r"http://127\.0\.0\.1:8000(/exchanges/invitations/[^\s]+/)", body_of(msg)))
    return url


def test_each_guest_gets_one_bilingual_invitation_with_a_personal_link(
        world, login, smtp, django_capture_on_commit_callbacks):
    client = login(world.personas.alice)  # the event's manager
    send_all(world, client, django_capture_on_commit_callbacks)
    assert len(smtp.messages) == len(world.participants)  # every guest has an address
    [msg] = smtp.to("guest-7731@example.net")
    assert str(msg["Subject"]).strip() == "邀请函：世界政党对话会 / Invitation: World Parties Dialogue"
    assert msg["To"] == "Somchai Jaidee <guest-7731@example.net>"
    body = body_of(msg)
    assert body.index("尊敬的颂猜·再迪：") < body.index("Dear Somchai Jaidee,")  # Chinese first
    assert "2026年11月20日至22日" in body and "20–22 November 2026" in body
    assert Invitation.objects.filter(participant__event=world.event, sent_at__isnull=False).count() == 7
    # A second request sends nothing again.
    send_all(world, client, django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 7


def test_the_guest_accepts_or_declines_through_the_link_without_an_account(
        world, client, login, smtp, django_capture_on_commit_callbacks):
    send_all(world, login(world.personas.alice), django_capture_on_commit_callbacks)
    url = link_in(smtp.to("guest-7731@example.net")[0])
    page = client.get(url)
    assert page.status_code == 200 and "颂猜·再迪" in page.content.decode()
    assert client.post(url, {"answer": "accept"}).status_code == 302
    participant = Participant.objects.get(pk=world.participant.pk)
    assert participant.status == ParticipantStatus.CONFIRMED
    assert participant.invitation.answer == InvitationAnswer.ACCEPTED
    client.post(url, {"answer": "decline"})  # a change of mind before the event
    assert Participant.objects.get(pk=world.participant.pk).status == ParticipantStatus.DECLINED
    # The other guests' statuses did not move.
    assert Participant.objects.filter(event=world.event, status=ParticipantStatus.INVITED).count() == 6


def test_a_wrong_or_altered_token_is_404(world, client, login, smtp, django_capture_on_commit_callbacks):
    send_all(world, login(world.personas.alice), django_capture_on_commit_callbacks)
    url = link_in(smtp.to("guest-7731@example.net")[0])
    token = url.rstrip("/").rsplit("/", 1)[1]
    pk, signature = token.split(":", 1)
    other = Invitation.objects.exclude(pk=int(pk)).first()
    for bad in (f"{other.pk}:{signature}", f"{pk}:{signature[:-1]}x", "x", pk):
        assert client.get(f"/exchanges/invitations/{bad}/").status_code == 404, bad
        assert client.post(f"/exchanges/invitations/{bad}/", {"answer": "accept"}).status_code == 404
    assert Participant.objects.filter(event=world.event, status=ParticipantStatus.INVITED).count() == 7


def test_the_link_expires_after_the_event(world, client, time_machine, login, smtp,
                                          django_capture_on_commit_callbacks):
    send_all(world, login(world.personas.alice), django_capture_on_commit_callbacks)
    url = link_in(smtp.to("guest-7731@example.net")[0])
    time_machine.move_to(datetime.datetime(2026, 11, 22, 23, 0, tzinfo=datetime.UTC), tick=False)  # 23 Nov in Beijing
    assert client.get(url).status_code == 410
    assert client.post(url, {"answer": "accept"}).status_code in (409, 410)
    assert Participant.objects.get(pk=world.participant.pk).status == ParticipantStatus.INVITED


def test_the_last_day_of_the_event_still_takes_an_answer(world):
    invitation = Invitation.objects.create(participant=world.participant, requested_at=datetime.datetime.now(datetime.UTC))
    participant = services_programme.answer_invitation(invitation=invitation, accept=True,
                                                       today=world.event.ends_on)
    assert participant.status == ParticipantStatus.CONFIRMED
    with pytest.raises(Conflict):
        services_programme.answer_invitation(invitation=invitation, accept=False,
                                             today=world.event.ends_on + datetime.timedelta(days=1))


def test_an_answer_read_before_the_guest_was_checked_in_is_refused(world):
    """The participant's row is locked and read afresh: an answer built on a copy read before
    the check-in does not turn an attended guest back into declined."""
    invitation = Invitation.objects.create(participant=world.participant, requested_at=datetime.datetime.now(datetime.UTC))
    stale = Invitation.objects.select_related("participant__event").get(pk=invitation.pk)
    assert stale.participant.status == ParticipantStatus.INVITED
    services.check_in(by=world.fay, event=world.event, code=world.participant.badge_code)
    with pytest.raises(Conflict):
        services_programme.answer_invitation(invitation=stale, accept=False)
    assert Participant.objects.get(pk=world.participant.pk).status == ParticipantStatus.ATTENDED


def test_only_the_event_managers_send_invitations(world, login):
    for persona in ("bob", "carol", "dan"):
        client = login(getattr(world.personas, persona))
        assert client.get(f"/exchanges/events/{world.event.pk}/invitations/").status_code == 404
        assert client.post(f"/exchanges/events/{world.event.pk}/invitations/", {"action": "send"}).status_code == 404
    assert not Invitation.objects.exists()


def test_a_template_without_the_link_is_refused_and_a_good_one_is_used(
        world, login, smtp, django_capture_on_commit_callbacks):
    client = login(world.personas.alice)
    url = f"/exchanges/events/{world.event.pk}/invitations/"
    data = {"action": "save", "subject_zh": "请出席{event}", "subject_en": "Please come to {event}",
            "body_zh": "{name}您好，{0.__class__} 请点击。", "body_en": "Hello {name}, {link}"}
    assert client.post(url, data).status_code == 200  # the form again, with the error
    assert not InvitationTemplate.objects.exists()
    data["body_zh"] = "{name}您好！{0.__class__} {link}"
    assert client.post(url, data).status_code == 302
    send_all(world, client, django_capture_on_commit_callbacks)
    body = body_of(smtp.to("guest-7731@example.net")[0])
    assert "颂猜·再迪您好！{0.__class__} http://127.0.0.1:8000/exchanges/invitations/" in body
