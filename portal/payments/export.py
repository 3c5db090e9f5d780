"""The practitioner's payments as CSV for her accountant: every text cell quoted, and nothing a spreadsheet could
run as a formula (OWASP's CSV-injection advice: a leading =, +, -, @, tab or carriage return is made text)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from portal.payments.ledger import PaymentLine
from portal.payments.receipts import PaidFor
from portal.money import money_input

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A formula character at the start of the cell, or after a separator a spreadsheet may split the cell on.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;,\t])([=+\-@\r])")
HEADER = [
    "payment id",
    "paid at (UTC)",
    "client",
    "kind",
    "for",
    "instalment",
    "session start (UTC)",
    "method",
    "currency",
    "amount",
    "refunded",
    "net",
    "promo code",
    "discount",
    "stripe payment intent",
]


def safe_cell(text: str) -> str:
    """'=HYPERLINK(…)' -> "'=HYPERLINK(…)"; 'Ann;=1+1' -> "Ann;'=1+1": shown as typed, never evaluated."""
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'\2", text)
    return "'" + text if text.startswith(FORMULA_START) else text


def _kind(paid_for: PaidFor) -> str:
    if not paid_for.is_package:
        return "session"
    return "package instalment" if paid_for.plan else "package"


def payments_csv(received: Iterable[PaymentLine]) -> str:
    """One row per payment: a session's service and start, or a package's name and which payment of its plan."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)  # every text cell quoted; the id stays a number
    writer.writerow(HEADER)
    for line in received:
        p, paid_for = line.payment, line.paid_for
        assert p.succeeded_at is not None  # received payments
        writer.writerow(
            [
                p.id,
                p.succeeded_at.strftime("%Y-%m-%d %H:%M"),
                safe_cell(p.client.name),
                safe_cell(_kind(paid_for)),
                safe_cell(paid_for.name),
                safe_cell(paid_for.plan),
                paid_for.starts_at.strftime("%Y-%m-%d %H:%M") if paid_for.starts_at else "",
                safe_cell(str(p.method)),
                p.currency,
                money_input(p.amount_minor, p.currency),
                money_input(p.refunded_minor, p.currency),
                money_input(p.amount_minor - p.refunded_minor, p.currency),
                safe_cell(line.promo_code),
                money_input(line.discount_minor, p.currency) if line.promo_code else "",
                safe_cell(p.stripe_payment_intent_id or ""),
            ]
        )
    return out.getvalue()
