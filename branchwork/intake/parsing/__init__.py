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

from branchwork.intake.parsing.message import (  # noqa: F401
    Attachment,
    Block,
    COVER_NOTE_MAX,
    IMAGE_EXTENSIONS,
    MalformedMessage,
    ParsedMessage,
    _visible,
)
from branchwork.intake.parsing.headers import (  # noqa: F401
    _ADDRESS,
    _AUTOMATED_LOCAL,
    _FATAL_DEFECTS,
    _SUBJECT_PREFIX,
    _body_charset_hint,
    _fatal_defect,
    _raw_header,
    automated_reason,
    clean_subject,
)
from branchwork.intake.parsing.text import (  # noqa: F401
    _BLOCK_TAGS,
    _HtmlReader,
    _NH3_TAGS,
    _SKIP_CONTENT_TAGS,
    _strip_signature,
    _unflow,
    html_items,
    paragraphs_html,
    text_paragraphs,
)
from branchwork.intake.parsing.mime import (  # noqa: F401
    _Walker,
    _decoded_text,
    _filename,
    _html_uses,
    _payload,
    _related_html_uses_cids,
    parse,
)
