"""`branchwork ingest_email`: one message on standard input, as an MTA's pipe delivers it."""

import io
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from wagtail.images import get_image_model

from branchwork.intake import services
from branchwork.intake.models import IncomingMessage, MessageStatus
from branchwork.intake.tests import mail
from branchwork.intake.tests.conftest import needs_publishing

pytestmark = pytest.mark.django_db


def ingest(raw: bytes, *args, capture=None) -> tuple[IncomingMessage, str]:
    """Run the command with `raw` on a binary standard input; return the stored message and output."""
    stdin = SimpleNamespace(buffer=io.BytesIO(raw))
    out = io.StringIO()
    if capture is not None:
        with capture(execute=True):
            call_command("ingest_email", *args, stdin=stdin, stdout=out)
    else:
        call_command("ingest_email", *args, stdin=stdin, stdout=out)
    return IncomingMessage.objects.latest("pk"), out.getvalue()


@needs_publishing
def test_a_gbk_message_on_stdin_becomes_a_draft_with_the_image_in_place(
    personas, portal, inbox, django_capture_on_commit_callbacks
):
    message, out = ingest(mail.contribution(), capture=django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.ACCEPTED, message.reason
    assert out.strip() == f"Stored message {message.pk} ({message.size} bytes): accepted"
    article = message.article.specific
    assert article.title == mail.TITLE and not article.live
    mail.assert_docx_then_image(article, get_image_model().objects.get(title="集体学习照片.jpg"))
    assert inbox.to("bob@example.org")


def test_an_unknown_sender_on_stdin_is_held_and_the_command_says_why(
    personas, inbox, django_capture_on_commit_callbacks
):
    raw = mail.contribution(address="stranger@elsewhere.example.com")
    message, out = ingest(
        raw,
        "--from",
        "stranger@elsewhere.example.com",
        "--to",
        mail.CONTRIBUTION_EMAIL,
        capture=django_capture_on_commit_callbacks,
    )
    assert message.status == MessageStatus.HELD
    assert out.strip() == (
        f"Stored message {message.pk} ({len(raw)} bytes): held: The sender "
        "stranger@elsewhere.example.com is not registered; a moderator decides who the author is."
    )
    assert message.envelope_from == "stranger@elsewhere.example.com"
    assert message.envelope_to == [mail.CONTRIBUTION_EMAIL]
    assert services.read_raw(message) == raw
    assert len(inbox.to("stranger@elsewhere.example.com")) == 1


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\x01\x02 garbage \xff\xfe",
        b"Subject: =?GBK?B?zfWyqQ==?=\r\n\r\nno sender\r\n",
        mail.contribution()[:-700],
    ],
)
def test_a_broken_message_on_stdin_is_kept_and_the_exit_status_is_zero(personas, raw):
    message, out = ingest(raw)  # no CommandError: the MTA must not send it again
    assert message.status == MessageStatus.REJECTED
    assert out.startswith(f"Stored message {message.pk}") and message.reason in out
    assert services.read_raw(message) == raw


def test_a_bounce_with_a_null_envelope_sender_gets_no_receipt(
    personas, inbox, django_capture_on_commit_callbacks
):
    message, _out = ingest(
        mail.contribution(address="postmaster@elsewhere.example.com", docx=None),
        "--from",
        "",
        capture=django_capture_on_commit_callbacks,
    )
    assert message.envelope_from == "<>"
    assert (message.status, message.reason_code) == (MessageStatus.HELD, "automated")
    assert inbox.messages == []


@override_settings(INTAKE_MAX_BYTES=1000)
def test_an_enormous_message_is_kept_up_to_the_hard_limit_with_its_real_size(personas):
    raw = mail.contribution(jpeg=mail.jpeg_bytes(size=(600, 600)))
    assert len(raw) > services.hard_limit()
    message, out = ingest(raw)
    assert (message.status, message.reason_code) == (MessageStatus.REJECTED, "truncated")
    assert message.size == len(raw)
    assert services.read_raw(message) == raw[: services.hard_limit()]
    assert f"Only its first {services.hard_limit()} bytes were kept." in out
    assert message.subject == mail.TITLE


def test_when_the_message_cannot_be_stored_the_exit_status_asks_the_mta_to_retry(personas):
    with mock.patch.object(
        services, "store", side_effect=services.StoreFailed("OperationalError: database is down")
    ):
        with pytest.raises(CommandError) as caught:
            ingest(mail.contribution())
    assert caught.value.returncode == 75  # EX_TEMPFAIL: Postfix and Exim keep it and try again
    assert "database is down" in str(caught.value)
