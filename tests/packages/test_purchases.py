"""Buying a package: the server's price, the plan, the credits, their expiry, and ending a purchase early."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import InstalmentStatus, PackageCredit, PackageInstalment, PurchaseStatus
from portal.packages import catalogue, purchases
from tests import factories
from tests.packages.conftest import terms


def _bought(gut_reset, client, practice, now=None, **options):
    now = now or utcnow()
    quote = purchases.quote(gut_reset, client, "", now.date())
    return purchases.record_purchase(quote, client, practice.practitioner, now, **options)


def test_a_quote_splits_the_price_into_its_plan_from_today(gut_reset, client_user):
    quote = purchases.quote(gut_reset, client_user, "", date(2026, 1, 31))
    assert quote.price_minor == 40000 and quote.discount_minor == 0
    assert quote.instalments == [(date(2026, 1, 31), 13334), (date(2026, 2, 28), 13333), (date(2026, 3, 31), 13333)]
    assert quote.due_now_minor == 13334


def test_a_retired_version_cannot_be_bought(practice, gut_reset, client_user):
    catalogue.withdraw(gut_reset)
    with pytest.raises(purchases.PurchaseError, match="no longer on sale"):
        purchases.quote(gut_reset, client_user, "", date(2026, 1, 1))


def test_a_recorded_purchase_is_active_with_its_credits_first_instalment_paid_and_validity(
    practice, gut_reset, client_user
):
    now = utcnow()
    purchase = _bought(gut_reset, client_user, practice, now)
    assert purchase.status == PurchaseStatus.ACTIVE
    assert purchase.valid_until == now + timedelta(days=120)
    assert purchases.credits_left(client_user.id, practice.follow_up.id, now) == 5
    assert purchases.credits_left(client_user.id, practice.discovery.id, now) == 0
    plan = db.session.scalars(select(PackageInstalment).order_by(PackageInstalment.number)).all()
    assert [i.status for i in plan] == [InstalmentStatus.PAID, InstalmentStatus.DUE, InstalmentStatus.DUE]
    assert purchases.paid_minor(purchase.id) == 13334
    [holding] = purchases.holdings(client_user.id, now)
    assert (holding.name, holding.paid_minor, holding.expired) == ("3-month gut reset", 13334, False)
    assert [(s.service.name, s.total, s.used, s.left) for s in holding.services] == [("Follow-up", 5, 0, 5)]


def test_booking_spends_a_credit_and_cancelling_inside_the_policy_gives_it_back(practice, gut_reset, client_user):
    _bought(gut_reset, client_user, practice)
    booking = factories.book(client_user, practice.follow_up)
    credit = purchases.spend_credit(booking, utcnow())
    db.session.commit()
    assert credit is not None and credit.booking_id == booking.id
    assert purchases.credits_left(client_user.id, practice.follow_up.id, utcnow()) == 4
    assert purchases.spend_credit(booking, utcnow()) == credit  # a booking holds one credit
    assert purchases.credits_left(client_user.id, practice.follow_up.id, utcnow()) == 4
    assert purchases.give_back_credit(booking) is True
    db.session.commit()
    assert purchases.credits_left(client_user.id, practice.follow_up.id, utcnow()) == 5
    assert purchases.give_back_credit(booking) is False


def test_the_last_credit_is_spent_once_and_then_none_is_left(practice, client_user):
    single = catalogue.publish(
        catalogue.create(practice.practitioner, terms(practice, instalments=1, sessions={practice.follow_up.id: 1}))
    )
    _bought(single, client_user, practice)
    first = factories.book(client_user, practice.follow_up, in_days=3)
    second = factories.book(client_user, practice.follow_up, in_days=4)
    assert purchases.spend_credit(first, utcnow()) is not None
    assert purchases.spend_credit(second, utcnow()) is None
    db.session.commit()
    assert db.session.scalar(select(PackageCredit.booking_id)) == first.id


def test_an_expired_credit_cannot_be_used_but_a_session_booked_before_keeps_its_credit(
    practice, gut_reset, client_user
):
    bought_at = utcnow() - timedelta(days=119)
    purchase = _bought(gut_reset, client_user, practice, bought_at)
    booking = factories.book(client_user, practice.follow_up, in_days=5)  # takes place after the expiry
    assert purchases.spend_credit(booking, utcnow()) is not None
    db.session.commit()
    after_expiry = purchase.valid_until + timedelta(seconds=1)
    later = factories.book(client_user, practice.follow_up, in_days=6)
    assert purchases.credits_left(client_user.id, practice.follow_up.id, after_expiry) == 0
    assert purchases.spend_credit(later, after_expiry) is None
    assert purchases.credit_of(booking.id) is not None  # the expiry does not take it from the booked session
    [holding] = purchases.holdings(client_user.id, after_expiry)
    assert holding.expired and holding.services[0].left == 0 and holding.services[0].used == 1


def test_ending_in_part_refunds_the_unused_share_and_the_free_credits_disappear(practice, client_user):
    paid_in_full = catalogue.publish(catalogue.create(practice.practitioner, terms(practice, instalments=1)))
    purchase = _bought(paid_in_full, client_user, practice)
    for days in (3, 4):
        assert purchases.spend_credit(factories.book(client_user, practice.follow_up, in_days=days), utcnow())
    db.session.commit()
    ending = purchases.end_with_refund(purchase, full=False, now=utcnow())
    db.session.commit()
    assert (ending.refund_minor, ending.credits_refunded, ending.instalments_cancelled) == (24000, 3, 0)
    assert purchase.status == PurchaseStatus.REFUNDED and purchase.refunded_minor == 24000
    assert purchases.credits_left(client_user.id, practice.follow_up.id, utcnow()) == 0
    assert purchases.holdings(client_user.id, utcnow()) == []
    with pytest.raises(purchases.PurchaseError):
        purchases.end_with_refund(purchase, full=True, now=utcnow())


def test_ending_a_plan_in_full_refunds_what_was_paid_and_cancels_the_instalments_still_due(
    practice, gut_reset, client_user
):
    purchase = _bought(gut_reset, client_user, practice)
    ending = purchases.end_with_refund(purchase, full=True, now=utcnow())
    db.session.commit()
    assert (ending.refund_minor, ending.credits_refunded, ending.instalments_cancelled) == (13334, 5, 2)
    statuses = db.session.scalars(select(PackageInstalment.status).order_by(PackageInstalment.number)).all()
    assert statuses == [InstalmentStatus.PAID, InstalmentStatus.CANCELLED, InstalmentStatus.CANCELLED]


def test_overdue_instalments_block_booking_only_where_she_chose_to(practice, gut_reset, client_user, make_user):
    today = utcnow().date()
    blocked = _bought(gut_reset, client_user, practice, block_when_overdue=True)
    other = make_user()
    _bought(gut_reset, other, practice)
    assert purchases.booking_blocked(client_user.id, today) is False  # nothing overdue yet
    a_month_on = today + timedelta(days=32)
    assert [i.purchase_id for i in purchases.overdue_instalments(a_month_on)] == [blocked.id, blocked.id + 1]
    assert purchases.booking_blocked(client_user.id, a_month_on) is True
    assert purchases.booking_blocked(other.id, a_month_on) is False
    second = purchases.overdue_instalments(a_month_on, client_user.id)[0]
    purchases.record_instalment_paid(second, utcnow())
    assert purchases.booking_blocked(client_user.id, a_month_on) is False
    with pytest.raises(purchases.PurchaseError):
        purchases.record_instalment_paid(second, utcnow())
