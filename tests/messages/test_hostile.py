"""Hostile input to the composer: a clear 4xx with the message beside the field and the text kept, never a 500,
and nothing stored."""

from __future__ import annotations

import io

import pytest

from portal.extensions import db
from portal.messages.attachments import MAX_FILE_BYTES
from portal.models import Message
from tests.conftest import csrf_token_from
from tests.messages.conftest import PDF, browser_for, send

MINE = "/me/messages/"


def count_messages() -> int:
    return db.session.scalar(db.select(db.func.count(Message.id)))


def test_a_hundred_thousand_characters_are_refused_and_kept(app, team):
    huge = "x" * 100_000
    response = send(browser_for(app, team.clara), MINE, huge)
    assert response.status_code == 422 and huge in response.get_data(as_text=True)
    assert count_messages() == 0


def test_bytes_that_are_not_utf8_in_the_text_are_refused(app, team):
    clara = browser_for(app, team.clara)
    token = csrf_token_from(clara.get(MINE).get_data(as_text=True))
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\n'
        ).encode()
        + b"Aura \xff\xfe then nausea\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    response = clara.post(MINE, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422 and "characters we could not read" in response.get_data(as_text=True)
    assert count_messages() == 0


@pytest.mark.parametrize(
    "name", ["a\x00b.pdf", "a\tb\x1b[2J.pdf", "../" * 200 + "x.pdf", "é" * 500, "Blutwerte März.pdf"]
)
def test_hostile_file_names_are_cleaned_not_refused(app, team, name):
    assert send(browser_for(app, team.clara), MINE, "", files=[(name, PDF)]).status_code == 302
    page = browser_for(app, team.clara).get(MINE)
    assert page.status_code == 200 and "\x00" not in page.get_data(as_text=True)


def test_a_line_break_in_a_file_name_gets_no_server_error(app, team):
    response = send(browser_for(app, team.clara), MINE, "Kept", files=[("a\r\nContent-Type: text/html.pdf", PDF)])
    assert response.status_code in (302, 422)


def test_a_text_file_that_claims_to_be_a_jpeg_is_refused(app, team):
    clara = browser_for(app, team.clara)
    token = csrf_token_from(clara.get(MINE).get_data(as_text=True))
    fake = (io.BytesIO(b"<html><script>alert(1)</script></html>"), "photo.jpg", "image/jpeg")
    response = clara.post(MINE, data={"csrf_token": token, "body": "Photo", "files": [fake]})
    assert response.status_code == 422 and "is not a PDF, JPEG or PNG file" in response.get_data(as_text=True)
    assert "Photo</textarea>" in response.get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused(app, team):
    response = browser_for(app, team.clara).post(MINE, data={"body": "Hello"})
    assert response.status_code == 400 and count_messages() == 0


def test_a_body_beyond_three_full_files_is_refused_with_413(app, team):
    clara = browser_for(app, team.clara)
    token = csrf_token_from(clara.get(MINE).get_data(as_text=True))
    big = b"%PDF-" + b"0" * MAX_FILE_BYTES
    files = [(io.BytesIO(big), f"{n}.pdf") for n in range(4)]
    response = clara.post(MINE, data={"csrf_token": token, "body": "x", "files": files})
    assert response.status_code == 413 and count_messages() == 0


def test_other_pages_keep_the_apps_lower_upload_limit(app, team):
    """Only the composer accepts 10 MB files: the raised limit is for that request alone."""
    clara = browser_for(app, team.clara)
    token = csrf_token_from(clara.get("/me/profile").get_data(as_text=True))
    response = clara.post("/me/profile", data={"csrf_token": token, "goals": "x" * (6 * 1024 * 1024)})
    assert response.status_code == 413


def test_a_file_name_in_another_script_downloads_under_its_own_name(app, team):
    from portal.models import MessageAttachment

    clara = browser_for(app, team.clara)
    send(clara, MINE, "", files=[("Blutwerte März.pdf", PDF)])
    attachment_id = db.session.execute(db.select(MessageAttachment.id)).scalar_one()
    download = clara.get(f"/messages/attachments/{attachment_id}")
    disposition = download.headers["Content-Disposition"]
    assert download.status_code == 200 and disposition.startswith("attachment;")
    assert "filename*=UTF-8''Blutwerte%20M%C3%A4rz.pdf" in disposition
