"""Forms for paying, refunding and recording payments."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.validators import InputRequired, Length, Optional

from portal.forms import PAID_BY_HAND, StringField, no_replacement_characters, select_choices, strip_whitespace

TEST_CARDS = [
    ("pm_card_visa", "Visa 4242 4242 4242 4242 — payment succeeds"),
    ("pm_card_chargeCustomerFail", "Visa 4000 0000 0000 0341 — the bank declines"),
]


class TestCardForm(FlaskForm):
    card = RadioField(
        "Test card",
        choices=select_choices(TEST_CARDS),
        default="pm_card_visa",
        validators=[InputRequired("Choose a test card.")],
    )


def _amount(label: str, hint: str = "") -> StringField:
    return StringField(
        label,
        description=hint,
        filters=[strip_whitespace],
        validators=[InputRequired("Enter an amount."), Length(max=20)],
        render_kw={"inputmode": "decimal", "maxlength": 20},
    )


def _note(label: str, required: bool = False) -> StringField:
    first = InputRequired("Give a reason; the client sees it on her receipt.") if required else Optional()
    return StringField(
        label,
        filters=[strip_whitespace],
        render_kw={"maxlength": 300},
        validators=[first, Length(max=300, message="Use at most 300 characters."), no_replacement_characters],
    )


class RefundForm(FlaskForm):
    amount = _amount("Amount to refund")
    reason = _note("Reason", required=True)


class ManualPaymentForm(FlaskForm):
    amount = _amount("Amount received")
    method = SelectField(
        "Paid by",
        choices=select_choices(PAID_BY_HAND),
        validators=[InputRequired()],
    )
    note = _note("Note (optional)")
