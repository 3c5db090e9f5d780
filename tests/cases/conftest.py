"""Fixtures for the case file and notes: the practitioner's shipped templates, a note in each state."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from portal.cases import notes, templates
from portal.models import Note, NoteTemplate, Role, User
from tests.conftest import csrf_token_from, log_in


@pytest.fixture
def maya(practice) -> User:
    """The practitioner of the practice (hours every day, a discovery call and a £85 follow-up)."""
    return practice.practitioner


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


def form_token(browser: FlaskClient, url: str) -> str:
    return csrf_token_from(browser.get(url).get_data(as_text=True))
