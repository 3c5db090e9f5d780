"""Her protocol library and the protocol she composes for a session.

Library items are edited in place and archived, never deleted. A protocol line is a copy of an item at
the moment she added it, adjusted for this client, so later library edits never change a handout.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from sqlalchemy.orm import selectinload

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, BookingStatus, ItemCategory, Protocol, ProtocolItem, ProtocolLine, User

MAX_LINES = 40


class ProtocolError(ValueError):
    """Something about a protocol that can't be done; str() says why."""


@dataclass(frozen=True)
class ItemText:
    """What an item says: the same fields in the library and on a protocol line."""

    category: str
    title: str
    dose: str = ""
    timing: str = ""
    duration: str = ""
    instructions: str = ""
    rationale: str = ""

    def __post_init__(self) -> None:
        if self.category not in set(ItemCategory):
            raise ProtocolError("Choose a category.")
        if not self.title.strip():
            raise ProtocolError("Give the item a title.")

    @classmethod
    def of(cls, row: ProtocolItem | ProtocolLine) -> ItemText:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# The library -------------------------------------------------------------------------------------------------


def library(practitioner_id: int, *, archived: bool = False) -> list[ProtocolItem]:
    """Her items (current ones, or the archived ones), by category and title."""
    archived_filter = ProtocolItem.archived_at.is_not(None) if archived else ProtocolItem.archived_at.is_(None)
    return list(
        db.session.execute(
            db.select(ProtocolItem)
            .filter(ProtocolItem.practitioner_id == practitioner_id, archived_filter)
            .order_by(ProtocolItem.category, ProtocolItem.title)
        ).scalars()
    )


def save_item(
    item: ProtocolItem | None, practitioner: User, text: ItemText, *, is_example: bool = False
) -> ProtocolItem:
    if item is None:
        item = ProtocolItem(practitioner_id=practitioner.id, is_example=is_example)
        db.session.add(item)
    for name, value in text.as_dict().items():
        setattr(item, name, value)
    db.session.commit()
    return item


def archive_item(item: ProtocolItem) -> None:
    item.archived_at = item.archived_at or utcnow()
    db.session.commit()


def restore_item(item: ProtocolItem) -> None:
    item.archived_at = None
    db.session.commit()


# A session's protocol ----------------------------------------------------------------------------------------


def protocol_for(booking: Booking) -> Protocol:
    """The session's protocol with its lines, started empty the first time she opens it."""
    query = db.select(Protocol).filter_by(booking_id=booking.id).options(selectinload(Protocol.lines))
    protocol = db.session.execute(query).scalar_one_or_none()
    if protocol is None:
        db.session.add(
            Protocol(booking_id=booking.id, client_id=booking.client_id, practitioner_id=booking.practitioner_id)
        )
        db.session.commit()
        protocol = db.session.execute(query).scalar_one()
    return protocol


def save_protocol(
    protocol: Protocol,
    *,
    summary: str,
    focus_points: str,
    next_steps: str,
    lines: Sequence[ItemText],
    remove: Iterable[int] = (),
    move: tuple[int, int] | None = None,
    add_items: Sequence[ProtocolItem] = (),
    add_one_off: ItemText | None = None,
) -> None:
    """Save everything on the compose page at once (nothing typed is lost whichever button was pressed).

    `lines` are the edited texts of the current lines in their order; `remove` lists indexes to drop;
    `move` is (index, -1 or +1); library items and a one-off item are added at the end.
    """
    if len(lines) != len(protocol.lines):
        raise ProtocolError("The protocol changed while you were editing. Please check it and save again.")
    removed = set(remove)
    kept = [line for index, line in enumerate(protocol.lines) if index not in removed]
    new_lines = [ProtocolLine(library_item_id=item.id, **ItemText.of(item).as_dict()) for item in add_items]
    if add_one_off is not None:
        new_lines.append(ProtocolLine(**add_one_off.as_dict()))
    if len(kept) + len(new_lines) > MAX_LINES:
        raise ProtocolError(f"A protocol holds at most {MAX_LINES} items; a shorter one is easier to follow.")
    protocol.summary, protocol.focus_points, protocol.next_steps = summary, focus_points, next_steps
    for line, text in zip(protocol.lines, lines, strict=True):
        for name, value in text.as_dict().items():
            setattr(line, name, value)
    if move is not None and 0 <= move[0] < len(protocol.lines) and protocol.lines[move[0]] in kept:
        here = kept.index(protocol.lines[move[0]])
        kept.insert(min(max(here + move[1], 0), len(kept) - 1), kept.pop(here))
    protocol.lines = kept + new_lines  # lines left out are deleted (delete-orphan)
    for position, line in enumerate(protocol.lines):
        line.position = position
    db.session.commit()


def next_booking(booking: Booking) -> Booking | None:
    """The client's next session after this one that is still on (for 'your next appointment')."""
    return db.session.execute(
        db.select(Booking)
        .filter(
            Booking.client_id == booking.client_id,
            Booking.starts_at > booking.starts_at,
            Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT)),
        )
        .options(selectinload(Booking.service))
        .order_by(Booking.starts_at)
        .limit(1)
    ).scalar_one_or_none()
