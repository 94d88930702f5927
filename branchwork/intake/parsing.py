"""One RFC 5322 message → what a contribution needs: sender, title, body blocks, attachments.

Pure functions over bytes (no database): `parse(raw)` returns a `ParsedMessage` or raises
`MalformedMessage` with a reason code (see models.REASONS) when the message cannot honestly be
turned into a contribution: no headers at all, no sender address, a broken MIME structure (a
part cut off in transit).

The body is a list of blocks in reading order:
- text of the message itself: text/plain preferred; text/html (sanitized with nh3, then reduced
  to plain paragraphs) when there is no plain alternative or when the HTML places inline images
  (cid: references), which then appear where the HTML shows them;
- images (image/* parts, or attachments with an image extension) where they come in the message;
- .docx attachments, converted to rich text where they come (their pictures included);
- other attachments, which the caller keeps as documents and links at the end.
When the message's own text is only a short cover note beside a .docx, the .docx is the body.
"""

from __future__ import annotations

import email
import email.policy
import mimetypes
import os
import re
from dataclasses import dataclass, field
from email import errors as email_errors
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html import escape
from html.parser import HTMLParser

import nh3

from branchwork.core import validators
from branchwork.intake import word
from branchwork.intake.charsets import decode_bytes, decode_header_value, decode_raw_text

IMAGE_EXTENSIONS = {
    ".jpg",
    ".jpeg",
    ".jpe",
    ".png",
    ".gif",
    ".webp",
    ".bmp",
    ".tif",
    ".tiff",
    ".avif",
    ".heic",
}
# A message text no longer than this (non-space characters) beside a .docx is a cover note.
COVER_NOTE_MAX = 120
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
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "pre",
    "hr",
    "dd",
    "dt",
    "center",
}
_SKIP_CONTENT_TAGS = {"script", "style", "head", "title", "template", "noscript", "svg", "math"}
_NH3_TAGS = _BLOCK_TAGS | {
    "img",
    "span",
    "a",
    "b",
    "i",
    "strong",
    "em",
    "u",
    "font",
    "td",
    "th",
    "tbody",
    "thead",
}


class MalformedMessage(Exception):
    def __init__(self, code: str, message: str, partial: ParsedMessage | None = None, **params):
        super().__init__(message)
        self.code = code
        self.params = params
        self.partial = partial  # what could be read before giving up (sender, subject)


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes
    kind: str  # image, docx, document
    content_id: str = ""
    note: str = ""

    def summary(self) -> dict:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.data),
            "kind": self.kind,
            "note": self.note,
        }


@dataclass
class Block:
    kind: str  # html, image, document
    html: str = ""
    attachment: Attachment | None = None
    origin: str = "mail"  # mail (the message's own text) or docx


@dataclass
class ParsedMessage:
    header_from: str = ""
    from_name: str = ""
    from_address: str = ""
    subject: str = ""
    title: str = ""
    message_id: str = ""
    automated: str = ""  # why the message looks machine-sent, or ''
    text: str = ""  # the message's own text, for moderators
    blocks: list[Block] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.attachments and not any(
            b.kind == "html" and _visible(b.html) for b in self.blocks
        )


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>|&nbsp;|\s", "", html)


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


# --- text and HTML to paragraphs ---


def _unflow(text: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: a line ending in a space continues on the next."""
    out: list[str] = []
    carry = ""
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line.strip() != "--":
            carry += line[:-1] if delsp else line
        else:
            out.append(carry + line)
            carry = ""
    if carry:
        out.append(carry)
    return "\n".join(out)


def _strip_signature(text: str) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.rstrip("\r") == "-- ":
            return "\n".join(lines[:i])
    return text


def text_paragraphs(text: str) -> list[str]:
    """Plain text → paragraphs: blank lines separate them; with no blank line at all, each line
    is one (as Chinese mail clients write); lines within a paragraph are kept as line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"\n[ \t\u3000]*\n", text):
        chunks = re.split(r"\n[ \t\u3000]*\n+", text)
    else:
        chunks = text.split("\n")
    paragraphs = []
    for chunk in chunks:
        lines = [line.strip(" \t\u3000\xa0") for line in chunk.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.append("\n".join(lines))
    return paragraphs


def paragraphs_html(paragraphs: list[str]) -> str:
    return "".join(
        "<p>" + "<br/>".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs
    )


class _HtmlReader(HTMLParser):
    """Sanitized HTML → items: ("text", paragraph) and ("cid", content id) in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, str]] = []
        self._buffer: list[str] = []
        self._skip = 0

    def _flush(self):
        text = "".join(self._buffer)
        self._buffer = []
        lines = [
            re.sub(r"[ \t\r\n\f\v]+", " ", line).strip(" \u3000\xa0") for line in text.split("\n")
        ]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            self.items.append(("text", paragraph))

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_CONTENT_TAGS:
            self._skip += 1
        elif tag == "br":
            self._buffer.append("\n")
        elif tag == "img":
            src = dict(attrs).get("src") or ""
            if src.lower().startswith("cid:"):
                self._flush()
                self.items.append(("cid", src[4:].strip("<> ")))
        elif tag in _BLOCK_TAGS:
            self._flush()
        elif tag in ("td", "th"):
            self._buffer.append(" ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _SKIP_CONTENT_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        if not self._skip:
            self._buffer.append(data)

    def close(self):
        super().close()
        self._flush()


def html_items(html: str) -> list[tuple[str, str]]:
    cleaned = nh3.clean(
        html,
        tags=_NH3_TAGS,
        attributes={"img": {"src", "alt"}},
        url_schemes={"cid", "http", "https"},
        strip_comments=True,
        clean_content_tags=_SKIP_CONTENT_TAGS - {"head", "svg", "math"},
        link_rel=None,
    )
    reader = _HtmlReader()
    reader.feed(cleaned)
    reader.close()
    return reader.items


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
