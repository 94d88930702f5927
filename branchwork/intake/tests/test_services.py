"""receive(): every message kept first; a draft, held for moderation or rejected with its reason."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.test import override_settings
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from branchwork.intake import parsing, services
from branchwork.intake.models import IncomingMessage, MessageStatus
from branchwork.intake.tests import mail
from branchwork.intake.tests.conftest import HAS_PUBLISHING, NO_PUBLISHING, needs_publishing

pytestmark = pytest.mark.django_db

STRANGER = "stranger@elsewhere.example.com"


def receive(raw, capture, **kwargs) -> IncomingMessage:
    with capture(execute=True):
        message = services.receive(raw, **kwargs)
    message.refresh_from_db()
    return message


def stored_bytes(message) -> bytes:
    return services.read_raw(message)


# --- The body a contribution gets (the part that does not need publishing) ---


def test_the_body_has_the_docx_text_then_the_image_in_the_image_library(personas):
    parsed = parsing.parse(mail.contribution())
    message = IncomingMessage()
    body = services.build_body(parsed, owner=personas.bob, message=message)

    image = get_image_model().objects.get(title="集体学习照片.jpg")
    assert (image.width, image.height) == (64, 48)
    assert image.collection.name == services.COLLECTION_NAME
    assert image.uploaded_by_user == personas.bob
    embed = f'<embed embedtype="image" format="fullwidth" id="{image.pk}" alt="集体学习照片"/>'
    # After the text, where it came in the message; it has no caption (an empty one says so).
    assert body.html.endswith(embed + '<p class="caption"></p>')
    assert body.html.startswith("<h2>一、基本做法</h2><p><b>近年来，</b>研究室党支部")
    for paragraph in mail.DOCX_PARAGRAPHS[1:]:
        assert f"<p>{paragraph}</p>" in body.html
    assert "附件是我的投稿" not in body.html  # the cover note
    assert (body.images, body.documents) == (1, 0)


def test_other_attachments_become_documents_linked_at_the_end_and_odd_images_are_converted(
    personas,
):
    import io
    from email.mime.application import MIMEApplication
    from email.mime.image import MIMEImage
    from email.mime.multipart import MIMEMultipart

    from PIL import Image

    bmp = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(bmp, "BMP")
    msg = MIMEMultipart()
    msg["From"] = "bob@example.org"
    msg["Subject"] = "材料"
    msg.attach(mail.text_part(mail.LONG_BODY, "utf-8"))
    for data, name, maintype, subtype in (
        (b"%PDF-1.4 minimal", "学习材料.pdf", "application", "pdf"),
        (bmp.getvalue(), "扫描件.bmp", "image", "bmp"),
        (b"MZ\x90\x00", "tool.exe", "application", "octet-stream"),
        (b"not an image at all", "坏图.png", "image", "png"),
    ):
        part = MIMEImage(data, subtype) if maintype == "image" else MIMEApplication(data, subtype)
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        msg.attach(part)
    message = IncomingMessage()
    body = services.build_body(parsing.parse(msg.as_bytes()), owner=personas.bob, message=message)

    pdf = get_document_model().objects.get(title="学习材料.pdf")
    assert body.html.index("<p>近年来") < body.html.index(
        f'<a linktype="document" id="{pdf.pk}">学习材料.pdf</a>'
    )
    converted = get_image_model().objects.get(title="扫描件.bmp")
    assert converted.file.name.endswith(".png")
    assert f'id="{converted.pk}"' in body.html
    # An executable is not published; a broken image is offered as a document if its type allows.
    assert not get_document_model().objects.filter(title="tool.exe").exists()
    assert "tool.exe" in message.log and "stays in the original message" in message.log
    assert "坏图.png: not a readable image" in message.log
    assert (body.images, body.documents) == (1, 1)


def test_the_collection_of_email_files_is_for_logged_in_users_only(personas):
    collection = services._collection()
    assert services._collection() == collection
    [restriction] = collection.get_view_restrictions()
    assert restriction.restriction_type == restriction.LOGIN


# --- Known sender: a draft in their name ---


@needs_publishing
def test_a_gbk_message_from_a_known_person_becomes_their_draft_with_the_image_in_place(
    personas, portal, inbox, django_capture_on_commit_callbacks
):
    message = receive(mail.contribution(), django_capture_on_commit_callbacks)

    assert message.status == MessageStatus.ACCEPTED, message.reason
    assert message.sender_person == personas.people.bob
    article = message.article.specific
    assert not article.live
    assert article.title == mail.TITLE
    assert article.author == personas.people.bob
    assert article.contributed_via == "email"
    assert article.current_workflow_state is not None  # submitted to the editors
    image = get_image_model().objects.get(title="集体学习照片.jpg")
    mail.assert_docx_then_image(article, image)
    [receipt] = inbox.to("bob@example.org")
    assert "投稿回执" in str(receipt["Subject"])
    assert "已作为草稿转交编辑处理" in mail.body_text(receipt)


@needs_publishing
def test_with_no_contributions_channel_yet_the_message_is_kept_and_can_be_processed_again(
    personas, django_capture_on_commit_callbacks
):
    message = receive(mail.contribution(), django_capture_on_commit_callbacks)
    assert (message.status, message.reason_code) == (MessageStatus.REJECTED, "error")
    assert "No channel accepts contributions" in message.reason
    assert not get_image_model().objects.exists()  # rolled back with the draft

    from branchwork.publishing.testing import build_portal

    build_portal(personas)
    with django_capture_on_commit_callbacks(execute=True):
        services.reprocess(message, by=personas.admin)
    message.refresh_from_db()
    assert message.status == MessageStatus.ACCEPTED
    assert message.article.specific.author == personas.people.bob


@pytest.mark.skipif(HAS_PUBLISHING, reason="publishing's contribution_create is there")
def test_without_the_publishing_service_a_known_persons_message_is_kept_with_the_reason(
    personas, django_capture_on_commit_callbacks
):
    message = receive(mail.contribution(), django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.REJECTED
    assert message.reason_code == "unavailable"
    assert not get_image_model().objects.exists()  # rolled back with the draft
    pytest.skip(NO_PUBLISHING)


# --- Unknown sender: held for moderation, and told so ---


def test_an_unknown_senders_message_waits_in_moderation_and_gets_a_receipt(
    personas, inbox, django_capture_on_commit_callbacks
):
    pages = Page.objects.count()
    raw = mail.contribution(sender="路人甲", address=STRANGER)
    message = receive(
        raw,
        django_capture_on_commit_callbacks,
        envelope_from=STRANGER,
        envelope_to=[mail.CONTRIBUTION_EMAIL],
    )

    assert message.status == MessageStatus.HELD
    assert message.reason_code == "unknown_sender"
    assert message.reason == (
        f"The sender {STRANGER} is not registered; a moderator decides who the author is."
    )
    assert message.sender_person is None and message.article is None
    assert Page.objects.count() == pages  # nothing published
    assert not get_image_model().objects.exists()  # nothing in the libraries either
    assert stored_bytes(message) == raw
    assert (message.subject, message.title, message.header_from) == (
        mail.TITLE,
        mail.TITLE,
        f"路人甲 <{STRANGER}>",
    )
    assert [a["filename"] for a in message.attachments] == ["支部经验材料.docx", "集体学习照片.jpg"]
    assert message.envelope_to == [mail.CONTRIBUTION_EMAIL]

    [receipt] = inbox.to(STRANGER)
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert receipt["In-Reply-To"] == message.message_id
    assert str(receipt["Subject"]).strip() == f"【投稿回执】{mail.TITLE} / Contribution received"
    body = mail.body_text(receipt)
    assert (
        body.index("路人甲：您好！")
        < body.index("尚未在系统中登记")
        < body.index("Dear 路人甲")
        < body.index("is not registered with us")
    )
    assert f"收稿编号：{message.pk}" in body
    assert "Word 文档 1 份，图片 1 张" in body
    assert message.receipt_sent_at is not None


@pytest.mark.parametrize(
    "headers, address, envelope_from",
    [
        ({"Auto-Submitted": "auto-replied"}, STRANGER, STRANGER),
        ({}, "MAILER-DAEMON@mx.elsewhere.example.com", ""),
        ({}, "noreply@service.example.com", "bounce-123@service.example.com"),
        ({"Auto-Submitted": "auto-generated"}, "bob@example.org", None),  # even from a known person
    ],
)
def test_machines_never_get_a_receipt_and_their_mail_is_held(
    personas, inbox, django_capture_on_commit_callbacks, headers, address, envelope_from
):
    raw = mail.contribution(
        address=address, docx=None, jpeg=None, body=mail.LONG_BODY, extra_headers=headers
    )
    message = receive(raw, django_capture_on_commit_callbacks, envelope_from=envelope_from)
    assert message.status == MessageStatus.HELD
    assert message.reason_code == "automated"
    assert message.receipt_sent_at is None
    assert inbox.messages == []


def test_our_own_address_never_gets_a_receipt(personas, inbox, django_capture_on_commit_callbacks):
    raw = mail.contribution(address=mail.CONTRIBUTION_EMAIL, docx=None, jpeg=None)
    message = receive(raw, django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.HELD
    assert inbox.messages == []
    assert "no receipt" in message.log


def test_the_same_message_twice_is_processed_once(
    personas, inbox, django_capture_on_commit_callbacks
):
    raw = mail.contribution(address=STRANGER)
    first = receive(raw, django_capture_on_commit_callbacks)
    again = receive(raw, django_capture_on_commit_callbacks)
    assert first.status == MessageStatus.HELD
    assert (again.status, again.reason_code) == (MessageStatus.REJECTED, "duplicate")
    assert f"arrived before as message #{first.pk}" in again.reason
    assert len(inbox.to(STRANGER)) == 1


# --- Broken and oversized: kept, with the reason ---


BROKEN = {
    "garbage": (bytes(range(256)) * 40, "not_mail", "This is not an email message"),
    "no From": (
        b"To: tougao@branchwork.example\r\nSubject: =?GBK?B?zfWyqQ==?=\r\n\r\ntext\r\n",
        "no_sender",
        "no valid sender address",
    ),
    "cut off": (mail.contribution()[:-900], "broken_mime", "may have been cut off in transit"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_message_is_kept_with_its_reason(
    personas, inbox, django_capture_on_commit_callbacks, case
):
    raw, code, words = BROKEN[case]
    message = receive(raw, django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.REJECTED
    assert message.reason_code == code
    assert words in message.reason
    assert stored_bytes(message) == raw
    assert message.size == len(raw)
    assert message.raw.name.startswith("intake/") and message.raw.name.endswith(".eml")
    assert inbox.messages == []  # no receipt for what could not be read


def test_a_cut_off_message_still_shows_who_sent_what(personas, django_capture_on_commit_callbacks):
    message = receive(BROKEN["cut off"][0], django_capture_on_commit_callbacks)
    assert (message.from_address, message.subject) == ("bob@example.org", mail.TITLE)
    assert message.article is None


@override_settings(INTAKE_MAX_BYTES=5000)
def test_an_oversized_message_is_rejected_as_oversized_and_kept(
    personas, inbox, django_capture_on_commit_callbacks
):
    raw = mail.contribution(jpeg=mail.jpeg_bytes(size=(400, 300)))
    assert len(raw) > 5000
    message = receive(raw, django_capture_on_commit_callbacks)
    assert (message.status, message.reason_code) == (MessageStatus.REJECTED, "oversized")
    assert message.reason == f"The message is too large: {len(raw)} bytes, the limit is 5000 bytes."
    assert stored_bytes(message) == raw
    assert (message.from_address, message.subject) == ("bob@example.org", mail.TITLE)
    assert inbox.messages == []


def test_a_crash_while_processing_is_caught_and_recorded(
    personas, django_capture_on_commit_callbacks
):
    raw = mail.contribution()
    with mock.patch.object(parsing, "parse", side_effect=RuntimeError("parser exploded")):
        message = receive(raw, django_capture_on_commit_callbacks)
    assert (message.status, message.reason_code) == (MessageStatus.REJECTED, "error")
    assert "RuntimeError: parser exploded" in message.reason
    assert stored_bytes(message) == raw


def test_when_nothing_can_be_stored_receive_raises_store_failed_and_leaves_no_file(personas):
    with mock.patch.object(
        IncomingMessage, "save", side_effect=OperationalError("database is down")
    ):
        with pytest.raises(services.StoreFailed, match="database is down"):
            services.receive(mail.contribution())
    assert not IncomingMessage.objects.exists()


def test_reasons_read_in_chinese_when_translated(personas, django_capture_on_commit_callbacks):
    from django.utils import translation

    message = receive(b"", django_capture_on_commit_callbacks)
    with translation.override("en"):
        assert message.reason_display == message.reason
    # Whatever the catalogue says, the display never fails and never loses the parameters.
    message = receive(mail.contribution(address=STRANGER), django_capture_on_commit_callbacks)
    with translation.override("zh-hans"):
        assert STRANGER in message.reason_display


# --- Moderation ---


def test_a_moderator_discards_a_held_message_and_it_stays_stored(
    personas, django_capture_on_commit_callbacks
):
    raw = mail.contribution(address=STRANGER)
    message = receive(raw, django_capture_on_commit_callbacks)
    services.discard(message, by=personas.admin, reason="广告")
    message.refresh_from_db()
    assert message.status == MessageStatus.DISCARDED
    assert message.moderated_by == personas.admin and message.moderated_at is not None
    assert "discarded by root: 广告" in message.log
    assert stored_bytes(message) == raw
    with pytest.raises(ValidationError):
        services.discard(message, by=personas.admin)
    with pytest.raises(ValidationError):
        services.release(message, as_person=personas.people.bob, by=personas.admin)


@needs_publishing
def test_a_moderator_releases_a_held_message_as_a_person(
    personas, portal, django_capture_on_commit_callbacks
):
    message = receive(
        mail.contribution(sender="王博（家）", address="wangbo.home@elsewhere.example.com"),
        django_capture_on_commit_callbacks,
    )
    assert message.status == MessageStatus.HELD
    released = services.release(message, as_person=personas.people.bob, by=personas.admin)
    released.refresh_from_db()
    assert released.status == MessageStatus.RELEASED
    assert released.sender_person == personas.people.bob
    article = released.article.specific
    assert article.author == personas.people.bob and not article.live
    mail.assert_docx_then_image(article, get_image_model().objects.get(title="集体学习照片.jpg"))
    assert "released by root as person" in released.log
    assert released.moderated_by == personas.admin


@override_settings(INTAKE_MAX_BYTES=1000)
def test_a_rejected_message_can_be_processed_again(personas, django_capture_on_commit_callbacks):
    raw = mail.contribution(address=STRANGER, docx=None)
    message = receive(raw, django_capture_on_commit_callbacks)
    assert message.reason_code == "oversized"
    with override_settings(INTAKE_MAX_BYTES=10_000_000):
        with django_capture_on_commit_callbacks(execute=True):
            services.reprocess(message, by=personas.admin)
    message.refresh_from_db()
    assert (message.status, message.reason_code) == (MessageStatus.HELD, "unknown_sender")
    assert "processed again by root" in message.log
