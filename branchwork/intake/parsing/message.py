"""What a parsed message is: its attachments, its body blocks, and the refusal of a message
that cannot honestly become a contribution."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


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
