"""A client with a current protocol (two supplements), and pictures to upload."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from portal.extensions import db
from portal.models import Protocol, ProtocolLine, PublishedHandout
from portal.models.handouts import ItemCategory


def _protocol(client, booking, titles: list[tuple[str, str]], published_at: datetime) -> list[ProtocolLine]:
    protocol = Protocol(booking_id=booking.id, client_id=client.id, practitioner_id=booking.practitioner_id)
    db.session.add(protocol)
    db.session.flush()
    lines = [
        ProtocolLine(protocol_id=protocol.id, position=n, category=category, title=title)
        for n, (category, title) in enumerate(titles)
    ]
    db.session.add_all(lines)
    db.session.add(
        PublishedHandout(
            booking_id=booking.id,
            client_id=client.id,
            practitioner_id=booking.practitioner_id,
            version=1,
            session_date=published_at.date(),
            session_title="Follow-up",
            storage_key=f"test/{booking.id}.pdf",
            checksum="0" * 64,
            size=1,
            published_at=published_at,
        )
    )
    db.session.commit()
    return lines


@pytest.fixture
def supplements(client_user, make_booking, practice) -> list[ProtocolLine]:
    """Her current protocol's supplement lines (magnesium, riboflavin); an older protocol had CoQ10."""
    first, second = datetime(2026, 1, 6, 10, tzinfo=UTC), datetime(2026, 3, 3, 10, tzinfo=UTC)
    older = make_booking(client_user, start=first, status="completed")
    latest = make_booking(client_user, start=second, status="completed")
    _protocol(client_user, older, [(ItemCategory.SUPPLEMENT, "CoQ10")], first + timedelta(hours=2))
    lines = _protocol(
        client_user,
        latest,
        [
            (ItemCategory.SUPPLEMENT, "Magnesium glycinate"),
            (ItemCategory.DIET, "Three regular meals"),
            (ItemCategory.SUPPLEMENT, "Riboflavin"),
        ],
        second + timedelta(hours=2),
    )
    return [line for line in lines if line.category == ItemCategory.SUPPLEMENT]


def picture(fmt: str = "JPEG", size: tuple[int, int] = (800, 600), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x0110] = "Phone 15"  # Model
        data[0x0132] = "2026:12:01 12:00:00"  # DateTime
        options["exif"] = data.tobytes()
    image.save(out, fmt, **options)
    return out.getvalue()
