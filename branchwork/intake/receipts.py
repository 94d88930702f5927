"""The receipt a sender gets for a message that was accepted or held (Chinese, then English).

Sent by the task `intake.tasks.send_receipt` once the message's transaction has committed. It
carries `Auto-Submitted: auto-replied` (RFC 3834), so that well-behaved autoresponders do not
answer it, and it is never sent to an address that looks automated or is our own (see
`services.wants_receipt`), so that two robots cannot keep writing to each other.
"""

from __future__ import annotations

import logging
import re
import smtplib
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone

from branchwork.intake import services
from branchwork.intake.models import IncomingMessage, MessageStatus

logger = logging.getLogger("branchwork.intake")
_MESSAGE_ID = re.compile(r"^<[^<>\s]+>$")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def receipt_for(message: IncomingMessage) -> EmailMessage:
    person = message.sender_person
    name = parseaddr(message.header_from)[0] if message.header_from else ""
    counts = {"image": 0, "document": 0, "docx": 0}
    for item in message.attachments or []:
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind in counts:
            counts[kind] += 1
    received = timezone.localtime(message.received_at)
    title = _one_line(message.title or message.subject or services.untitled())
    context = {
        "accepted": message.status in (MessageStatus.ACCEPTED, MessageStatus.RELEASED),
        "known": person is not None,
        "name_zh": person.name if person else name,
        "name_en": (person.name_en or person.name) if person else name,
        "title": title,
        "address": message.from_address,
        "number": message.pk,
        "received_zh": f"{received:%Y年%m月%d日 %H:%M}".replace("年0", "年").replace("月0", "月"),
        "received_en": f"{received:%Y-%m-%d %H:%M}",
        "images": counts["image"],
        "documents": counts["document"],
        "docx": counts["docx"],
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", "Branchwork"),
    }
    body = render_to_string("intake/email/receipt.txt", context)
    headers = {"Auto-Submitted": "auto-replied"}
    message_id = _one_line(message.message_id)
    if _MESSAGE_ID.match(message_id):
        headers["In-Reply-To"] = message_id
        headers["References"] = message_id
    recipient = (
        formataddr((_one_line(context["name_zh"]), message.from_address))
        if context["name_zh"]
        else message.from_address
    )
    return EmailMessage(
        subject=_one_line(f"【投稿回执】{title} / Contribution received"),
        body=body,
        to=[recipient],
        headers=headers,
    )


def send_receipt(message_id: int) -> int:
    message = IncomingMessage.objects.select_related("sender_person").filter(pk=message_id).first()
    if message is None or not services.wants_receipt(message):
        return 0
    try:
        sent = receipt_for(message).send()
    except smtplib.SMTPRecipientsRefused as exc:
        if all(code >= 500 for code, _text in exc.recipients.values()):
            logger.warning("Receipt for message %s refused: %s", message.pk, exc.recipients)
            message.add_log(f"receipt refused by the mail server: {exc.recipients}")
            message.save(update_fields=["log"])
            return 0
        raise
    message.receipt_sent_at = timezone.now()
    message.add_log(f"receipt sent to {message.from_address}")
    message.save(update_fields=["receipt_sent_at", "log"])
    return int(bool(sent))
