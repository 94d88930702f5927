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

A package by topic, one name for callers (`services.receive`, `services.release`): `storage`
(limits, the raw bytes kept first), `body` (images, documents and rich text of a contribution),
`processing` (the outcome, the draft, the receipt), `moderation` (release, discard, process
again). `receive` stays here and calls `store` through this package, so that a test replacing
`services.store` replaces what it calls.
"""

from __future__ import annotations

from branchwork.intake.services.storage import (  # noqa: F401
    DEFAULT_MAX_BYTES,
    PublishingUnavailable,
    StoreFailed,
    _own_addresses,
    contribution_addresses,
    hard_limit,
    logger,
    max_bytes,
    read_raw,
    store,
)
from branchwork.intake.services.body import (  # noqa: F401
    Body,
    CAPTION_START,
    COLLECTION_NAME,
    DEFAULT_MAX_PIXELS,
    _MEANINGLESS_NAME,
    _PIL_EXTENSIONS,
    _collection,
    _image_file,
    _make_document,
    _make_image,
    build_body,
    document_link,
    image_alt,
    image_embed,
)
from branchwork.intake.services.processing import (  # noqa: F401
    _create_draft,
    _envelope_sender,
    _error_detail,
    _fill,
    _headers_only,
    _make_draft,
    _process,
    _process_safely,
    _publishing_service,
    _queue_receipt,
    _set_outcome,
    untitled,
    wants_receipt,
)
from branchwork.intake.services.moderation import (  # noqa: F401
    _locked,
    discard,
    release,
    reprocess,
)

from branchwork.core import audit
from branchwork.intake.models import IncomingMessage


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
