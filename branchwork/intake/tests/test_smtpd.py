"""`branchwork smtpd`: its aiosmtpd server on a free loopback port, fed by smtplib.

The server handles each message in asgiref's sync thread, so these tests commit for real
(transaction=True) for that thread to see the personas.
"""

import io
import os
import signal
import smtplib
import socket
import threading
import time
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings
from wagtail.images import get_image_model

from branchwork.intake import services
from branchwork.intake.models import IncomingMessage, MessageStatus
from branchwork.intake.smtp import make_controller
from branchwork.intake.tests import mail
from branchwork.intake.tests.conftest import needs_publishing

pytestmark = pytest.mark.django_db(transaction=True)
STRANGER = "stranger@elsewhere.example.com"


@pytest.fixture
def server(personas):
    controller = make_controller("127.0.0.1", mail.free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def send(
    controller, raw: bytes, *, sender: str = "bob@example.org", to: str = mail.CONTRIBUTION_EMAIL
):
    with smtplib.SMTP("127.0.0.1", controller.port, timeout=20) as client:
        return client.sendmail(sender, [to], raw)


@needs_publishing
def test_a_gbk_message_through_smtp_becomes_a_draft_with_the_image_in_place(server, portal, inbox):
    assert send(server, mail.contribution()) == {}
    message = IncomingMessage.objects.get()
    assert message.status == MessageStatus.ACCEPTED, message.reason
    assert message.envelope_from == "bob@example.org"
    assert message.envelope_to == [mail.CONTRIBUTION_EMAIL]
    article = message.article.specific
    assert (article.title, article.live) == (mail.TITLE, False)
    mail.assert_docx_then_image(article, get_image_model().objects.get(title="集体学习照片.jpg"))
    assert inbox.to("bob@example.org")


def test_an_unknown_senders_message_through_smtp_waits_in_moderation(server, inbox):
    raw = mail.contribution(sender="路人甲", address=STRANGER)
    assert send(server, raw, sender=STRANGER) == {}
    message = IncomingMessage.objects.get()
    assert (message.status, message.reason_code) == (MessageStatus.HELD, "unknown_sender")
    assert message.article is None
    assert services.read_raw(message) == raw
    [receipt] = inbox.to(STRANGER)
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert message.title in str(receipt["Subject"])


def test_a_broken_message_through_smtp_is_accepted_for_keeping_with_its_reason(server, inbox):
    raw = mail.contribution()[:-900] + b"\r\n"
    assert send(server, raw) == {}  # 250: we have it; what it lacks is our business now
    message = IncomingMessage.objects.get()
    assert (message.status, message.reason_code) == (MessageStatus.REJECTED, "broken_mime")
    assert services.read_raw(message) == raw
    assert inbox.messages == []


def test_mail_for_any_other_address_is_refused_with_550(server):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        send(server, mail.contribution(), to="someone.else@branchwork.example")
    [(code, text)] = caught.value.recipients.values()
    assert code == 550 and b"only takes contributions" in text
    assert not IncomingMessage.objects.exists()


def test_the_contribution_address_is_matched_without_regard_to_case(server):
    assert send(server, mail.contribution(address=STRANGER), to="TouGao@Branchwork.Example") == {}
    assert IncomingMessage.objects.count() == 1


def test_an_oversized_message_gets_552_and_is_kept_with_the_reason(personas):
    raw = mail.contribution()
    with override_settings(INTAKE_MAX_BYTES=len(raw) - 1000):
        assert services.max_bytes() < len(raw) < services.hard_limit()
        controller = make_controller("127.0.0.1", mail.free_port())
        controller.start()
        try:
            with pytest.raises(smtplib.SMTPDataError) as caught:
                send(controller, raw)
        finally:
            controller.stop()
    assert caught.value.smtp_code == 552
    message = IncomingMessage.objects.get()
    assert f"kept for the moderators as #{message.pk}".encode() in caught.value.smtp_error
    assert (message.status, message.reason_code) == (MessageStatus.REJECTED, "oversized")
    assert services.read_raw(message) == raw
    assert (message.from_address, message.subject) == ("bob@example.org", mail.TITLE)


def test_when_storing_fails_the_server_answers_451_so_the_sender_retries(server):
    with mock.patch.object(services, "store", side_effect=services.StoreFailed("database is down")):
        with pytest.raises(smtplib.SMTPDataError) as caught:
            send(server, mail.contribution())
    assert caught.value.smtp_code == 451


def _wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


def test_the_command_serves_until_it_is_told_to_stop(personas, inbox):
    port = mail.free_port()
    outcome = {}

    def client():
        try:
            _wait_for_port(port)
            with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
                outcome["refused"] = smtp.sendmail(
                    STRANGER, [mail.CONTRIBUTION_EMAIL], mail.contribution(address=STRANGER)
                )
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            outcome["error"] = exc
        finally:
            os.kill(os.getpid(), signal.SIGTERM)  # as systemd stops it

    thread = threading.Thread(target=client)
    thread.start()
    out = io.StringIO()
    call_command("smtpd", "--host", "127.0.0.1", "--port", str(port), stdout=out)
    thread.join(10)

    assert "error" not in outcome, outcome
    assert outcome["refused"] == {}
    assert f"Taking mail for {mail.CONTRIBUTION_EMAIL} on 127.0.0.1:{port}" in out.getvalue()
    assert out.getvalue().rstrip().endswith("Stopped.")
    assert IncomingMessage.objects.get().status == MessageStatus.HELD
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
