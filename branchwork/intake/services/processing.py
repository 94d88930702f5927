"""Processing a stored message: its outcome (accepted, held, rejected, with the reason), the
draft contribution made in the sender's name, the receipt."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branchwork.core.models import Person
from branchwork.intake import parsing
from branchwork.intake.charsets import decode_header_value
from branchwork.intake.models import REASONS, IncomingMessage, MessageStatus

from branchwork.intake.services.body import build_body
from branchwork.intake.services.storage import (
    PublishingUnavailable,
    _own_addresses,
    logger,
    max_bytes,
)


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
