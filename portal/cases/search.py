"""Finding a client by name or e-mail: every word typed must appear in one or the other, in any case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.extensions import db
from portal.models import Booking, BookingStatus, Role, User

MAX_QUERY = 100
MAX_WORDS = 6
PAGE_SIZE = 50


@dataclass(frozen=True)
class ClientRow:
    client: User
    next_session: datetime | None
    last_session: datetime | None


@dataclass(frozen=True)
class Found:
    rows: list[ClientRow]
    total: int
    page: int
    pages: int


def like_pattern(word: str) -> str:
    """A LIKE pattern that matches the word literally (%, _ and \\ typed by her are not wildcards)."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def words_of(query: str) -> list[str]:
    return query.strip()[:MAX_QUERY].lower().split()[:MAX_WORDS]


def search_clients(query: str, now: datetime, page: int = 1, scope=None) -> Found:
    """Clients matching every word of `query` (all clients if it is empty), by name, with their next and
    last session: two queries whatever the number of clients, reading only the shown page's sessions.
    `scope(User.id)`, when given, is the SQL condition of the clients she may see
    (portal.access.visible_clients)."""
    condition = User.role == Role.CLIENT
    if scope is not None:
        condition &= scope(User.id)
    for word in words_of(query):
        pattern = like_pattern(word)
        condition &= User.name.ilike(pattern, escape="\\") | User.email.ilike(pattern, escape="\\")
    total = db.session.execute(db.select(db.func.count()).select_from(User).filter(condition)).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    held = [BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT, BookingStatus.COMPLETED]
    shown = (  # the page of clients first, so the sessions are looked up for those only (by index)
        db.select(User.id)
        .filter(condition)
        .order_by(db.func.lower(User.name), User.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        .subquery()
    )
    next_at = (
        db.select(db.func.min(Booking.starts_at))
        .filter(Booking.client_id == User.id, Booking.upcoming(now))
        .scalar_subquery()
    )
    last_at = (
        db.select(db.func.max(Booking.starts_at))
        .filter(Booking.client_id == User.id, Booking.starts_at < now, Booking.status.in_(held))
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(User, next_at, last_at).join(shown, shown.c.id == User.id).order_by(db.func.lower(User.name), User.id)
    ).all()
    return Found([ClientRow(user, next_at, last_at) for user, next_at, last_at in rows], total, page, pages)
