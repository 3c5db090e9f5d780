"""One rule for every score and figure shown: Babel's decimal formatting, never a bare '.0' or a lost digit."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from flask import render_template_string

from portal.numbers import format_number


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (2.07, "2.07"),  # shown as "27" by round|replace(".0")
        (10.0, "10"),
        (1.05, "1.05"),
        (0, "0"),
        (None, "–"),
        (27, "27"),
        (Decimal("4.50"), "4.5"),
        (Fraction(28, 3), "9.33"),
        (1234.5, "1,234.5"),
        (-0.001, "0"),
    ],
)
def test_numbers_are_shown_as_they_are(value, shown):
    assert format_number(value) == shown


def test_fewer_places_when_asked():
    assert format_number(Fraction(28, 3), 1) == "9.3" and format_number(71.4, 0) == "71"


def test_the_template_filter_is_the_same_rule(app):
    with app.test_request_context():
        assert render_template_string("{{ 2.07|number }} {{ 10.0|number }} {{ none|number }}") == "2.07 10 –"
