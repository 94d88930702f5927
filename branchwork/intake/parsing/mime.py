"""The MIME tree walked in reading order, and `parse`, which turns one message into a
`ParsedMessage`."""

from __future__ import annotations

import email
import email.policy
import mimetypes
import os
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html import escape

from branchwork.core import validators
from branchwork.intake import word
from branchwork.intake.charsets import decode_bytes, decode_header_value, decode_raw_text

from branchwork.intake.parsing.headers import (
    _ADDRESS,
    _body_charset_hint,
    _fatal_defect,
    _raw_header,
    automated_reason,
    clean_subject,
)
from branchwork.intake.parsing.message import (
    Attachment,
    Block,
    COVER_NOTE_MAX,
    IMAGE_EXTENSIONS,
    MalformedMessage,
    ParsedMessage,
    _visible,
)
from branchwork.intake.parsing.text import (
    _strip_signature,
    _unflow,
    html_items,
    paragraphs_html,
    text_paragraphs,
)


# --- the MIME tree ---


def _filename(part: EmailMessage, hint: str | None, number: int) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except (ValueError, LookupError, TypeError):
        name = ""
    if isinstance(name, tuple):  # an RFC 2231 triple the library could not collapse
        name = name[2]
    name = str(name or "")
    name = decode_raw_text(name, hint)
    if "=?" in name:
        name = decode_header_value(name, hint)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = validators.clean_text(name)
    name = "".join(c for c in name if c >= " " and c not in '<>:"|?*').strip(" .")
    if not name:
        ext = mimetypes.guess_extension(part.get_content_type()) or ".bin"
        name = f"attachment-{number}{ext}"
    if len(name) > 120:
        stem, ext = os.path.splitext(name)
        name = stem[: 120 - len(ext)] + ext
    return name


def _payload(part: EmailMessage) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - a damaged transfer encoding: take what is there
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return data


def _decoded_text(part: EmailMessage, notes: list[str]) -> str:
    decoded = decode_bytes(
        _payload(part), part.get_param("charset") if part.get_param("charset") else None
    )
    if decoded.note:
        notes.append(f"{part.get_content_type()}: {decoded.note}")
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    # Mail is cleaned, not refused: its sender cannot retype it, and a control character in a
    # body is noise (a stray NUL, an escape sequence) that would break PostgreSQL and exports.
    cleaned = validators.clean_text(text)
    if cleaned != text:
        notes.append(f"{part.get_content_type()}: "
                     f"{len(text) - len(cleaned)} control characters removed")
        text = cleaned
    if (
        part.get_content_type() == "text/plain"
        and str(part.get_param("format") or "").lower() == "flowed"
    ):
        text = _unflow(text, str(part.get_param("delsp") or "").lower() == "yes")
    return text


