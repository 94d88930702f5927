"""One preparation of images for every document builder (Typst PDFs and DOCX files).

`prepare(data)` reads the bytes a user uploaded and returns bytes both Typst and Word place
without surprises: PNG, JPEG or GIF, turned upright by the EXIF orientation (neither Word nor
every PDF viewer honours the tag), scaled down to MAX_SIDE pixels when larger (a 2000-pixel image
fills an A4 text column at 300 dpi; a larger one only slows the build and swells the file), and
None when the bytes are no image Pillow reads, or an image of more than MAX_PIXELS pixels (a
decompression bomb: a small file that unpacks to gigabytes). An image that needs none of this is
returned as it came, unread past its header.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 2000
# Files larger than this are re-encoded even when small in pixels (a 2000-pixel PNG photo).
MAX_BYTES = 2_500_000
# 64 megapixels: any camera's photo; past it, a file is refused before it is decoded.
MAX_PIXELS = 64_000_000
PASSTHROUGH = {"JPEG": "jpg", "PNG": "png", "GIF": "gif"}
_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class Prepared:
    data: bytes
    ext: str  # jpg, png or gif


def prepare(data: bytes | None, *, max_side: int = MAX_SIDE, max_bytes: int = MAX_BYTES) -> Prepared | None:
    """The image ready for a document, or None when it cannot be one (see the module doc)."""
    if not data:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > MAX_PIXELS:
                    return None
                ext = PASSTHROUGH.get(img.format or "")
                big = max(img.size) > max_side or len(data) > max_bytes
                turned = img.getexif().get(_EXIF_ORIENTATION, 1) not in (0, 1)
                if ext and not big and not turned:
                    return Prepared(data, ext)
                if big and img.format == "JPEG":
                    img.draft("RGB", (max_side, max_side))  # decode at a fraction of the size
                img.load()
                img = ImageOps.exif_transpose(img)
                if max(img.size) > max_side:
                    img.thumbnail((max_side, max_side))
                return _encode(img, keep_png=ext in ("png", "gif") or img.mode in ("RGBA", "LA", "P"))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        return None


def _encode(img: Image.Image, *, keep_png: bool) -> Prepared:
    out = io.BytesIO()
    if keep_png:
        if img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            img = img.convert("RGBA")
        img.save(out, "PNG")
        return Prepared(out.getvalue(), "png")
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    img.save(out, "JPEG", quality=85)
    return Prepared(out.getvalue(), "jpg")
