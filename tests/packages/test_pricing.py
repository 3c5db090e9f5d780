"""The arithmetic of packages, without the app: parts add up exactly, discounts never make a price negative,
refunds never exceed what was paid."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.packages import pricing


@given(total=st.integers(1, 10_000_000), parts=st.integers(1, 24))
def test_a_plans_parts_add_up_to_the_price_exactly_and_differ_by_at_most_a_penny(total, parts):
    if total < parts:
        with pytest.raises(ValueError):
            pricing.split(total, parts)
        return
    split = pricing.split(total, parts)
    assert sum(split) == total and len(split) == parts
    assert max(split) - min(split) <= 1 and split == sorted(split, reverse=True)


def test_the_pennies_left_over_go_to_the_first_instalments():
    assert pricing.split(10000, 3) == [3334, 3333, 3333]
    assert pricing.split(3, 3) == [1, 1, 1]
    with pytest.raises(ValueError):
        pricing.split(2, 3)
    with pytest.raises(ValueError):
        pricing.split(100, 0)


@given(price=st.integers(0, 10_000_000), percent=st.integers(0, 100))
def test_a_percentage_off_is_never_more_than_the_price(price, percent):
    off = pricing.discount(price, percent=percent)
    assert 0 <= off <= price
    assert abs(off - price * percent / 100) <= 0.5


def test_percentages_round_half_up_and_fixed_amounts_are_capped_at_the_price():
    assert pricing.percent_off(5, 10) == 1  # 0.5p rounds up
    assert pricing.percent_off(4, 10) == 0  # 0.4p rounds down
    assert pricing.percent_off(8500, 100) == 8500
    assert pricing.discount(8500, amount_minor=10000) == 8500
    assert pricing.discount(8500, amount_minor=1000) == 1000
    with pytest.raises(ValueError):
        pricing.discount(100, percent=10, amount_minor=5)
    with pytest.raises(ValueError):
        pricing.discount(100)
    with pytest.raises(ValueError):
        pricing.percent_off(100, 101)
    with pytest.raises(ValueError):
        pricing.discount(100, amount_minor=-1)


def test_due_dates_keep_the_day_of_the_month_or_the_months_last_day():
    assert pricing.due_dates(date(2026, 1, 31), 3, 1) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert pricing.due_dates(date(2027, 12, 15), 2, 1) == [date(2027, 12, 15), date(2028, 1, 15)]
    assert pricing.due_dates(date(2028, 1, 31), 2, 1)[1] == date(2028, 2, 29)  # a leap year
    assert pricing.due_dates(date(2026, 5, 1), 3, 3) == [date(2026, 5, 1), date(2026, 8, 1), date(2026, 11, 1)]
    assert pricing.due_dates(date(2026, 5, 1), 1, 1) == [date(2026, 5, 1)]


def test_ending_early_gives_back_what_was_paid_less_the_used_sessions_share():
    # Paid in full: the unused sessions' share, rounded down.
    assert pricing.refund_for_unused(60000, 60000, 6, 2) == 40000
    assert pricing.refund_for_unused(10000, 10000, 3, 1) == 6666  # used share 3333.33 rounds up to 3334
    assert pricing.refund_for_unused(10000, 10000, 3, 0) == 10000
    assert pricing.refund_for_unused(10000, 10000, 3, 3) == 0
    # On a plan: only what was paid comes back, never below nothing.
    assert pricing.refund_for_unused(60000, 20000, 6, 1) == 10000
    assert pricing.refund_for_unused(60000, 20000, 6, 4) == 0
    # Never more than is left to refund.
    assert pricing.refund_for_unused(60000, 60000, 6, 0, refunded_minor=50000) == 10000
    with pytest.raises(ValueError):
        pricing.refund_for_unused(100, 100, 0, 0)
    with pytest.raises(ValueError):
        pricing.refund_for_unused(100, 100, 2, 3)


@given(
    price=st.integers(0, 1_000_000),
    sessions=st.integers(1, 30),
    data=st.data(),
)
def test_a_refund_is_never_more_than_was_paid(price, sessions, data):
    paid = data.draw(st.integers(0, price))
    used = data.draw(st.integers(0, sessions))
    refunded = data.draw(st.integers(0, paid))
    amount = pricing.refund_for_unused(price, paid, sessions, used, refunded)
    assert 0 <= amount <= paid - refunded