class _Walker:
    def __init__(self, hint: str | None):
        self.hint = hint
        self.blocks: list[Block] = []
        self.attachments: list[Attachment] = []
        self.texts: list[str] = []
        self.notes: list[str] = []
        self.docx_title = ""
        self.used_cids: set[str] = set()

    # attachments

    def attachment(self, part: EmailMessage) -> None:
        number = len(self.attachments) + 1
        filename = _filename(part, self.hint, number)
        ctype = part.get_content_type()
        ext = os.path.splitext(filename)[1].lower()
        data = _payload(part)
        cid = str(part.get("Content-ID", "") or "").strip().strip("<>")
        if part.get_content_maintype() == "image" or ext in IMAGE_EXTENSIONS:
            kind = "image"
        elif ext == ".docx" or ctype == word.DOCX_TYPE:
            kind = "docx"
        else:
            kind = "document"
        att = Attachment(
            filename=filename, content_type=ctype, data=data, kind=kind, content_id=cid
        )
        self.attachments.append(att)
        if kind == "docx":
            self.docx(att)
        else:
            self.blocks.append(Block(kind=kind if kind == "image" else "document", attachment=att))

    def docx(self, att: Attachment) -> None:
        try:
            document = word.convert(att.data)
        except word.NotADocx as exc:
            att.kind = "document"
            att.note = f"could not be read as a Word document ({exc}); kept as a document"
            self.notes.append(f"{att.filename}: {att.note}")
            self.blocks.append(Block(kind="document", attachment=att))
            return
        if document.title and not self.docx_title:
            self.docx_title = document.title
        stem = os.path.splitext(att.filename)[0]
        for kind, value in document.items:
            if kind == "html":
                self.blocks.append(Block(kind="html", html=value, origin="docx"))
            else:
                image = Attachment(
                    filename=f"{stem}-{value.filename}",
                    content_type=value.content_type,
                    data=value.data,
                    kind="image",
                    note=f"picture in {att.filename}",
                )
                self.blocks.append(Block(kind="image", attachment=image, origin="docx"))

    # text

    def plain(self, part: EmailMessage) -> None:
        text = _strip_signature(_decoded_text(part, self.notes))
        paragraphs = text_paragraphs(text)
        if paragraphs:
            self.texts.append("\n\n".join(paragraphs))
            self.blocks.append(Block(kind="html", html=paragraphs_html(paragraphs)))

    def html(self, part: EmailMessage, related: dict[str, EmailMessage]) -> None:
        """Append the HTML's paragraphs and the related images it shows, where it shows them."""
        paragraphs: list[str] = []

        def flush():
            if paragraphs:
                self.blocks.append(Block(kind="html", html=paragraphs_html(paragraphs)))
                self.texts.append("\n\n".join(paragraphs))
                paragraphs.clear()

        for kind, value in html_items(_decoded_text(part, self.notes)):
            if kind == "text":
                paragraphs.append(value)
            elif value in related and value not in self.used_cids:
                flush()
                self.used_cids.add(value)
                self.attachment(related[value])
        flush()

    # structure

    def walk(self, part: EmailMessage, related: dict[str, EmailMessage] | None = None) -> None:
        related = related or {}
        ctype = part.get_content_type()
        maintype = part.get_content_maintype()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                self.walk(inner[0])
            return
        if maintype == "multipart":
            subparts = [p for p in part.iter_parts()]
            if ctype == "multipart/alternative":
                chosen = self.choose_alternative(subparts, related)
                if chosen is not None:
                    self.walk(chosen, related)
            elif ctype == "multipart/related":
                self.walk_related(part, subparts)
            elif ctype == "multipart/signed":
                if subparts:
                    self.walk(subparts[0], related)
            else:
                for sub in subparts:
                    self.walk(sub, related)
            return
        is_attachment = part.get_content_disposition() == "attachment" or bool(part.get_filename())
        if ctype == "text/plain" and not is_attachment:
            self.plain(part)
        elif ctype == "text/html" and not is_attachment:
            self.html(part, related)
        elif (
            maintype == "text"
            and not is_attachment
            and ctype not in ("text/calendar", "text/x-vcard", "text/vcard")
        ):
            self.plain(part)
        elif ctype in (
            "application/pgp-signature",
            "application/pkcs7-signature",
            "application/x-pkcs7-signature",
        ):
            return
        else:
            self.attachment(part)

    def choose_alternative(self, parts, related) -> EmailMessage | None:
        if not parts:
            return None
        for part in parts:  # HTML that places inline images keeps them where the sender put them
            if part.get_content_type() == "multipart/related" and _related_html_uses_cids(part):
                return part
            if part.get_content_type() == "text/html" and related and _html_uses(part, related):
                return part
        for wanted in ("text/plain", "text/html", "multipart/related"):
            for part in parts:
                if part.get_content_type() == wanted:
                    return part
        return parts[-1]

    def walk_related(self, part: EmailMessage, subparts: list[EmailMessage]) -> None:
        if not subparts:
            return
        start = str(part.get_param("start") or "").strip("<> ")
        root = (
            next(
                (p for p in subparts if str(p.get("Content-ID", "")).strip("<> ") == start),
                subparts[0],
            )
            if start
            else subparts[0]
        )
        others = {
            str(p.get("Content-ID", "")).strip().strip("<>"): p for p in subparts if p is not root
        }
        others.pop("", None)
        self.walk(root, others)
        for sub in subparts:
            cid = str(sub.get("Content-ID", "")).strip().strip("<>")
            if sub is not root and cid not in self.used_cids:
                self.walk(sub)


def _html_uses(part: EmailMessage, related: dict) -> bool:
    try:
        content = _payload(part).decode("ascii", errors="ignore")
    except Exception:  # noqa: BLE001
        return False
    return any(f"cid:{cid}" in content for cid in related)


