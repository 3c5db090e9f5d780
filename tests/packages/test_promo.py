"""Promo codes: what they take off, for what, when, how often, and for whom; the price shown is the price paid."""

from __future__ import annotations

from datetime import date

import pytest

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import PromoCode, PromoTarget
from portal.packages import promo, purchases
from tests import factories

TODAY = date(2026, 12, 3)


def _code(practice, **values) -> PromoCode:
    fields = dict(practitioner_id=practice.practitioner.id, code="WELCOME", kind="percent", percent=10, currency="GBP")
    fields.update(values)
    code = PromoCode(**fields)
    db.session.add(code)
    db.session.commit()
    return code


def _check(practice, client, text="welcome", *, today=TODAY, service=None, package_id=None, price=8500):
    target = {"package_id": package_id} if package_id else {"service_id": (service or practice.follow_up).id}
    return promo.check(
        practice.practitioner.id, text, client, list_price_minor=price, currency="GBP", today=today, **target
    )


def test_codes_are_typed_in_any_case_with_spaces_around_and_anything_else_is_refused():
    assert promo.normalise("  welcome-10 ") == "WELCOME-10"
    for bad in ("", "   ", "WEL COME", "x" * 31, "<script>", "-START"):
        with pytest.raises(promo.PromoError, match="letters, digits"):
            promo.normalise(bad)


def test_a_percentage_and_a_fixed_amount_for_the_chosen_service(practice, client_user):
    code = _code(practice)
    db.session.add(PromoTarget(code_id=code.id, service_id=practice.follow_up.id))
    _code(practice, code="TENOFF", kind="fixed", percent=None, amount_minor=1000, all_services=True)
    applied = _check(practice, client_user)
    assert (applied.discount_minor, applied.price_minor) == (850, 7650)
    assert _check(practice, client_user, "tenoff").price_minor == 7500
    assert _check(practice, client_user, "tenoff", price=500).price_minor == 0  # never below nothing
    with pytest.raises(promo.PromoError, match="not for this session"):
        _check(practice, client_user, service=practice.discovery)


def test_a_code_for_packages_does_not_apply_to_a_session_and_the_reverse(practice, client_user, gut_reset):
    _code(practice, all_packages=True)
    assert _check(practice, client_user, package_id=gut_reset.package_id, price=40000).discount_minor == 4000
    with pytest.raises(promo.PromoError, match="not for this session"):
        _check(practice, client_user)
    with pytest.raises(ValueError):
        promo.check(practice.practitioner.id, "x", client_user, list_price_minor=1, currency="GBP", today=TODAY)


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "ok"),
    [
        (date(2026, 12, 3), date(2026, 12, 3), True),  # both ends inclusive
        (date(2026, 12, 4), None, False),
        (None, date(2026, 12, 2), False),
        (None, None, True),
    ],
)
def test_a_code_works_between_its_dates_inclusive(practice, client_user, valid_from, valid_until, ok):
    _code(practice, all_services=True, valid_from=valid_from, valid_until=valid_until)
    if ok:
        assert _check(practice, client_user).discount_minor == 850
    else:
        with pytest.raises(promo.PromoError, match="can be used from|ended on"):
            _check(practice, client_user)


def test_unknown_inactive_and_another_practitioners_codes_are_not_known(practice, client_user, make_user):
    _code(practice, all_services=True, active=False)
    with pytest.raises(promo.PromoError, match="not one we know"):
        _check(practice, client_user)
    with pytest.raises(promo.PromoError, match="not one we know"):
        _check(practice, client_user, "NOSUCH")


def test_a_first_booking_code_is_refused_once_she_has_had_a_session(practice, client_user):
    _code(practice, all_services=True, first_booking_only=True)
    factories.book(client_user, practice.discovery, status="cancelled")
    assert _check(practice, client_user).discount_minor == 850  # a cancelled one does not count
    factories.book(client_user, practice.discovery)
    with pytest.raises(promo.PromoError, match="first session only"):
        _check(practice, client_user)


def test_the_per_client_limit_and_the_total_limit(practice, gut_reset, client_user, make_user):
    code = _code(practice, all_packages=True, per_client_limit=1, max_uses=2)
    quote = purchases.quote(gut_reset, client_user, "WELCOME", utcnow().date())
    assert (quote.price_minor, quote.instalments[0][1]) == (36000, 12000)  # the plan splits the discounted price
    purchases.record_purchase(quote, client_user, practice.practitioner, utcnow())
    with pytest.raises(promo.PromoError, match="already used"):
        purchases.quote(gut_reset, client_user, "WELCOME", utcnow().date())
    second = make_user()
    purchases.record_purchase(
        purchases.quote(gut_reset, second, "WELCOME", utcnow().date()), second, practice.practitioner, utcnow()
    )
    db.session.refresh(code)
    assert code.uses == 2
    with pytest.raises(promo.PromoError, match="used up"):
        purchases.quote(gut_reset, make_user(), "WELCOME", utcnow().date())


def test_a_fixed_amount_in_another_currency_is_refused(practice, client_user):
    _code(practice, kind="fixed", percent=None, amount_minor=500, currency="EUR", all_services=True)
    with pytest.raises(promo.PromoError, match="currency"):
        _check(practice, client_user)


def test_a_released_use_counts_again(practice, gut_reset, client_user):
    code = _code(practice, all_packages=True, max_uses=1)
    purchase = purchases.record_purchase(
        purchases.quote(gut_reset, client_user, "WELCOME", utcnow().date()),
        client_user,
        practice.practitioner,
        utcnow(),
    )
    assert promo.release(purchase_id=purchase.id) is True
    db.session.commit()
    db.session.refresh(code)
    assert code.uses == 0
    assert promo.release(purchase_id=purchase.id) is False
