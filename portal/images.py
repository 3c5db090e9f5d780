"""Uploaded pictures, judged by their content and saved again so that no metadata travels with them.

Pillow decodes the picture (its name and the browser's word for it are never trusted), turns it upright as
the camera meant, and the caller saves it again without EXIF (the place a photo was taken, the phone it came
from) or other metadata. Used by message attachments and meal photos.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")


class ImageRefused(ValueError):
    """Not a picture of an accepted kind."""


class ImageDamaged(ValueError):
    """A picture of an accepted kind that can't be decoded."""


class ImageTooLarge(ValueError):
    """More pixels than allowed; refused before it is decoded."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__(f"{width} × {height}")
        self.width, self.height = width, height


def is_heif(data: bytes) -> bool:
    """An HEIC/HEIF/AVIF photo (iPhones' default), which Pillow can't open without a plug-in."""
    return data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS


def open_upright(data: bytes, formats: tuple[str, ...], max_pixels: int) -> tuple[Image.Image, str]:
    """The decoded picture turned upright, and its format (one of `formats`, Pillow's names)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in formats:
                raise ImageRefused(image.format)
            width, height = image.size
            if width * height > max_pixels:
                raise ImageTooLarge(width, height)
            image.load()
            return ImageOps.exif_transpose(image), image.format
    except (ImageRefused, ImageTooLarge):
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused() from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageDamaged() from None


def jpeg_bytes(image: Image.Image, quality: int = 88) -> bytes:
    """The picture as a JPEG with no metadata (no exif= is passed, so none of the original's is kept)."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()
