"""A contribution's body from a parsed message: images in the image library, documents linked,
the .docx as rich text."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile

from branchwork.intake import parsing
from branchwork.intake.models import IncomingMessage


# Moderators find email contributions' images and documents in this collection (logged-in only).
COLLECTION_NAME = "邮件投稿"
# The pixel budget of one image (a decompression bomb is refused, not opened).
DEFAULT_MAX_PIXELS = 128_000_000
# Pillow format → file extension, for the formats the Wagtail image library takes.
_PIL_EXTENSIONS = {
    "JPEG": "jpg",
    "MPO": "jpg",
    "PNG": "png",
    "GIF": "gif",
    "WEBP": "webp",
    "AVIF": "avif",
    "HEIF": "heic",
}


# --- the body: images, documents, rich text ---


@dataclass
class Body:
    html: str
    images: int = 0
    documents: int = 0


def _collection():
    from wagtail.models import Collection, CollectionViewRestriction

    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=COLLECTION_NAME).first()
    if collection is None:
        collection = root.add_child(instance=Collection(name=COLLECTION_NAME))
        # Drafts' files are internal: only logged-in users may download them.
        CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.LOGIN
        )
    return collection


def _image_file(attachment: parsing.Attachment) -> tuple[bytes, str] | str:
    """(bytes, filename) ready for the image library, or why the file cannot be an image."""
    from PIL import Image as PILImage
    from wagtail.images.utils import get_allowed_image_extensions

    try:
        with PILImage.open(io.BytesIO(attachment.data)) as probe:
            probe.verify()
        with PILImage.open(io.BytesIO(attachment.data)) as image:
            pixels = image.width * image.height
            limit = int(getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS))
            if pixels > limit:
                return f"{image.width}×{image.height} pixels is more than the limit of {limit}"
            fmt = image.format or ""
            ext = _PIL_EXTENSIONS.get(fmt)
            stem, _dot, current = attachment.filename.rpartition(".")
            stem = stem or attachment.filename
            if ext and ext in get_allowed_image_extensions():
                name = (
                    attachment.filename
                    if current.lower() in (ext, "jpeg" if ext == "jpg" else ext)
                    else f"{stem}.{ext}"
                )
                return attachment.data, name
            # BMP, TIFF and the like: converted to PNG, which every browser shows.
            image.seek(0)
            converted = image.convert(
                "RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB"
            )
            out = io.BytesIO()
            converted.save(out, "PNG", optimize=True)
            return out.getvalue(), f"{stem}.png"
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a bad file
        return f"not a readable image ({exc.__class__.__name__})"


def _make_image(attachment: parsing.Attachment, *, owner, collection, message: IncomingMessage):
    from wagtail.images import get_image_model

    prepared = _image_file(attachment)
    if isinstance(prepared, str):
        message.add_log(f"note: {attachment.filename}: {prepared}; kept as a document instead")
        attachment.note = prepared
        return None
    data, filename = prepared
    Image = get_image_model()
    image = Image(title=attachment.filename[:255], collection=collection, uploaded_by_user=owner)
    image.file = ImageFile(io.BytesIO(data), name=filename)
    image._set_image_file_metadata()
    image.save()
    return image


def _make_document(attachment: parsing.Attachment, *, owner, collection, message: IncomingMessage):
    from wagtail.documents import get_document_model

    allowed = getattr(settings, "WAGTAILDOCS_EXTENSIONS", None)
    ext = attachment.filename.rpartition(".")[2].lower() if "." in attachment.filename else ""
    if allowed is not None and ext not in {e.lower() for e in allowed}:
        message.add_log(
            f"note: {attachment.filename} ({attachment.content_type}) not kept as a document: "
            f".{ext or '?'} files are not accepted; it stays in the original message"
        )
        return None
    Document = get_document_model()
    document = Document(
        title=attachment.filename[:255], collection=collection, uploaded_by_user=owner
    )
    document.file = ContentFile(attachment.data, name=attachment.filename)
    document._set_document_file_metadata()
    document.save()
    return document


# The caption paragraph after an image embed (publishing.richtext reads it as the caption).
CAPTION_START = '<p class="caption">'
# File names that say nothing about the picture: camera and messenger defaults.
_MEANINGLESS_NAME = re.compile(
    r"^(img|dsc|dscn|dcim|pxl|image|photo|pic|screenshot|mmexport|微信图片|wx)[\W_]*\d", re.I
)


def image_alt(filename: str) -> str:
    stem = filename.rpartition(".")[0] or filename
    return "" if _MEANINGLESS_NAME.match(stem) or stem.isdigit() else stem


def image_embed(image, alt: str) -> str:
    return f'<embed embedtype="image" format="fullwidth" id="{image.pk}" alt="{escape(alt)}"/>'


def document_link(document, name: str) -> str:
    return f'<a linktype="document" id="{document.pk}">{escape(name)}</a>'


def build_body(parsed: parsing.ParsedMessage, *, owner=None, message: IncomingMessage) -> Body:
    """The rich text of the draft; creates its images and documents (call inside a transaction)."""
    collection = _collection()
    owner = owner if owner is not None and getattr(owner, "pk", None) else None
    html: list[str] = []
    later: list[parsing.Attachment] = []
    body = Body(html="")
    blocks = parsed.blocks
    for i, block in enumerate(blocks):
        if block.kind == "html":
            html.append(block.html)
        elif block.kind == "image" and block.attachment is not None:
            image = _make_image(
                block.attachment, owner=owner, collection=collection, message=message
            )
            if image is None:
                later.append(block.attachment)
                continue
            body.images += 1
            html.append(image_embed(image, image_alt(block.attachment.filename)))
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            if not (
                following and following.kind == "html" and following.html.startswith(CAPTION_START)
            ):
                # No caption: say so, or the paragraph that follows would be read as one.
                html.append(f"{CAPTION_START}</p>")
        elif block.attachment is not None:
            later.append(block.attachment)
    for attachment in later:
        document = _make_document(attachment, owner=owner, collection=collection, message=message)
        if document is not None:
            body.documents += 1
            html.append(f"<p>{document_link(document, attachment.filename)}</p>")
    body.html = "".join(html)
    return body
