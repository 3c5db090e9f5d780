"""The practitioner's payments as CSV for her accountant: every text cell quoted, and nothing a spreadsheet could
run as a formula (OWASP's CSV-injection advice: a leading =, +, -, @, tab or carriage return is made text)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from portal.models import Payment
from portal.money import money_input

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A formula character at the start of the cell, or after a separator a spreadsheet may split the cell on.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;,\t])([=+\-@\r])")
HEADER = [
    "payment id",
    "paid at (UTC)",
    "client",
    "service",
    "session start (UTC)",
    "method",
    "currency",
    "amount",
    "refunded",
    "net",
    "stripe payment intent",
]


def safe_cell(text: str) -> str:
    """'=HYPERLINK(…)' -> "'=HYPERLINK(…)"; 'Ann;=1+1' -> "Ann;'=1+1": shown as typed, never evaluated."""
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'\2", text)
    return "'" + text if text.startswith(FORMULA_START) else text


def payments_csv(received: Iterable[Payment]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)  # every text cell quoted; the id stays a number
    writer.writerow(HEADER)
    for p in received:
        assert p.succeeded_at is not None  # received payments
        writer.writerow(
            [
                p.id,
                p.succeeded_at.strftime("%Y-%m-%d %H:%M"),
                safe_cell(p.client.name),
                safe_cell(p.booking.service.name),
                p.booking.starts_at.strftime("%Y-%m-%d %H:%M"),
                safe_cell(str(p.method)),
                p.currency,
                money_input(p.amount_minor, p.currency),
                money_input(p.refunded_minor, p.currency),
                money_input(p.amount_minor - p.refunded_minor, p.currency),
                safe_cell(p.stripe_payment_intent_id or ""),
            ]
        )
    return out.getvalue()
