"""Statuses are enums, and the database CHECKs are generated from them (db_types.one_of)."""

from __future__ import annotations

import pytest
from sqlalchemy import CheckConstraint
from sqlalchemy.exc import IntegrityError

from portal.db_types import one_of
from portal.extensions import db
from portal.models import (
    Booking,
    BookingStatus,
    Note,
    NoteStatus,
    Payment,
    PaymentStatus,
    QuestionnaireResponse,
    Refund,
    RefundStatus,
    ResponseStatus,
    Role,
    User,
)


def test_one_of_lists_every_member_in_order():
    assert one_of("status", ResponseStatus) == "status in ('draft', 'submitted')"


@pytest.mark.parametrize(
    ("model", "enum"),
    [
        (Booking, BookingStatus),
        (Payment, PaymentStatus),
        (Refund, RefundStatus),
        (Note, NoteStatus),
        (QuestionnaireResponse, ResponseStatus),
        (User, Role),
    ],
)
def test_each_status_check_names_exactly_its_enum(model, enum):
    column = "role" if enum is Role else "status"
    checks = [c for c in model.__table__.constraints if isinstance(c, CheckConstraint) and c.name.endswith("_valid")]
    texts = {str(c.sqltext) for c in checks}
    assert one_of(column, enum) in texts


def test_the_database_refuses_a_status_its_enum_does_not_have(app, make_user):
    clara = make_user(Role.CLIENT, email="clara@example.com")
    db.session.add(QuestionnaireResponse(client_id=clara.id, code="hit6", version="1", status="archived"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
