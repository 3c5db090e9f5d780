"""Fixtures shared by the questionnaire tests."""

from __future__ import annotations

import pytest

from portal.models import User


@pytest.fixture
def maya(practitioner) -> User:
    """The practitioner who sends the questionnaires (maya@example.com)."""
    return practitioner
