"""Fixtures for the case file and notes: the practitioner's shipped templates, a note in each state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from portal.cases import notes, templates
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, Note, NoteTemplate, QuestionnaireResponse, Role, User
from tests.conftest import csrf_token_from, log_in


@pytest.fixture
def maya(practitioner) -> User:
    return practitioner


@pytest.fixture
def sophie(make_user) -> User:
    return make_user(Role.CLIENT, email="sophie@example.com", name="Sophie Turner")


@pytest.fixture
def template(maya) -> NoteTemplate:
    templates.ensure_shipped(maya)
    return templates.templates_of(maya.id)[0]


@pytest.fixture
def draft(maya, sophie, template) -> Note:
    return notes.start_note(sophie, maya, template, context="Latest scores: HIT-6 58.")


@pytest.fixture
def signed(maya, draft) -> Note:
    notes.save_draft(draft, draft.revision, draft.title, ["Migraines twice a week.", "", "Gut-brain.", "Magnesium."])
    return notes.sign_note(draft, draft.revision, maya)


@pytest.fixture
def maya_browser(app, maya) -> FlaskClient:
    browser = app.test_client()
    log_in(browser, maya.email)
    return browser


@pytest.fixture
def make_booking(app) -> Callable[..., Booking]:
    """A booking row as it is stored, without the slot rules (for pages that only read bookings)."""
    from portal.practice import settings

    def make(
        practitioner: User, client: User, starts_in: timedelta, *, status: str = "completed", price_minor: int = 8500
    ) -> Booking:
        service = (
            settings.services_of(practitioner)[0]
            if settings.services_of(practitioner)
            else settings.save_service(
                None,
                practitioner,
                name="Follow-up",
                description="",
                duration_minutes=45,
                price_minor=price_minor,
                currency="GBP",
                active=True,
            )
        )
        start = (utcnow() + starts_in).replace(second=0, microsecond=0)
        booking = Booking(
            practitioner_id=practitioner.id,
            client_id=client.id,
            service_id=service.id,
            status=status,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
            blocked_from=start,
            blocked_until=start + timedelta(minutes=45),
            price_minor=price_minor,
            currency="GBP",
        )
        db.session.add(booking)
        db.session.commit()
        return booking

    return make


def add_response(
    client: User, code: str, total: float, band: str = "", days_ago: int = 0, **extra
) -> QuestionnaireResponse:
    response = QuestionnaireResponse(
        client_id=client.id,
        code=code,
        version="1",
        status="submitted",
        answers=extra.get("answers", {}),
        total=total,
        band=band,
        submitted_at=utcnow() - timedelta(days=days_ago),
        flags=extra.get("flags", []),
    )
    db.session.add(response)
    db.session.commit()
    return response


def form_token(browser: FlaskClient, url: str) -> str:
    return csrf_token_from(browser.get(url).get_data(as_text=True))
