"""Attachments: judged by content, images re-encoded without EXIF, stored encrypted, downloaded by the two sides
only, with private, no-store."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import text

from portal.extensions import db
from portal.messages.attachments import MAX_FILE_BYTES, AttachmentError, clean_upload
from portal.models import AuditEvent, MessageAttachment
from tests.messages.conftest import PDF, browser_for, photo_with_location, send

MINE = "/me/messages/"


def test_a_photo_loses_its_exif_and_location_but_stays_upright():
    photo = photo_with_location("JPEG", (64, 48))
    assert b"PhoneMaker" in photo and Image.open(io.BytesIO(photo)).getexif()
    cleaned = clean_upload("IMG_0042.JPG", photo)
    assert cleaned.content_type == "image/jpeg" and cleaned.filename == "IMG_0042.jpg"
    image = Image.open(io.BytesIO(cleaned.content))
    assert not image.getexif() and b"PhoneMaker" not in cleaned.content and "exif" not in image.info
    assert image.size == (48, 64)  # turned as the camera's orientation tag said


def test_a_png_is_reencoded_without_its_metadata():
    cleaned = clean_upload("scan.png", photo_with_location("PNG"))
    assert cleaned.content_type == "image/png" and b"PhoneMaker" not in cleaned.content


def test_a_pdf_is_kept_as_sent():
    cleaned = clean_upload("blood results.pdf", PDF)
    assert (cleaned.content, cleaned.content_type, cleaned.filename) == (PDF, "application/pdf", "blood results.pdf")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.jpg", b"", "is empty"),
        ("notes.jpg", b"just some text pretending", "is not a PDF, JPEG or PNG"),
        ("image.png", photo_with_location("GIF"), "is not a PDF, JPEG or PNG"),
        ("IMG_1.HEIC", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40, "HEIC photo"),
        ("cut.jpg", photo_with_location()[:200], "damaged or incomplete"),
        ("big.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES, "at most 10 MB"),
    ],
)
def test_files_are_judged_by_content_and_refused_plainly(name, data, message):
    with pytest.raises(AttachmentError, match=message):
        clean_upload(name, data)


def test_a_picture_too_large_to_decode_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(out, "PNG")  # 50 megapixels, a few KB on disk
    with pytest.raises(AttachmentError, match="too large a picture"):
        clean_upload("bomb.png", out.getvalue())


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("../../etc/passwd.pdf", "passwd.pdf"), ('a"b\r\n.pdf', "ab.pdf"), ("", "attachment.pdf"), ("x.exe", "x.pdf")],
)
def test_file_names_lose_folders_quotes_and_control_characters(sent, kept):
    assert clean_upload(sent, PDF).filename == kept


def test_a_photo_sent_from_the_page_is_stored_encrypted_and_downloads_for_both_sides(app, team):
    clara = browser_for(app, team.clara)
    response = send(clara, MINE, "My tongue this morning", files=[("tongue.jpg", photo_with_location())])
    assert response.status_code == 302
    attachment = db.session.execute(db.select(MessageAttachment)).scalar_one()
    raw = db.session.execute(text("SELECT content, filename FROM message_attachments")).one()
    assert bytes(raw[0]).startswith(b"gAAAA") and raw[1].startswith("gAAAA") and "tongue" not in raw[1]
    page = clara.get(MINE).get_data(as_text=True)
    url = f"/messages/attachments/{attachment.id}"
    assert url in page and "tongue.jpg" in page
    for person in (team.clara, team.ana, team.owner):
        download = browser_for(app, person).get(url)
        assert download.status_code == 200, person
        assert download.headers["Cache-Control"] == "private, no-store"
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["Content-Type"] == "image/jpeg"
        assert b"PhoneMaker" not in download.data and Image.open(io.BytesIO(download.data)).format == "JPEG"
    downloads = db.session.execute(db.select(AuditEvent).filter_by(action="download")).scalars().all()
    assert [(e.what, e.what_id) for e in downloads] == [("message_attachment", attachment.id)] * 3


def test_nobody_else_can_download_an_attachment(app, team, make_user):
    send(browser_for(app, team.clara), MINE, "", files=[("results.pdf", PDF)])
    attachment_id = db.session.execute(db.select(MessageAttachment.id)).scalar_one()
    for person in (team.bea, team.desk, team.yara):
        assert browser_for(app, person).get(f"/messages/attachments/{attachment_id}").status_code == 404
    assert app.test_client().get(f"/messages/attachments/{attachment_id}").status_code == 302  # to log in
    assert browser_for(app, team.clara).get(f"/messages/attachments/{attachment_id + 1}").status_code == 404


def test_a_bad_file_is_refused_beside_the_field_and_the_text_kept(app, team):
    clara = browser_for(app, team.clara)
    response = send(clara, MINE, "Here is my food diary", files=[("diary.docx", b"PK\x03\x04 word document")])
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "is not a PDF, JPEG or PNG file" in body
    assert "Here is my food diary" in body
    assert db.session.scalar(db.select(db.func.count(MessageAttachment.id))) == 0


def test_more_than_three_files_are_refused(app, team):
    clara = browser_for(app, team.clara)
    response = send(clara, MINE, "Scans", files=[(f"{n}.pdf", PDF) for n in range(4)])
    assert response.status_code == 422 and "at most 3 files" in response.get_data(as_text=True)


def test_a_file_of_nearly_ten_megabytes_is_taken_through_the_page(app, team):
    clara = browser_for(app, team.clara)
    big = b"%PDF-1.4\n" + b"0" * (MAX_FILE_BYTES - 20)
    assert send(clara, MINE, "", files=[("scan.pdf", big)]).status_code == 302
    assert db.session.execute(db.select(MessageAttachment.size)).scalar_one() == len(big)
