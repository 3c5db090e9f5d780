"""Meal photos: judged by their content, shrunk, saved again as a JPEG without EXIF, encrypted at rest.

A photo is opened with Pillow (portal.images), whatever its name says: JPEG, PNG and WebP are accepted;
HEIC is refused with a plain message (no converter is a dependency). It is turned upright, shrunk to at most
1600 px on its longer side and saved as a JPEG with no metadata, so the place it was taken and the phone it
came from never reach the portal's storage.
"""

from __future__ import annotations

import hashlib

from portal.images import ImageDamaged, ImageRefused, ImageTooLarge, is_heif, jpeg_bytes, open_upright

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_SIDE_IN = 4000  # px: a larger picture is refused before it is decoded
MAX_SIDE_OUT = 1600  # px: what is stored
FORMATS = ("JPEG", "PNG", "WEBP")
JPEG = "image/jpeg"


class PhotoError(ValueError):
    """A photo that can't be kept; str() says why, in plain words."""


def clean_photo(data: bytes) -> bytes:
    """The photo as it will be stored (a JPEG without metadata), or PhotoError saying why not."""
    if not data:
        raise PhotoError("The photo is empty. Please choose it again.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoError(
            f"The photo is {len(data) / 1024 / 1024:.1f} MB; a photo can be at most "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB."
        )
    if is_heif(data):
        raise PhotoError(
            "This is a HEIC photo, which can't be kept here. On an iPhone, choose it from Photos (which sends a "
            "JPEG), or set Settings > Camera > Formats to Most Compatible."
        )
    try:
        image, _ = open_upright(data, FORMATS, MAX_SIDE_IN * MAX_SIDE_IN)
    except ImageTooLarge as large:
        raise PhotoError(f"The photo is too large ({large} pixels). Please choose a smaller one.") from None
    except ImageRefused:
        raise PhotoError("This is not a photo the portal can read: choose a JPEG, PNG or WebP picture.") from None
    except ImageDamaged:
        raise PhotoError("The photo is damaged or incomplete and can't be opened. Please take it again.") from None
    if max(image.size) > MAX_SIDE_IN:
        raise PhotoError(
            f"The photo is too large ({image.width} × {image.height} pixels). Please choose a smaller one."
        )
    image.thumbnail((MAX_SIDE_OUT, MAX_SIDE_OUT))
    return jpeg_bytes(image, quality=85)


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
