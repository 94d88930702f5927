"""Storing a message first: the limits, the addresses mail is taken at, the raw bytes kept
before anything reads them."""

from __future__ import annotations

import logging
from email.utils import parseaddr

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from branchwork.intake.models import IncomingMessage


logger = logging.getLogger("branchwork.intake")

DEFAULT_MAX_BYTES = 25 * 1024 * 1024


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
