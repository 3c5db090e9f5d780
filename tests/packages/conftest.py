from __future__ import annotations

import pytest

from portal.packages import catalogue


def terms(practice, **changes) -> catalogue.Terms:
    """The 3-month gut reset: five follow-ups, £400, valid 120 days, in three monthly payments."""
    values = dict(
        name="3-month gut reset",
        description="Five follow-ups and your handouts.",
        price_minor=40000,
        valid_days=120,
        online=True,
        instalments=3,
        instalment_every_months=1,
        sessions={practice.follow_up.id: 5},
    )
    values.update(changes)
    return catalogue.Terms(**values)


@pytest.fixture
def gut_reset(practice):
    """The package, published."""
    return catalogue.publish(catalogue.create(practice.practitioner, terms(practice)))
