"""The dashboard's one form: marking "what happened" as seen."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, Length

from portal.forms import HiddenField


class SeenForm(FlaskForm):
    # The moment the page was made: what arrived after it stays new.
    until = HiddenField(validators=[InputRequired("The page was out of date: please try again."), Length(max=40)])
