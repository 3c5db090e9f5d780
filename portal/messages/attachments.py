"""Files sent with a message: judged by their content, never by their name or the browser's word for them.

A PDF (it starts with `%PDF-`) is kept as sent. A JPEG or PNG is opened with Pillow and saved again, turned
upright as the camera meant, so no EXIF (the place a photo was taken, the phone it came from) or other
metadata travels with it. HEIC photos are refused with a plain message (no converter is a dependency; iPhones
send JPEG when asked for "Most Compatible"); anything else is refused.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from portal.images import ImageDamaged, ImageRefused, ImageTooLarge, is_heif, jpeg_bytes, open_upright

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 3  # per message
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; more is refused before it is decoded
MAX_FILENAME = 100
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
_NOT_IN_A_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029/\\\"<>:|?*]")


class AttachmentError(ValueError):
    """A file that can't be sent; str() says why, in plain words."""


@dataclass(frozen=True)
class CleanFile:
    filename: str
    content_type: str
    content: bytes

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def clean_filename(name: str, content_type: str) -> str:
    """A name to show and to download under: no folders, control or quoting characters, the right extension."""
    base = _NOT_IN_A_NAME.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[: MAX_FILENAME - 5] or "attachment"
    return stem + EXTENSIONS[content_type]


def clean_upload(name: str, data: bytes) -> CleanFile:
    """The file as it will be stored and served, or AttachmentError saying why it can't be sent."""
    shown = clean_filename(name or "", PDF).removesuffix(".pdf") or "The file"
    if not data:
        raise AttachmentError(f"“{shown}” is empty. Please choose the file again.")
    if len(data) > MAX_FILE_BYTES:
        raise AttachmentError(
            f"“{shown}” is {len(data) / 1024 / 1024:.1f} MB; files can be at most {MAX_FILE_BYTES // 1024 // 1024} MB."
        )
    if data.startswith(b"%PDF-"):
        return CleanFile(clean_filename(name, PDF), PDF, data)
    if is_heif(data):
        raise AttachmentError(
            f"“{shown}” is a HEIC photo, which can't be sent here. On an iPhone, choose it from Photos "
            "(which sends a JPEG), or set Settings > Camera > Formats to Most Compatible."
        )
    return _reencoded_image(name, shown, data)


def _reencoded_image(name: str, shown: str, data: bytes) -> CleanFile:
    try:
        upright, found = open_upright(data, ("JPEG", "PNG"), MAX_PIXELS)
    except ImageTooLarge as large:
        raise AttachmentError(f"“{shown}” is too large a picture ({large}). Please send a smaller one.") from None
    except ImageRefused:
        raise AttachmentError(f"“{shown}” is not a PDF, JPEG or PNG file. Please send one of those.") from None
    except ImageDamaged:
        raise AttachmentError(
            f"“{shown}” is damaged or incomplete and can't be opened. Please export it again."
        ) from None
    if found == "JPEG":
        return CleanFile(clean_filename(name, JPEG), JPEG, jpeg_bytes(upright))
    if upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        upright = upright.convert("RGBA")
    out = io.BytesIO()
    upright.save(out, "PNG", optimize=True)  # no pnginfo or exif: text chunks and EXIF are dropped
    return CleanFile(clean_filename(name, PNG), PNG, out.getvalue())
