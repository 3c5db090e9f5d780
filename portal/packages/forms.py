"""Forms for packages, promo codes and recording a purchase."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.forms import (
    PAID_BY_HAND,
    DateField,
    IntegerField,
    StringField,
    TextAreaField,
    no_replacement_characters,
    select_choices,
    strip_whitespace,
)
from portal.models.packages import CODE_MAX, DESCRIPTION_MAX, NAME_MAX


def _count(label: str, low: int, high: int, *, required: bool = True, hint: str = "") -> IntegerField:
    first = InputRequired("Enter a number.") if required else Optional()
    return IntegerField(
        label,
        description=hint,
        validators=[first, NumberRange(low, high, message=f"Enter a number from {low} to {high}.")],
        render_kw={"min": low, "max": high, "inputmode": "numeric"},
    )


class PackageForm(FlaskForm):
    """Sessions per service are fields named `sessions-<service id>`, read by the view."""

    name = StringField(
        "Name",
        filters=[strip_whitespace],
        validators=[
            InputRequired("Give the package a name."),
            Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": NAME_MAX},
    )
    description = TextAreaField(
        "Description",
        filters=[strip_whitespace],
        description="What the client gets; shown where she buys it.",
        validators=[
            Optional(),
            Length(max=DESCRIPTION_MAX, message="Use at most 2,000 characters."),
            no_replacement_characters,
        ],
        render_kw={"maxlength": DESCRIPTION_MAX, "rows": 3},
    )
    price = StringField(
        "Price",
        filters=[strip_whitespace],
        validators=[InputRequired("Enter the package's price."), Length(max=20)],
        render_kw={"inputmode": "decimal", "maxlength": 20},
    )
    valid_days = _count("Valid for (days after purchase)", 1, 1095)
    instalments = _count(
        "Paid in", 1, 24, hint="1: paid in full at purchase; 3: three payments, the first at purchase."
    )
    instalment_every_months = _count("Months between payments", 1, 12)
    online = BooleanField("Clients can buy it on the booking page", default=True)


class PromoCodeForm(FlaskForm):
    code = StringField(
        "Code",
        filters=[strip_whitespace],
        description="What clients type, e.g. SPRING10. Letters, digits, hyphens; any case.",
        validators=[InputRequired("Choose the code clients will type."), Length(max=CODE_MAX)],
        render_kw={"maxlength": CODE_MAX, "autocapitalize": "characters"},
    )
    kind = RadioField(
        "Takes off",
        choices=select_choices([("percent", "A percentage"), ("fixed", "A fixed amount")]),
        default="percent",
    )
    percent = _count("Percentage", 1, 100, required=False)
    amount = StringField(
        "Amount",
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "decimal", "maxlength": 20},
    )
    valid_from = DateField("From (first day)", validators=[Optional()])
    valid_until = DateField("Until (last day)", validators=[Optional()])
    max_uses = _count("Total uses", 1, 100000, required=False, hint="Leave empty for no limit.")
    per_client_limit = _count("Uses per client", 1, 100, required=False, hint="Leave empty for no limit.")
    first_booking_only = BooleanField("Only for a client's first session")
    all_services = BooleanField("Every session")
    all_packages = BooleanField("Every package")


class RecordPurchaseForm(FlaskForm):
    version_id = SelectField("Package", coerce=int, validators=[InputRequired("Choose a package.")])
    code = StringField(
        "Promo code (optional)",
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=CODE_MAX)],
        render_kw={"maxlength": CODE_MAX},
    )
    method = SelectField("Paid by", choices=select_choices(PAID_BY_HAND), validators=[InputRequired()])
    block_when_overdue = BooleanField("Stop her booking while a payment of the plan is overdue")


class InstalmentPaidForm(FlaskForm):
    method = SelectField("Paid by", choices=select_choices(PAID_BY_HAND), validators=[InputRequired()])


class BlockingForm(FlaskForm):
    block = BooleanField("Stop her booking while a payment of this plan is overdue")


class BuyForm(FlaskForm):
    """Buying a package online: only the code is hers to type; the price is worked out on the server."""

    code = StringField(
        "Promo code (optional)",
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=CODE_MAX)],
        render_kw={"maxlength": CODE_MAX, "autocapitalize": "characters", "autocomplete": "off"},
    )


class EndPurchaseForm(FlaskForm):
    how = RadioField(
        "Refund",
        choices=select_choices(
            [("part", "The unused sessions, at their share of the price"), ("full", "Everything she paid")]
        ),
        default="part",
    )
