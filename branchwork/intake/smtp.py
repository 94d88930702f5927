"""The SMTP server of `branchwork smtpd`: aiosmtpd, one message at a time into `services.receive`.

RCPT is accepted only for CONTRIBUTION_EMAIL (550 otherwise), so the server is no relay. After
DATA the message is stored before we answer: 250 when it was kept (whatever became of it: a
draft, held, rejected as malformed), 552 when it was too large (it is kept all the same, for the
moderators, up to `services.hard_limit()` bytes; past that aiosmtpd refuses it as it arrives),
451 when it could not be stored, so that the sending server tries again later.

The ORM runs in asgiref's single sync thread (`sync_to_async`), one message after another, each
with a fresh database connection that is closed when the message is stored.
"""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections

from branchwork.intake import services
from branchwork.intake.models import IncomingMessage

logger = logging.getLogger("branchwork.intake")


def _receive(raw: bytes, mail_from: str | None, rcpt_tos: list[str]) -> IncomingMessage:
    close_old_connections()
    try:
        return services.receive(raw, envelope_from=mail_from, envelope_to=rcpt_tos)
    finally:
        # A connection per message: mail is rare, and no connection is left idle in this thread.
        connections.close_all()


class IntakeHandler:
    """aiosmtpd handler (the hooks are found by name)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.strip().lower() not in services.contribution_addresses():
            return "550 5.1.1 No such mailbox here: this server only takes contributions"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = (
            envelope.original_content if envelope.original_content is not None else envelope.content
        )
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            message = await sync_to_async(_receive, thread_sensitive=True)(
                raw, envelope.mail_from, list(envelope.rcpt_tos)
            )
        except Exception:  # noqa: BLE001 - StoreFailed or worse: the sender must keep it and retry
            logger.exception("Could not store a message from %s", envelope.mail_from)
            return "451 4.3.0 Could not store the message; please try again later"
        if message.reason_code in ("oversized", "truncated"):
            return (
                f"552 5.3.4 Message too big ({message.size} bytes, the limit is {services.max_bytes()}); "
                f"kept for the moderators as #{message.pk}"
            )
        return f"250 2.0.0 Stored as #{message.pk}"


def make_controller(host: str, port: int, *, handler: IntakeHandler | None = None):
    """An aiosmtpd Controller (a server in its own thread); call .start() and .stop()."""
    from aiosmtpd.controller import Controller

    return Controller(
        handler or IntakeHandler(),
        hostname=host,
        port=port,
        data_size_limit=services.hard_limit(),
        enable_SMTPUTF8=True,
        ident="Branchwork contributions",
    )
