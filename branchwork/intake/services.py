"""Contributions by email: store every message first, then make it a draft, hold it or reject it.

`receive()` is what `branchwork ingest_email` and `branchwork smtpd` call for each message. It
never raises for bad input: the raw bytes are stored before anything else (if even that fails,
it raises `StoreFailed` and the caller tells the sending MTA to try again later), then the
message is processed inside try/except, and whatever happens is recorded on the message as its
status and reason.

- From a known person (core Person by email address, case-insensitive): a draft contribution in
  their name through `publishing.services.contribution_create(..., source="email")`, with the
  images in the image library and in the body, the .docx as rich text, other attachments as
  documents linked at the end. Status accepted.
- From an unknown address, an address shared by several people, or a machine (auto-replies,
  bounces, lists): held for a moderator, who releases it as a person (`release`) or discards it
  (`discard`). Nothing is published.
- Oversized, not mail, no sender, a broken MIME structure, nothing in it, a duplicate: rejected
  with the reason. The message stays, downloadable by moderators.

The sender gets a receipt (Chinese, then English) once a message is accepted or held, except
machines: nothing is ever sent to an automated or our own address (mail loops).
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import parseaddr
from html import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.core import audit
from branchwork.core.models import Person
from branchwork.intake import parsing
from branchwork.intake.charsets import decode_header_value
from branchwork.intake.models import REASONS, IncomingMessage, MessageStatus

logger = logging.getLogger("branchwork.intake")

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
# Moderators find email contributions' images and documents in this collection (logged-in only).
COLLECTION_NAME = "邮件投稿"
# The pixel budget of one image (a decompression bomb is refused, not opened).
DEFAULT_MAX_PIXELS = 128_000_000
# Pillow format → file extension, for the formats the Wagtail image library takes.
_PIL_EXTENSIONS = {
    "JPEG": "jpg",
    "MPO": "jpg",
    "PNG": "png",
    "GIF": "gif",
    "WEBP": "webp",
    "AVIF": "avif",
    "HEIF": "heic",
}


class StoreFailed(Exception):
    """The message could not even be stored (database or storage down): the MTA must retry."""


class PublishingUnavailable(Exception):
    pass


def max_bytes() -> int:
    """INTAKE_MAX_BYTES: the largest message made into a contribution (default 25 MB)."""
    return int(getattr(settings, "INTAKE_MAX_BYTES", DEFAULT_MAX_BYTES))


def hard_limit() -> int:
    """Past this many bytes a message is not even read whole (4 × INTAKE_MAX_BYTES)."""
    return 4 * max_bytes()


def contribution_addresses() -> set[str]:
    address = parseaddr(str(getattr(settings, "CONTRIBUTION_EMAIL", "") or ""))[1]
    return {address.lower()} if address else set()


def _own_addresses() -> set[str]:
    own = set(contribution_addresses())
    for value in (
        getattr(settings, "DEFAULT_FROM_EMAIL", ""),
        getattr(settings, "SERVER_EMAIL", ""),
    ):
        address = parseaddr(str(value or ""))[1]
        if address:
            own.add(address.lower())
    return own


# --- storing ---


def store(
    raw: bytes,
    *,
    envelope_from: str | None = None,
    envelope_to: list[str] | None = None,
    received_size: int | None = None,
) -> IncomingMessage:
    """Keep the bytes and a row for them, committed before anything reads them."""
    raw = bytes(raw)
    size = max(received_size or 0, len(raw))
    message = IncomingMessage(
        size=size,
        # "<>" is the null sender of delivery reports; "" means nobody told us.
        envelope_from=("<>" if envelope_from == "" else (envelope_from or ""))[:320],
        envelope_to=[str(a)[:320] for a in (envelope_to or [])][:50],
    )
    via = f" from {message.envelope_from}" if message.envelope_from else ""
    message.add_log(
        f"received {size} bytes{via}" + (f", {len(raw)} kept" if len(raw) < size else "")
    )
    try:
        message.raw.save("message.eml", ContentFile(raw), save=False)
        with transaction.atomic():
            message.save()
    except Exception as exc:
        name = message.raw.name
        if name:
            try:
                message.raw.storage.delete(name)
            except Exception:  # noqa: BLE001 - the original error is what matters
                pass
        logger.exception("Could not store an incoming message of %s bytes", size)
        raise StoreFailed(f"{exc.__class__.__name__}: {exc}") from exc
    logger.info("Stored incoming message %s (%s bytes)", message.pk, size)
    return message


def read_raw(message: IncomingMessage) -> bytes:
    with message.raw.open("rb") as f:
        return f.read()


# --- processing ---


def _envelope_sender(message: IncomingMessage) -> str | None:
    if message.envelope_from == "<>":
        return ""
    return message.envelope_from or None


def _set_outcome(message: IncomingMessage, status: str, code: str = "", **params) -> None:
    message.status = status
    message.reason_code = code
    params = {
        k: v for k, v in params.items() if isinstance(v, (str, int, float, bool)) or v is None
    }
    message.reason_params = params
    if code:
        template = REASONS[code]
        from django.utils import translation

        with translation.override("en"):
            message.reason = str(template) % params
        message.add_log(f"{status}: {message.reason}")
    else:
        message.reason = ""
        message.add_log(status)


def _headers_only(message: IncomingMessage, raw: bytes) -> None:
    """Sender and subject of a message not parsed whole (too large), for the moderators."""
    try:
        head = raw[: 256 * 1024]
        headers = BytesHeaderParser(policy=default_policy).parsebytes(head)
        raw_from = next((str(v) for k, v in headers.raw_items() if k.lower() == "from"), "")
        raw_subject = next((str(v) for k, v in headers.raw_items() if k.lower() == "subject"), "")
        name, address = parseaddr(raw_from)
        message.from_address = address.lower()[:320] if "@" in address else ""
        message.header_from = decode_header_value(raw_from)[:400]
        message.subject = decode_header_value(raw_subject)[:500]
    except Exception:  # noqa: BLE001 - nice to have only
        logger.warning("Could not read the headers of message %s", message.pk, exc_info=True)


def _fill(message: IncomingMessage, parsed: parsing.ParsedMessage) -> None:
    message.header_from = parsed.header_from[:400]
    message.from_address = parsed.from_address[:320]
    message.subject = parsed.subject[:500]
    message.title = parsed.title[:255]
    message.message_id = parsed.message_id[:300]
    message.text = parsed.text
    message.attachments = [a.summary() for a in parsed.attachments]
    for note in parsed.notes:
        message.add_log(f"note: {note}")


def untitled() -> str:
    return _("(untitled contribution)")


def receive(
    raw: bytes,
    *,
    envelope_from: str | None = None,
    envelope_to: list[str] | None = None,
    received_size: int | None = None,
) -> IncomingMessage:
    """Store one message, then process it. Raises only StoreFailed (nothing could be kept).

    `received_size` is the size of the whole message when only its first part could be kept
    (see `hard_limit`).
    """
    message = store(
        raw, envelope_from=envelope_from, envelope_to=envelope_to, received_size=received_size
    )
    with audit.acting_as(None, source="email"):
        _process_safely(message, raw)
    return message


def _process_safely(message: IncomingMessage, raw: bytes, *, by=None) -> None:
    try:
        _process(message, raw, by=by)
    except Exception as exc:  # noqa: BLE001 - the message is kept; the reason says what happened
        logger.exception("Processing incoming message %s failed", message.pk)
        message.article = None
        _set_outcome(
            message,
            MessageStatus.REJECTED,
            "error",
            detail=f"{exc.__class__.__name__}: {exc}"[:500],
        )
        try:
            message.save()
        except Exception:  # noqa: BLE001
            logger.exception("Could not record the failure of incoming message %s", message.pk)


def _process(message: IncomingMessage, raw: bytes, *, by=None) -> None:
    limit = max_bytes()
    if message.size > limit:
        _headers_only(message, raw)
        if len(raw) < message.size:
            _set_outcome(
                message,
                MessageStatus.REJECTED,
                "truncated",
                size=message.size,
                limit=limit,
                kept=len(raw),
            )
        else:
            _set_outcome(
                message, MessageStatus.REJECTED, "oversized", size=message.size, limit=limit
            )
        message.save()
        return

    try:
        parsed = parsing.parse(raw, envelope_from=_envelope_sender(message))
    except parsing.MalformedMessage as exc:
        if exc.partial is not None:
            _fill(message, exc.partial)
        _set_outcome(message, MessageStatus.REJECTED, exc.code, **exc.params)
        message.save()
        return
    _fill(message, parsed)

    if parsed.message_id:
        first = (
            IncomingMessage.objects.filter(
                message_id=parsed.message_id,
                from_address=parsed.from_address,
                status__in=[MessageStatus.ACCEPTED, MessageStatus.RELEASED, MessageStatus.HELD],
            )
            .exclude(pk=message.pk)
            .order_by("pk")
            .first()
        )
        if first is not None:
            _set_outcome(
                message,
                MessageStatus.REJECTED,
                "duplicate",
                message_id=parsed.message_id,
                first=f"#{first.pk}",
            )
            message.save()
            return
    if parsed.is_empty:
        _set_outcome(message, MessageStatus.REJECTED, "empty")
        message.save()
        return
    if parsed.automated:
        _set_outcome(message, MessageStatus.HELD, "automated", detail=parsed.automated)
        message.save()
        return

    people = list(Person.objects.filter(email__iexact=parsed.from_address).order_by("pk")[:2])
    if not people:
        _set_outcome(message, MessageStatus.HELD, "unknown_sender", address=parsed.from_address)
        message.save()
        _queue_receipt(message)
        return
    if len(people) > 1:
        _set_outcome(message, MessageStatus.HELD, "ambiguous_sender", address=parsed.from_address)
        message.save()
        _queue_receipt(message)
        return

    _make_draft(message, parsed, author=people[0], status=MessageStatus.ACCEPTED, by=by)
    _queue_receipt(message)


def _publishing_service():
    try:
        from branchwork.publishing.services import contribution_create
    except ImportError as exc:
        raise PublishingUnavailable(str(exc)) from None
    return contribution_create


def _create_draft(
    message: IncomingMessage, parsed: parsing.ParsedMessage, *, author: Person, status: str, by=None
) -> None:
    """Images, documents and the draft in one transaction, recorded on the message; raises
    PublishingUnavailable, ValidationError or whatever the publishing service raised (and then
    nothing of it is left)."""
    contribution_create = _publishing_service()
    title = (parsed.title or untitled())[:255]
    with transaction.atomic():
        body = build_body(parsed, owner=author.user or by, message=message)
        page = contribution_create(author=author, title=title, body_html=body.html, source="email")
        message.article = page
        message.sender_person = author
        message.title = title
        _set_outcome(message, status)
        message.add_log(
            f"draft {page.pk} created for person {author.pk}: {body.images} images, {body.documents} documents"
        )
        message.save()


def _error_detail(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)[:500]
    return f"{exc.__class__.__name__}: {exc}"[:500]


def _make_draft(
    message: IncomingMessage, parsed: parsing.ParsedMessage, *, author: Person, status: str, by=None
) -> None:
    """As _create_draft, but a failure rejects the message with the reason instead of raising."""
    log_before = message.log
    try:
        _create_draft(message, parsed, author=author, status=status, by=by)
    except PublishingUnavailable as exc:
        message.log = log_before
        message.add_log(f"publishing service missing: {exc}")
        message.article = None
        _set_outcome(message, MessageStatus.REJECTED, "unavailable")
        message.save()
    except Exception as exc:  # noqa: BLE001 - rolled back; the message says why
        logger.exception("Could not create the draft of incoming message %s", message.pk)
        message.log = log_before
        message.article = None
        message.sender_person = None
        _set_outcome(message, MessageStatus.REJECTED, "error", detail=_error_detail(exc))
        message.save()


# --- the body: images, documents, rich text ---


@dataclass
class Body:
    html: str
    images: int = 0
    documents: int = 0


def _collection():
    from wagtail.models import Collection, CollectionViewRestriction

    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=COLLECTION_NAME).first()
    if collection is None:
        collection = root.add_child(instance=Collection(name=COLLECTION_NAME))
        # Drafts' files are internal: only logged-in users may download them.
        CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.LOGIN
        )
    return collection


def _image_file(attachment: parsing.Attachment) -> tuple[bytes, str] | str:
    """(bytes, filename) ready for the image library, or why the file cannot be an image."""
    from PIL import Image as PILImage
    from wagtail.images.utils import get_allowed_image_extensions

    try:
        with PILImage.open(io.BytesIO(attachment.data)) as probe:
            probe.verify()
        with PILImage.open(io.BytesIO(attachment.data)) as image:
            pixels = image.width * image.height
            limit = int(getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS))
            if pixels > limit:
                return f"{image.width}×{image.height} pixels is more than the limit of {limit}"
            fmt = image.format or ""
            ext = _PIL_EXTENSIONS.get(fmt)
            stem, _dot, current = attachment.filename.rpartition(".")
            stem = stem or attachment.filename
            if ext and ext in get_allowed_image_extensions():
                name = (
                    attachment.filename
                    if current.lower() in (ext, "jpeg" if ext == "jpg" else ext)
                    else f"{stem}.{ext}"
                )
                return attachment.data, name
            # BMP, TIFF and the like: converted to PNG, which every browser shows.
            image.seek(0)
            converted = image.convert(
                "RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB"
            )
            out = io.BytesIO()
            converted.save(out, "PNG", optimize=True)
            return out.getvalue(), f"{stem}.png"
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a bad file
        return f"not a readable image ({exc.__class__.__name__})"


def _make_image(attachment: parsing.Attachment, *, owner, collection, message: IncomingMessage):
    from wagtail.images import get_image_model

    prepared = _image_file(attachment)
    if isinstance(prepared, str):
        message.add_log(f"note: {attachment.filename}: {prepared}; kept as a document instead")
        attachment.note = prepared
        return None
    data, filename = prepared
    Image = get_image_model()
    image = Image(title=attachment.filename[:255], collection=collection, uploaded_by_user=owner)
    image.file = ImageFile(io.BytesIO(data), name=filename)
    image._set_image_file_metadata()
    image.save()
    return image


def _make_document(attachment: parsing.Attachment, *, owner, collection, message: IncomingMessage):
    from wagtail.documents import get_document_model

    allowed = getattr(settings, "WAGTAILDOCS_EXTENSIONS", None)
    ext = attachment.filename.rpartition(".")[2].lower() if "." in attachment.filename else ""
    if allowed is not None and ext not in {e.lower() for e in allowed}:
        message.add_log(
            f"note: {attachment.filename} ({attachment.content_type}) not kept as a document: "
            f".{ext or '?'} files are not accepted; it stays in the original message"
        )
        return None
    Document = get_document_model()
    document = Document(
        title=attachment.filename[:255], collection=collection, uploaded_by_user=owner
    )
    document.file = ContentFile(attachment.data, name=attachment.filename)
    document._set_document_file_metadata()
    document.save()
    return document


# The caption paragraph after an image embed (publishing.richtext reads it as the caption).
CAPTION_START = '<p class="caption">'
# File names that say nothing about the picture: camera and messenger defaults.
_MEANINGLESS_NAME = re.compile(
    r"^(img|dsc|dscn|dcim|pxl|image|photo|pic|screenshot|mmexport|微信图片|wx)[\W_]*\d", re.I
)


def image_alt(filename: str) -> str:
    stem = filename.rpartition(".")[0] or filename
    return "" if _MEANINGLESS_NAME.match(stem) or stem.isdigit() else stem


def image_embed(image, alt: str) -> str:
    return f'<embed embedtype="image" format="fullwidth" id="{image.pk}" alt="{escape(alt)}"/>'


def document_link(document, name: str) -> str:
    return f'<a linktype="document" id="{document.pk}">{escape(name)}</a>'


def build_body(parsed: parsing.ParsedMessage, *, owner=None, message: IncomingMessage) -> Body:
    """The rich text of the draft; creates its images and documents (call inside a transaction)."""
    collection = _collection()
    owner = owner if owner is not None and getattr(owner, "pk", None) else None
    html: list[str] = []
    later: list[parsing.Attachment] = []
    body = Body(html="")
    blocks = parsed.blocks
    for i, block in enumerate(blocks):
        if block.kind == "html":
            html.append(block.html)
        elif block.kind == "image" and block.attachment is not None:
            image = _make_image(
                block.attachment, owner=owner, collection=collection, message=message
            )
            if image is None:
                later.append(block.attachment)
                continue
            body.images += 1
            html.append(image_embed(image, image_alt(block.attachment.filename)))
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            if not (
                following and following.kind == "html" and following.html.startswith(CAPTION_START)
            ):
                # No caption: say so, or the paragraph that follows would be read as one.
                html.append(f"{CAPTION_START}</p>")
        elif block.attachment is not None:
            later.append(block.attachment)
    for attachment in later:
        document = _make_document(attachment, owner=owner, collection=collection, message=message)
        if document is not None:
            body.documents += 1
            html.append(f"<p>{document_link(document, attachment.filename)}</p>")
    body.html = "".join(html)
    return body


# --- receipts ---


def wants_receipt(message: IncomingMessage) -> bool:
    """A person gets a receipt; a machine, our own address or a repeat never does."""
    if message.receipt_sent_at is not None or not message.from_address:
        return False
    if message.status not in (MessageStatus.ACCEPTED, MessageStatus.HELD, MessageStatus.RELEASED):
        return False
    if message.reason_code == "automated":
        return False
    if message.from_address.lower() in _own_addresses():
        return False
    return not parsing.automated_reason(None, message.from_address, _envelope_sender(message))


def _queue_receipt(message: IncomingMessage) -> None:
    if not wants_receipt(message):
        if message.status in (MessageStatus.ACCEPTED, MessageStatus.HELD):
            message.add_log("no receipt: the sender looks automated or is our own address")
            message.save(update_fields=["log"])
        return
    from branchwork.intake import tasks

    pk = message.pk
    transaction.on_commit(lambda: tasks.send_receipt.enqueue(message_id=pk))


# --- moderation ---


def _locked(message: IncomingMessage) -> IncomingMessage:
    return IncomingMessage.objects.select_for_update().get(pk=message.pk)


def release(message: IncomingMessage, *, as_person: Person, by) -> IncomingMessage:
    """A moderator accepts a held message as `as_person`'s contribution: the draft is created."""
    with audit.acting_as(by, source="intake"), transaction.atomic():
        message = _locked(message)
        if message.status != MessageStatus.HELD:
            raise ValidationError(_("Only a held message can be released."))
        try:
            parsed = parsing.parse(read_raw(message), envelope_from=_envelope_sender(message))
        except parsing.MalformedMessage as exc:
            raise ValidationError(str(exc)) from None
        message.moderated_by = by
        message.moderated_at = timezone.now()
        message.add_log(
            f"released by {by.get_username()} as person {as_person.pk} ({as_person.name})"
        )
        try:
            _create_draft(message, parsed, author=as_person, status=MessageStatus.RELEASED, by=by)
        except PublishingUnavailable:
            raise ValidationError(str(REASONS["unavailable"])) from None
        except ValidationError:
            raise
        except Exception as exc:
            logger.exception("Could not release incoming message %s", message.pk)
            raise ValidationError(str(REASONS["error"]) % {"detail": _error_detail(exc)}) from exc
    return message


def discard(message: IncomingMessage, *, by, reason: str = "") -> IncomingMessage:
    """A moderator decides that a held or rejected message becomes nothing. It stays stored."""
    with audit.acting_as(by, source="intake"), transaction.atomic():
        message = _locked(message)
        if not message.is_open:
            raise ValidationError(_("This message has already been dealt with."))
        message.status = MessageStatus.DISCARDED
        message.moderated_by = by
        message.moderated_at = timezone.now()
        message.add_log(
            f"discarded by {by.get_username()}" + (f": {reason.strip()}" if reason.strip() else "")
        )
        message.save()
    return message


def reprocess(message: IncomingMessage, *, by) -> IncomingMessage:
    """Process a rejected (or never processed) message again, e.g. once its sender is registered."""
    with audit.acting_as(by, source="intake"):
        with transaction.atomic():
            message = _locked(message)
            if message.status not in (MessageStatus.RECEIVED, MessageStatus.REJECTED):
                raise ValidationError(
                    _("Only a rejected or unprocessed message can be processed again.")
                )
            message.add_log(f"processed again by {by.get_username()}")
            message.save(update_fields=["log"])
        _process_safely(message, read_raw(message), by=by)
    return message
