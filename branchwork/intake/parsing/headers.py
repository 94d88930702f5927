"""Headers: the subject without reply and forward prefixes, machine-sent mail, broken MIME."""

from __future__ import annotations

import re
from email import errors as email_errors
from email.message import EmailMessage


# Prefixes of forwarded/replied subjects and of "this is a contribution" tags.
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|回复|答复|转发|轉寄|轉發|回覆|投稿|来稿|來稿|稿件)\s*(?:\[\d+\])?\s*[:：]"
    r"|[\[【](?:投稿|来稿|來稿|稿件)[\]】])\s*",
    re.I,
)
_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+$")
_AUTOMATED_LOCAL = re.compile(
    r"^(mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?|auto[-_.]?reply)([-+_.].*)?$"
    r"|^owner-|-request$|^bounces?[-+]",
    re.I,
)
_FATAL_DEFECTS = {
    email_errors.CloseBoundaryNotFoundDefect: "close_boundary",
    email_errors.StartBoundaryNotFoundDefect: "start_boundary",
    email_errors.MultipartInvariantViolationDefect: "multipart",
}


def clean_subject(subject: str) -> str:
    """Without Re:/Fwd:/投稿： prefixes, however many and in whatever order."""
    previous = None
    while previous != subject:
        previous = subject
        subject = _SUBJECT_PREFIX.sub("", subject, count=1)
    return subject.strip()


def _raw_header(msg: EmailMessage, name: str) -> str | None:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _body_charset_hint(msg: EmailMessage) -> str | None:
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            charset = part.get_param("charset")
            if isinstance(charset, str) and charset:
                return charset
    return None


def automated_reason(
    msg: EmailMessage | None, address: str, envelope_from: str | None = None
) -> str:
    """Why the message looks sent by a machine (never answer those: mail loops), or ''."""
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "null envelope sender (a delivery report)"
    for candidate in (address, envelope_from or ""):
        local = candidate.rsplit("@", 1)[0] if "@" in candidate else ""
        if local and _AUTOMATED_LOCAL.search(local):
            return f"sender address {candidate}"
    if msg is None:
        return ""
    if str(msg.get("Return-Path", "") or "").strip() == "<>":  # written by the delivering MTA
        return "null Return-Path (a delivery report)"
    auto = str(msg.get("Auto-Submitted", "") or "").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    precedence = str(msg.get("Precedence", "") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for header in ("X-Autoreply", "X-Autorespond", "List-Id", "List-Unsubscribe", "X-Loop"):
        if msg.get(header) is not None:
            return f"{header} header"
    if msg.get_content_type() == "multipart/report":
        return "a delivery or read report"
    return ""


def _fatal_defect(msg: EmailMessage) -> str | None:
    for part in msg.walk():
        for defect in getattr(part, "defects", []):
            for cls, code in _FATAL_DEFECTS.items():
                if isinstance(defect, cls):
                    return code
    return None
