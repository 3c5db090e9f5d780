"""A client with a record of every kind: profile, diary, a submitted questionnaire, a paid and partly
refunded session, and audit rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from portal import audit
from portal.booking import lifecycle
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, DiaryEntry, Payment, PaymentMethod, Refund, Role, User
from portal.payments import ledger, refunds
from portal.questionnaires import responses
from portal.questionnaires.instruments import INSTRUMENTS
from portal.records import profiles

DIARY_NOTE = "Red wine at the wedding, aura by nine"
CONDITIONS = "Menstrual migraine; bloating after onions"
PAYMENT_NOTE = "Paid by her sister for the IBS follow-up"
REFUND_REASON = "Flare-up, could not travel"


@dataclass
class Records:
    client: User
    booking: Booking
    payment: Payment
    refund: Refund


def publish_a_handout(records: Records):
    """Her session's handout, published as the practitioner does (the protocol exists first)."""
    from portal.handouts.handouts import load_session, publish_handout
    from portal.handouts.protocols import protocol_for

    protocol_for(records.booking)
    ids = {name: (type(row), row.id) for name, row in vars(records).items()}
    db.session.expunge_all()  # publish_handout needs the booking loaded with its client, not a copy without
    handout = publish_handout(load_session(ids["booking"][1]))
    for name, (model, row_id) in ids.items():
        setattr(records, name, db.session.get(model, row_id))
    return handout


@pytest.fixture
def clara(practice, make_user) -> Records:
    client = make_user(Role.CLIENT, email="clara@example.com", name="Clara Client")
    start = [s for s in practice.free(practice.follow_up) if s > utcnow() + timedelta(days=2)][0]
    booking = lifecycle.book(client, practice.follow_up, start, needs_payment=False)
    payment = ledger.record_manual_payment(booking, 8500, PaymentMethod.CASH, PAYMENT_NOTE, practice.practitioner)
    refund = refunds.refund_payment(payment, 1000, REFUND_REASON, practice.practitioner)
    db.session.add(
        DiaryEntry(client_id=client.id, day=date(2026, 11, 3), headache="migraine", intensity=7, note=DIARY_NOTE)
    )
    profiles.save_profile(
        client.id, client.id, {"phone": "07700 900123", "conditions": CONDITIONS, "medication": "Rizatriptan 10 mg"}, 0
    )
    assignment = responses.assign(client, "phq9", None, date(2026, 11, 1), practice.practitioner)
    draft = responses.draft_for(assignment)
    for item in INSTRUMENTS["phq9"].items:
        responses.save_answer(draft, item, 1)
    responses.submit(draft, date(2026, 11, 1))
    audit.record("view", client.id, "profile", client.id)
    db.session.commit()
    return Records(client, booking, payment, refund)


MEAL_DESCRIPTION = "Quince paste with a wedge of aged gouda"


def add_a_meal(client: User):
    """A diary day with a meal (aged cheese and dairy, a photo), a day tag and nothing else answered."""
    from portal.journal.meals import DayJournal, MealInput, save_day
    from portal.journal.photos import clean_photo
    from tests.journal.conftest import picture

    today = date(2026, 11, 5)
    journal = DayJournal(
        day_tags=frozenset({"ate_late"}),
        meals=(
            MealInput(None, "snack", MEAL_DESCRIPTION, frozenset({"aged_cheese", "dairy"}), clean_photo(picture())),
        ),
    )
    none = dict(intensity=None, headache_minutes=None, bloating=None, abdominal_pain=None)
    return save_day(client, today, today, journal, headache="none", medication=set(), stool_types=[], note="", **none)
