"""A practice for messages: Olive the owner, Ana with Clara on her care team, Bea with someone else's, the front
desk, and helpers to make images and write in the thread as each side does."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from PIL import Image

from portal.extensions import db
from portal.models import Role, User
from portal.practice.team import join_care_team
from tests.conftest import csrf_token_from, log_in


@dataclass
class Team:
    owner: User
    ana: User  # Clara's practitioner
    bea: User  # a practitioner without Clara on her care team
    desk: User  # the assistant
    clara: User
    yara: User  # another client, on Bea's care team


@pytest.fixture
def team(app, make_user) -> Team:
    owner = make_user(Role.PRACTITIONER, email="olive@example.com", name="Olive Owner")  # the first: the owner
    ana = make_user(Role.PRACTITIONER, email="ana@example.com", name="Ana Practitioner")
    bea = make_user(Role.PRACTITIONER, email="bea@example.com", name="Bea Practitioner")
    desk = make_user(Role.ASSISTANT, email="desk@example.com", name="Dee Desk")
    clara = make_user(Role.CLIENT, email="clara@example.com", name="Clara Client", timezone="America/New_York")
    yara = make_user(Role.CLIENT, email="yara@example.com", name="Yara Client")
    join_care_team(ana.id, clara.id)
    join_care_team(bea.id, yara.id)
    db.session.commit()
    assert owner.is_owner
    return Team(owner, ana, bea, desk, clara, yara)


def browser_for(app, user: User) -> FlaskClient:
    browser = app.test_client()
    assert log_in(browser, user.email).status_code == 302
    return browser


def photo_with_location(fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A small photo carrying EXIF with a GPS position and the phone's make, as a phone camera writes it."""
    image = Image.new("RGB", size, (200, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to show
    gps = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def send(browser: FlaskClient, url: str, body: str = "", files=(), **extra):
    """Post the composer of the thread page at `url` as her browser does (with the page's CSRF token)."""
    token = csrf_token_from(browser.get(url).get_data(as_text=True))
    data = {"body": body, "csrf_token": token, **extra}
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return browser.post(url, data=data, content_type="multipart/form-data")
