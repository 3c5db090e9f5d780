"""The arithmetic of packages, plans and codes, in integer minor units: nothing here rounds a total away.

- A discount never exceeds the price: a percentage is rounded half up to the minor unit, a fixed amount is
  capped at the price.
- A plan's parts add up to the price exactly: the price is divided evenly and the pennies left over go one
  each to the first parts, so no part differs from another by more than one minor unit.
- A plan's due dates fall on the same day of the month as the purchase, or on the month's last day when the
  month is shorter (bought on 31 January: due 28 or 29 February, then 31 March).
- A purchase ended early gives back what was paid less the used sessions' share of the price, never more
  than is left to refund.
"""

from __future__ import annotations

import calendar
from datetime import date


def percent_off(price_minor: int, percent: int) -> int:
    """`percent`% of the price, rounded half up to the minor unit (10% of £0.05 is 1p)."""
    if price_minor < 0 or not 0 <= percent <= 100:
        raise ValueError("a price is not negative and a percentage is 0 to 100")
    return (price_minor * percent * 2 + 100) // 200


def discount(price_minor: int, *, percent: int | None = None, amount_minor: int | None = None) -> int:
    """What a code takes off a price: never more than the price, so the price paid is never negative."""
    if (percent is None) == (amount_minor is None):
        raise ValueError("a discount is a percentage or an amount, not both")
    if percent is not None:
        return percent_off(price_minor, percent)
    assert amount_minor is not None
    if amount_minor < 0:
        raise ValueError("a discount amount is not negative")
    return min(amount_minor, price_minor)


def split(total_minor: int, parts: int) -> list[int]:
    """`total_minor` in `parts` instalments that add up to it exactly, the larger ones first."""
    if parts < 1 or total_minor < parts:
        raise ValueError("a plan has at least one part, each of at least one minor unit")
    base, left_over = divmod(total_minor, parts)
    return [base + 1 if n < left_over else base for n in range(parts)]


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(first_day: date, parts: int, every_months: int) -> list[date]:
    """When each instalment is due: the first on the day of purchase, then every `every_months` months."""
    return [add_months(first_day, n * every_months) for n in range(parts)]


def refund_for_unused(price_minor: int, paid_minor: int, sessions: int, used: int, refunded_minor: int = 0) -> int:
    """What goes back when a purchase ends early: what was paid less the used sessions' share of the price
    (rounded up, in the practice's favour by under a penny), never below nothing and never more than is left
    of what was paid. Paid in full, that is the unused sessions' share of the price, rounded down."""
    if sessions < 1 or not 0 <= used <= sessions or min(price_minor, paid_minor, refunded_minor) < 0:
        raise ValueError("used sessions are between none and all of them, and amounts are not negative")
    used_value = -(-price_minor * used // sessions)
    return max(0, min(paid_minor - used_value, paid_minor - refunded_minor))
