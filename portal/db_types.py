"""Column types shared by every model, and what is needed to read a statement's result."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import CursorResult, Dialect, Result
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database.

    PostgreSQL stores timestamptz; SQLite has no zones, so the value is stored as naive UTC and
    made aware again on the way out. Naive datetimes are refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("UTCDateTime needs an aware datetime, got a naive one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def one_of(column: str, values: Iterable[str]) -> str:
    """The SQL of a CHECK that `column` holds one of `values` (an enum's members), so the database and the
    enum in the model never disagree: `status in ('draft', 'submitted')`."""
    return f"{column} in ({', '.join(repr(str(value)) for value in values)})"


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (Session.execute() is typed as returning a plain Result,
    which has no rowcount; for these statements it is a CursorResult)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def utcnow() -> datetime:
    return datetime.now(UTC)


def render_alembic_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our own column types into migrations as the plain column types they store."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, TypeDecorator) and hasattr(obj, "render_in_migrations"):
        return obj.render_in_migrations  # e.g. portal.crypto.EncryptedText, stored as sa.Text()
    return False
