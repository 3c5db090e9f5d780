"""Her handout branding: name, colour, disclaimer, paper size and a logo checked by its content."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image

from portal.extensions import db
from portal.handouts import handouts
from portal.handouts.handouts import HandoutError, logo_content_type
from portal.models import HandoutSettings
from tests.conftest import csrf_token_from, log_in
from tests.handouts.conftest import pdf_page_png, pdf_text


def image_bytes(kind: str, size=(240, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (45, 106, 100)).save(buffer, kind)
    return buffer.getvalue()


SVG_OK = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40">'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="#2d6a64"/></linearGradient></defs>'
    b'<rect width="120" height="40" fill="url(#g)"/><use href="#g"/></svg>'
)


@pytest.mark.parametrize(
    "data, expected",
    [
        (image_bytes("PNG"), "image/png"),
        (image_bytes("JPEG"), "image/jpeg"),
        (SVG_OK, "image/svg+xml"),
    ],
)
def test_png_jpeg_and_clean_svg_logos_are_accepted_by_content(data, expected):
    assert logo_content_type(data) == expected


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty"),
        (b"GIF89a" + b"\0" * 40, "not a PNG, JPEG or SVG"),
        (b"%PDF-1.7 not an image", "not a PNG, JPEG or SVG"),
        (image_bytes("PNG")[:60], "damaged or incomplete"),
        (b"\x89PNG\r\n\x1a\n" + b"x" * 600 * 1024, "use one of at most 512 KB"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "scripts"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>', "scripts"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<image x:href="https://tracker.example/p.png"/></svg>',
            "link to other files",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>', "link to other files"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://x.example/a.css);</style></svg>',
            "link to other files",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://x.example/a#b)"/></svg>',
            "link to other files",
        ),
        (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "DOCTYPE"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>', "embedded content"),
        (b"<html><svg></svg></html>", "not a PNG, JPEG or SVG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect', "could not be read"),
    ],
)
def test_bad_logos_get_a_clear_message(data, message):
    with pytest.raises(HandoutError, match=message):
        logo_content_type(data)


def settings_post(client, **fields):
    page = client.get("/practitioner/handouts/settings").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(page),
        "practice_name": "Calm Gut Clinic",
        "accent_colour": "#7a3b69",
        "paper_size": "A4",
        "disclaimer": "Not medical advice.",
        **fields,
    }
    return client.post("/practitioner/handouts/settings", data=data, content_type="multipart/form-data")


def test_the_practice_name_defaults_to_the_configured_one(app, practice):
    assert handouts.settings_for(practice.practitioner.id).practice_name == "Migraine & Gut Health Practice"


def test_she_sets_name_colour_logo_and_letter_paper_and_the_pdf_uses_them(client, practice, composed):
    log_in(client, practice.practitioner.email)
    response = settings_post(client, paper_size="Letter", logo_file=(io.BytesIO(image_bytes("PNG")), "logo.txt"))
    assert response.status_code == 302
    settings = db.session.get(HandoutSettings, practice.practitioner.id)
    assert settings.logo_content_type == "image/png" and settings.accent_colour == "#7a3b69"
    logo = client.get("/practitioner/handouts/logo")
    assert logo.mimetype == "image/png" and logo.data == settings.logo

    pdf = handouts.handout_pdf(handouts.publish_handout(composed.booking))
    text = " ".join(pdf_text(pdf).split())
    assert "Calm Gut Clinic" in text and "Not medical advice." in text
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "612 x 792 pts (letter)" in info
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert len(images.strip().splitlines()) > 2  # the logo, on every page
    pdf_page_png(pdf, "handout-letter-logo-page-1")


def test_a_bad_logo_is_refused_beside_the_field_and_the_other_settings_are_not_lost(client, practice):
    log_in(client, practice.practitioner.email)
    response = settings_post(
        client,
        practice_name="Kept Name",
        logo_file=(io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'><script>x()</script></svg>"), "l.svg"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "SVG logos may not contain scripts" in page and 'value="Kept Name"' in page
    assert db.session.get(HandoutSettings, practice.practitioner.id) is None


def test_a_bad_colour_is_explained(client, practice):
    log_in(client, practice.practitioner.email)
    response = settings_post(client, accent_colour="green")
    assert response.status_code == 422 and "Enter # and six hex digits" in response.get_data(as_text=True)


def test_she_can_remove_the_logo(client, practice):
    log_in(client, practice.practitioner.email)
    settings_post(client, logo_file=(io.BytesIO(SVG_OK), "logo.svg"))
    assert client.get("/practitioner/handouts/logo").mimetype == "image/svg+xml"
    settings_post(client, remove_logo="y")
    assert client.get("/practitioner/handouts/logo").status_code == 404
