"""The demo practice has example library items and a published handout for Sophie."""

from __future__ import annotations

from portal.accounts import users
from portal.demo import seed_demo
from portal.extensions import db
from portal.handouts import handouts
from portal.models import ProtocolItem
from tests.handouts.conftest import pdf_text


def test_the_demo_has_example_items_and_one_handout_and_seeding_twice_adds_nothing(app):
    seed_demo("Europe/London", "GBP")
    seed_demo("Europe/London", "GBP")
    items = list(db.session.execute(db.select(ProtocolItem)).scalars())
    assert len(items) == 6 and all(item.is_example for item in items)
    assert {"Magnesium glycinate", "Riboflavin (vitamin B2)", "Sleep routine", "Fibre and fluid"} <= {
        item.title for item in items
    }
    sophie = users.find_user_by_email("sophie@example.com")
    (handout,) = handouts.published_handouts(sophie.id)
    assert "Sophie Turner" in pdf_text(handouts.handout_pdf(handout))