def _related_html_uses_cids(part: EmailMessage) -> bool:
    subparts = list(part.iter_parts())
    cids = {str(p.get("Content-ID", "")).strip().strip("<>") for p in subparts} - {""}
    for sub in subparts:
        if sub.get_content_type() == "text/html" and _html_uses(sub, dict.fromkeys(cids)):
            return True
        if sub.get_content_type() == "multipart/alternative":
            for inner in sub.iter_parts():
                if inner.get_content_type() == "text/html" and _html_uses(
                    inner, dict.fromkeys(cids)
                ):
                    return True
    return False


def parse(raw: bytes, *, envelope_from: str | None = None) -> ParsedMessage:
    if not raw or not raw.strip():
        raise MalformedMessage(
            "not_mail", "This is not an email message: no headers could be read."
        )
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # noqa: BLE001 - the parser is lenient; this is belt and braces
        raise MalformedMessage("not_mail", f"This is not an email message: {exc}") from None
    if not list(msg.raw_items()):
        raise MalformedMessage(
            "not_mail", "This is not an email message: no headers could be read."
        )

    hint = _body_charset_hint(msg)
    result = ParsedMessage()
    result.subject = decode_header_value(_raw_header(msg, "Subject"), hint)[:500]
    message_id = decode_raw_text(str(_raw_header(msg, "Message-ID") or ""), hint)
    result.message_id = " ".join(message_id.split())[:300]

    raw_from = _raw_header(msg, "From")
    if raw_from is not None:
        name, address = parseaddr(raw_from.replace("\r", " ").replace("\n", " "))
        if not address:
            pairs = getaddresses([raw_from])
            name, address = pairs[0] if pairs else ("", "")
        address = decode_raw_text(address, hint).strip()
        if not _ADDRESS.match(address):
            # The whole "Name <address>" inside one encoded word, as some mailers write it.
            name, address = parseaddr(decode_header_value(raw_from, hint))
            address = address.strip()
        result.from_name = decode_header_value(name, hint).strip().strip('"').strip()
        if _ADDRESS.match(address):
            result.from_address = address.lower()
        shown = f"{result.from_name} <{address}>" if result.from_name else address
        result.header_from = (shown or decode_header_value(raw_from, hint))[:400]
    if not result.from_address:
        result.header_from = result.header_from or decode_header_value(raw_from or "", hint)[:400]
        raise MalformedMessage(
            "no_sender", "The message has no valid sender address (From).", partial=result
        )

    defect = _fatal_defect(msg)
    if defect:
        detail = {
            "close_boundary": "a part's closing boundary is missing, so it may have been cut off in transit.",
            "start_boundary": "the boundary of its parts was not found.",
            "multipart": "it says it has several parts but none could be found.",
        }[defect]
        raise MalformedMessage(
            "broken_mime",
            f"The message is incomplete or damaged: {detail}",
            detail=detail,
            detail_code=defect,
            partial=result,
        )

    result.automated = automated_reason(msg, result.from_address, envelope_from)
    walker = _Walker(hint)
    walker.walk(msg)
    result.blocks = walker.blocks
    result.attachments = walker.attachments
    result.notes = walker.notes
    result.text = "\n\n".join(walker.texts)[:200_000]

    # A short note beside a .docx ("请审阅附件中的稿件") is a cover note: the .docx is the body.
    has_docx = any(b.origin == "docx" for b in result.blocks)
    mail_text = "".join(
        _visible(b.html) for b in result.blocks if b.kind == "html" and b.origin == "mail"
    )
    if has_docx and len(mail_text) <= COVER_NOTE_MAX:
        result.blocks = [b for b in result.blocks if not (b.kind == "html" and b.origin == "mail")]
        if mail_text:
            result.notes.append("the message text is a cover note; the .docx is the body")

    result.title = clean_subject(result.subject) or walker.docx_title
    if walker.docx_title and walker.docx_title.strip() != result.title.strip():
        # The document's own title, when it is not the article's, stays at the top of its text.
        first_docx = next((i for i, b in enumerate(result.blocks) if b.origin == "docx"), None)
        if first_docx is not None:
            result.blocks.insert(
                first_docx,
                Block(kind="html", html=f"<h2>{escape(walker.docx_title)}</h2>", origin="docx"),
            )
    return result
