"""What every import reads files with: its limits, the text encoding, the zip check of an XLSX.

An import costs work in proportion to what the file makes the server do, not to its size on
disk: 2 million blank rows fit in a small file, and a 1 MB XLSX can unpack to 1 GB. So the limits
(settings.IMPORT_LIMITS) are checked while reading, each with its own message:

    limits()                      → the limits in force (bytes, records, rows, columns,
                                    cell_chars, unpacked_bytes, zip_members)
    check_size(data)              → raises TooMuch when the file itself is too large
    check_zip(data)               → raises TooMuch from the zip's directory alone (the declared
                                    size of each member once unpacked), before anything is
                                    unpacked; Python's zipfile never unpacks more than a
                                    member declares, so the declared sizes bound the work
    decode(data)                  → Decoded(text, encoding): UTF-8 (with or without BOM),
                                    UTF-16 with its BOM (Excel's "Unicode text"), else the
                                    Chinese encoding charset-normalizer finds (GB18030, Big5)

The importers turn TooMuch and Undecodable into their own refusals (all or nothing, nothing
written) and say in their dry-run report which encoding was used.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

DEFAULTS = {
    "bytes": 10 * 1024 * 1024,
    "records": 5000,
    "rows": 10000,
    "columns": 60,
    "cell_chars": 100_000,
    "unpacked_bytes": 100 * 1024 * 1024,
    "zip_members": 500,
}
# The encodings a spreadsheet saved as text comes in here, besides UTF-8: Excel's "CSV" on a
# Simplified Chinese Windows (GB18030, of which GBK and GB2312 are subsets) and on a
# Traditional one (Big5; cp950 and HKSCS are its supersets).
CHINESE_ENCODINGS = ("gb18030", "big5", "cp950", "big5hkscs")


class TooMuch(ValueError):
    """A limit was passed; the message says which, in the user's language."""


class Undecodable(ValueError):
    pass


def limits() -> dict[str, int]:
    return {**DEFAULTS, **getattr(settings, "IMPORT_LIMITS", {})}


def megabytes(size: int) -> str:
    return f"{size / 2**20:.3g}"


def check_size(data: bytes) -> None:
    limit = limits()["bytes"]
    if len(data) > limit:
        raise TooMuch(_("The file is larger than %(size)s MB.") % {"size": megabytes(limit)})


def check_zip(data: bytes) -> None:
    """Refuse a zip (an XLSX) that would unpack to more than the limit, reading only its
    directory."""
    lim = limits()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader says so in its own words
    if len(members) > lim["zip_members"]:
        raise TooMuch(_("The workbook holds more than %(max)s parts; it is not an ordinary "
                        "spreadsheet.") % {"max": lim["zip_members"]})
    unpacked = sum(member.file_size for member in members)
    if unpacked > lim["unpacked_bytes"]:
        raise TooMuch(_("The workbook would unpack to %(size)s MB, more than the %(max)s MB an "
                        "import may use; split it into smaller files.")
                      % {"size": megabytes(unpacked), "max": megabytes(lim["unpacked_bytes"])})


@dataclass
class Decoded:
    text: str
    encoding: str  # the codec's name as Python knows it (utf-8, utf-16, gb18030, big5, …)


def decode(data: bytes) -> Decoded:
    """The text of a file saved as text, and which encoding it was in (raises Undecodable)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return Decoded(data[3:].decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            raise Undecodable from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            raise Undecodable from None
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=list(CHINESE_ENCODINGS)).best()
    if best is None:
        raise Undecodable
    encoding = best.encoding
    try:
        return Decoded(data.decode(encoding), encoding)
    except (UnicodeDecodeError, LookupError):
        raise Undecodable from None
