"""Meal photos are judged by their content, shrunk, and saved again without EXIF."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from portal.journal.photos import MAX_SIDE_OUT, MAX_UPLOAD_BYTES, PhotoError, clean_photo
from tests.journal.conftest import picture


def test_a_photo_is_kept_as_a_jpeg_with_no_exif_left():
    original = picture(exif=True)
    assert Image.open(io.BytesIO(original)).getexif()  # the test photo does carry EXIF
    kept = Image.open(io.BytesIO(clean_photo(original)))
    assert kept.format == "JPEG"
    assert not kept.getexif()
    assert "exif" not in kept.info


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_taken_and_stored_as_jpeg(fmt):
    assert Image.open(io.BytesIO(clean_photo(picture(fmt)))).format == "JPEG"


def test_a_large_photo_is_shrunk_to_1600_px_on_its_longer_side():
    kept = Image.open(io.BytesIO(clean_photo(picture(size=(3200, 1800)))))
    assert kept.size == (MAX_SIDE_OUT, 900)


def test_a_small_photo_keeps_its_size():
    assert Image.open(io.BytesIO(clean_photo(picture(size=(640, 480))))).size == (640, 480)


def test_a_text_file_named_jpg_is_refused():
    with pytest.raises(PhotoError, match="not a photo"):
        clean_photo(b"just some text, saved as lunch.jpg\n" * 10)


def test_a_gif_is_refused():
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    with pytest.raises(PhotoError, match="JPEG, PNG or WebP"):
        clean_photo(out.getvalue())


def test_an_upload_over_8_mb_is_refused_before_it_is_opened():
    with pytest.raises(PhotoError, match="at most 8 MB"):
        clean_photo(b"\xff\xd8\xff" + b"0" * MAX_UPLOAD_BYTES)


def test_exactly_8_mb_is_not_refused_for_its_size():
    with pytest.raises(PhotoError, match="not a photo"):  # refused for its content only
        clean_photo(b"0" * MAX_UPLOAD_BYTES)


def test_a_picture_over_4000_px_is_refused():
    with pytest.raises(PhotoError, match="too large"):
        clean_photo(picture(size=(4001, 100)))


def test_a_picture_of_4000_px_is_taken():
    assert Image.open(io.BytesIO(clean_photo(picture(size=(4000, 100))))).size == (1600, 40)


def test_a_truncated_jpeg_is_called_damaged():
    with pytest.raises(PhotoError, match="damaged"):
        clean_photo(picture()[:400])


def test_an_heic_photo_is_refused_with_what_to_do():
    with pytest.raises(PhotoError, match="Most Compatible"):
        clean_photo(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100)


def test_an_empty_upload_is_refused():
    with pytest.raises(PhotoError, match="empty"):
        clean_photo(b"")
