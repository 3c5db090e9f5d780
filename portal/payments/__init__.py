"""Payments: card payments through Stripe (card.py), refunds and the cancellation policy (refunds.py), the
books (ledger.py) and the CSV export (export.py)."""
