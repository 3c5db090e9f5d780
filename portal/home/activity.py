"""The dashboard's "what happened": new bookings, moves, cancellations (with their reasons), payments, refunds and
submitted questionnaire answers of the clients a team member may see, newest first, and when she last marked
them as seen.

A fixed number of queries whatever the practice's size: one per kind of event, each reading at most `limit + 1`
rows by an index on its time, merged here. What she did herself is left out (she knows). The assistant is
shown no answers: their existence is clinical.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, or_

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import (
    ActivitySeen,
    Booking,
    BookingEvent,
    PackageInstalment,
    PackagePurchase,
    PackageVersion,
    Payment,
    PaymentStatus,
    QuestionnaireResponse,
    Refund,
    RefundStatus,
    ResponseStatus,
    Service,
    User,
)

Scope = Callable[[Any], ColumnElement[bool]]  # access.visible_clients
FIRST_LOOK = timedelta(days=14)  # what counts as new for someone who has never marked the feed as seen
BOOKING_ACTIONS = {"created": "booked", "rescheduled": "moved", "cancelled": "cancelled"}


@dataclass(frozen=True)
class Happening:
    at: datetime
    kind: str  # booked, moved, cancelled, paid, refunded, answered
    client_id: int
    client_name: str
    booking_id: int | None = None
    service: str = ""
    starts_at: datetime | None = None  # the session's start (after a move: the new one)
    old_starts_at: datetime | None = None
    amount_minor: int = 0
    currency: str = ""
    detail: str = ""  # a cancellation's reason; the questionnaire's code for an answer
    status: str = ""  # a new booking's status (awaiting payment or confirmed)
    package: str = ""  # a payment or refund of a package: its name (booking_id is then None)


@dataclass
class Feed:
    items: list[Happening] = field(default_factory=list)
    more: bool = False  # older events exist beyond these

    @property
    def oldest(self) -> datetime | None:
        return self.items[-1].at if self.items else None


def last_looked(user: User) -> datetime | None:
    """When she last marked the feed as seen; None if never."""
    found = db.session.get(ActivitySeen, user.id)
    return found.seen_at if found else None


def seen_at(user: User) -> datetime:
    """What is new to her comes after this: when she last looked, or FIRST_LOOK ago if never."""
    return last_looked(user) or utcnow() - FIRST_LOOK


def mark_seen(user: User, until: datetime) -> None:
    """Everything up to `until` (the moment the page she read was made; never later than now) is seen."""
    until = min(until, utcnow())
    row = db.session.get(ActivitySeen, user.id)
    if row is None:
        db.session.add(ActivitySeen(user_id=user.id, seen_at=until))
    elif until > row.seen_at:
        row.seen_at = until
    db.session.commit()


def _window(column: Any, after: datetime | None, before: datetime | None) -> list[ColumnElement[bool]]:
    conditions = []
    if after is not None:
        conditions.append(column > after)
    if before is not None:
        conditions.append(column < before)
    return conditions


def _not_by(column: Any, user: User) -> ColumnElement[bool]:
    return or_(column.is_(None), column != user.id)


def _with_package(query: Select) -> Select:
    """A query of payments with the name of the package each paid for, if one (None for a session)."""
    return (
        query.add_columns(PackageVersion.name)
        .outerjoin(PackageInstalment, PackageInstalment.id == Payment.instalment_id)
        .outerjoin(PackagePurchase, PackagePurchase.id == PackageInstalment.purchase_id)
        .outerjoin(PackageVersion, PackageVersion.id == PackagePurchase.version_id)
    )


def what_happened(
    user: User,
    scope: Scope,
    *,
    limit: int,
    after: datetime | None = None,
    before: datetime | None = None,
    clinical: bool,
) -> Feed:
    """The newest `limit` events between `after` and `before` (either open) for the clients `scope` allows."""
    take = limit + 1
    found: list[Happening] = []
    events = db.session.execute(
        db.select(BookingEvent, Booking.client_id, Booking.starts_at, User.name, Service.name.label("service"))
        .join(Booking, Booking.id == BookingEvent.booking_id)
        .join(User, User.id == Booking.client_id)
        .join(Service, Service.id == Booking.service_id)
        .filter(
            BookingEvent.action.in_(BOOKING_ACTIONS),
            scope(Booking.client_id),
            _not_by(BookingEvent.actor_id, user),
            *_window(BookingEvent.at, after, before),
        )
        .order_by(BookingEvent.at.desc(), BookingEvent.id.desc())
        .limit(take)
    ).all()
    for event, client_id, starts_at, name, service in events:
        found.append(
            Happening(
                at=event.at,
                kind=BOOKING_ACTIONS[event.action],
                client_id=client_id,
                client_name=name,
                booking_id=event.booking_id,
                service=service,
                starts_at=event.new_starts_at or starts_at,
                old_starts_at=event.old_starts_at,
                detail=event.note if event.action == "cancelled" else "",
                status=event.to_status,
            )
        )
    payments = db.session.execute(
        _with_package(
            db.select(
                Payment.succeeded_at, Payment.client_id, Payment.booking_id, Payment.amount_minor, Payment.currency
            )
            .add_columns(User.name)
            .join(User, User.id == Payment.client_id)
        )
        .filter(
            Payment.status == PaymentStatus.SUCCEEDED,
            scope(Payment.client_id),
            _not_by(Payment.recorded_by_id, user),
            *_window(Payment.succeeded_at, after, before),
        )
        .order_by(Payment.succeeded_at.desc(), Payment.id.desc())
        .limit(take)
    ).all()
    for at, client_id, booking_id, amount, currency, name, package in payments:
        found.append(
            Happening(
                at, "paid", client_id, name, booking_id, amount_minor=amount, currency=currency, package=package or ""
            )
        )
    refunds = db.session.execute(
        _with_package(
            db.select(Refund.created_at, Refund.amount_minor, Payment.client_id, Payment.booking_id, Payment.currency)
            .add_columns(User.name)
            .join(Payment, Payment.id == Refund.payment_id)
            .join(User, User.id == Payment.client_id)
        )
        .filter(
            Refund.status != RefundStatus.FAILED,
            scope(Payment.client_id),
            _not_by(Refund.created_by_id, user),
            *_window(Refund.created_at, after, before),
        )
        .order_by(Refund.created_at.desc(), Refund.id.desc())
        .limit(take)
    ).all()
    for at, amount, client_id, booking_id, currency, name, package in refunds:
        found.append(
            Happening(
                at,
                "refunded",
                client_id,
                name,
                booking_id,
                amount_minor=amount,
                currency=currency,
                package=package or "",
            )
        )
    if clinical:
        answers = db.session.execute(
            db.select(QuestionnaireResponse.submitted_at, QuestionnaireResponse.client_id, QuestionnaireResponse.code)
            .add_columns(User.name)
            .join(User, User.id == QuestionnaireResponse.client_id)
            .filter(
                QuestionnaireResponse.status == ResponseStatus.SUBMITTED,
                scope(QuestionnaireResponse.client_id),
                *_window(QuestionnaireResponse.submitted_at, after, before),
            )
            .order_by(QuestionnaireResponse.submitted_at.desc(), QuestionnaireResponse.id.desc())
            .limit(take)
        ).all()
        for at, client_id, code, name in answers:
            found.append(Happening(at, "answered", client_id, name, detail=code))
    found.sort(key=lambda happening: happening.at, reverse=True)
    return Feed(found[:limit], more=len(found) > limit)
