"""A plan's later payments: a note a few days before each is due and one reminder once overdue, each once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.jobs.runner import send_instalment_messages
from portal.models import PackageInstalment
from portal.packages import purchases
from tests.conftest import outbox_messages

BOUGHT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def _plan(practice, gut_reset, client):
    quote = purchases.quote(gut_reset, client, "", BOUGHT.date())
    return purchases.record_purchase(quote, client, practice.practitioner, BOUGHT)


def test_a_note_before_each_later_payment_and_one_reminder_when_overdue(app, practice, gut_reset, client_user):
    _plan(practice, gut_reset, client_user)  # due 3 Dec (paid), 3 Jan, 3 Feb
    assert send_instalment_messages(datetime(2026, 12, 30, 9, tzinfo=UTC)) == 0  # four days before
    assert send_instalment_messages(datetime(2026, 12, 31, 9, tzinfo=UTC)) == 1  # three days before
    assert send_instalment_messages(datetime(2027, 1, 2, 9, tzinfo=UTC)) == 0  # only once
    assert send_instalment_messages(datetime(2027, 1, 3, 9, tzinfo=UTC)) == 0  # due today: not overdue yet
    assert send_instalment_messages(datetime(2027, 1, 4, 9, tzinfo=UTC)) == 1  # overdue
    assert send_instalment_messages(datetime(2027, 1, 9, 9, tzinfo=UTC)) == 0
    soon, overdue = outbox_messages(app)
    assert soon["Subject"] == "A payment for your package is due soon"
    text = soon.get_body(("plain",)).get_content()
    assert "Payment 2 of 3" in text and "£133.33" in text and "3 January 2027" in text and "/me/packages/" in text
    assert "by card" not in text  # no Stripe keys: paid at a session or by transfer
    assert overdue["Subject"] == "A payment for your package is overdue"
    assert "we have not received it yet" in overdue.get_body(("plain",)).get_content()


def test_a_paid_or_cancelled_instalment_is_not_mentioned(app, practice, gut_reset, client_user):
    purchase = _plan(practice, gut_reset, client_user)
    second = db.session.scalar(select(PackageInstalment).filter_by(purchase_id=purchase.id, number=2))
    purchases.record_instalment_paid(second, BOUGHT + timedelta(days=20))
    assert send_instalment_messages(datetime(2027, 1, 4, 9, tzinfo=UTC)) == 0
    purchases.end_with_refund(purchase, full=False, now=BOUGHT + timedelta(days=40))
    db.session.commit()
    assert send_instalment_messages(datetime(2027, 2, 5, 9, tzinfo=UTC)) == 0
    assert outbox_messages(app) == []
