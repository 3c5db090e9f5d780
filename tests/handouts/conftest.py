"""A practice with a past session, a client with scores, a protocol library and a composed protocol."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from pathlib import Path

import pytest

from portal.handouts import protocols
from portal.handouts.examples import EXAMPLE_ITEMS
from portal.models import Booking, User

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

LIBRARY = EXAMPLE_ITEMS


@dataclass
class Session:
    booking: Booking
    client: User


@pytest.fixture
def add_scores(make_response) -> Callable[[User, str, list[float], datetime], None]:
    """add_scores(client, code, totals, start): her responses scoring `totals`, two weeks apart from `start`."""

    def add(client: User, code: str, totals: list[float], start: datetime) -> None:
        for n, total in enumerate(totals):
            make_response(client, code, total=total, submitted_at=start + timedelta(days=14 * n))

    return add


@pytest.fixture
def session(client_user, make_booking, add_scores) -> Session:
    """Clara's follow-up on 3 March 2026 with her HIT-6 and IBS-SSS scores before it."""
    booking = make_booking(client_user, start=datetime(2026, 3, 3, 10, 0, tzinfo=UTC), status="completed")
    add_scores(client_user, "hit6", [64, 61, 58], datetime(2026, 1, 6, 9, tzinfo=UTC))
    add_scores(client_user, "ibs_sss", [320, 260], datetime(2026, 1, 20, 9, tzinfo=UTC))
    return Session(booking, client_user)


@pytest.fixture
def library_items(practice):
    return [protocols.save_item(None, practice.practitioner, text, is_example=True) for text in LIBRARY]


@pytest.fixture
def composed(session, library_items) -> Session:
    """The session's protocol, composed from the whole library with a summary, focus points and next steps."""
    protocol = protocols.protocol_for(session.booking)
    protocols.save_protocol(
        protocol,
        summary="We looked at your diary: most migraines follow poor sleep or a bad gut day.",
        focus_points="Regular sleep\nDrink more water",
        next_steps="Keep your diary every day\nFill in the HIT-6",
        lines=[],
        add_items=library_items,
    )
    return session


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF, as pdftotext (poppler) reads it, page breaks as form feeds."""
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def pdf_page_png(pdf: bytes, name: str, page: int = 1) -> Path:
    """Page `page` of the PDF as a PNG in test-artifacts/, to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", "-", str(stem)],
        input=pdf,
        check=True,
    )
    return stem.with_suffix(".png")
