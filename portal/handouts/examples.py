"""Example protocol items for migraine and gut work (marked as examples in her library), and the demo's
published handout."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.db_types import utcnow
from portal.extensions import db
from portal.handouts import handouts, protocols
from portal.handouts.protocols import ItemText
from portal.models import Booking, BookingStatus, ProtocolItem, Service, User

EXAMPLE_ITEMS = [
    ItemText(
        "supplement",
        "Magnesium glycinate",
        "300 mg",
        "With your evening meal",
        "3 months, then review",
        "Start with 150 mg for a week if your tummy is sensitive.",
        "Low magnesium is common in migraine; it calms nerves and helps regular bowel movements.",
    ),
    ItemText(
        "supplement",
        "Riboflavin (vitamin B2)",
        "400 mg",
        "With breakfast",
        "At least 3 months",
        "Your urine may turn bright yellow: this is harmless.",
        "Helps the energy supply of brain cells; studies show fewer migraine days after 3 months.",
    ),
    ItemText(
        "diet",
        "Elimination diet, step 1: pause aged cheese",
        "",
        "Every day",
        "4 weeks",
        "Leave out aged cheese and cured meats, and note in your diary how you feel.",
        "They are rich in tyramine, a common migraine trigger.",
    ),
    ItemText(
        "diet",
        "Fibre and fluid",
        "2 litres of water, 30 g fibre",
        "Through the day",
        "Ongoing",
        "Add a tablespoon of ground flaxseed to breakfast and keep a bottle of water with you.",
        "Soft, regular stools and steady hydration ease both constipation and headaches.",
    ),
    ItemText(
        "lifestyle",
        "Sleep routine",
        "7 to 8 hours",
        "Same bedtime every night",
        "Ongoing",
        "Screens off 30 minutes before bed; wake at the same time at weekends too.",
        "Irregular sleep is one of the strongest migraine triggers.",
    ),
    ItemText("test", "Ask your GP for ferritin and vitamin D", "", "At your next GP visit", "Once", "", ""),
]


def seed_examples(practitioner: User) -> list[ProtocolItem]:
    """The example items, unless her library has items already."""
    if db.session.execute(db.select(ProtocolItem).filter_by(practitioner_id=practitioner.id)).first() is not None:
        return []
    return [protocols.save_item(None, practitioner, text, is_example=True) for text in EXAMPLE_ITEMS]


def past_session(
    practitioner_id: int, client_id: int, service: Service, starts_at: datetime, status: str = BookingStatus.COMPLETED
) -> Booking:
    """A session that has already taken place, written straight into the diary (no notice or hours apply)."""
    ends_at = starts_at + timedelta(minutes=service.duration_minutes)
    booking = Booking(
        practitioner_id=practitioner_id,
        client_id=client_id,
        service_id=service.id,
        status=status,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_from=starts_at,
        blocked_until=ends_at,
        price_minor=service.price_minor,
        currency=service.currency,
    )
    db.session.add(booking)
    db.session.commit()
    return booking


def seed_demo_handout(practitioner: User, client: User, service: Service, items: list[ProtocolItem]) -> None:
    """A discovery call two weeks ago with a published handout, so the client's page has one to download."""
    if handouts.published_handouts(client.id):
        return
    starts_at = (utcnow() - timedelta(days=14)).replace(hour=9, minute=0, second=0, microsecond=0)
    booking = past_session(practitioner.id, client.id, service, starts_at)
    protocols.save_protocol(
        protocols.protocol_for(booking),
        summary="Your migraines mostly come after short nights and on days your digestion is unsettled. "
        "We start gently with sleep, fluid and fibre, and magnesium.",
        focus_points="A regular bedtime, also at weekends\nTwo litres of water a day",
        next_steps="Fill in your diary every day\nBook your initial consultation",
        lines=[],
        add_items=[i for i in items if i.category in ("supplement", "lifestyle", "diet")][:4],
    )
    handouts.publish_handout(booking)
