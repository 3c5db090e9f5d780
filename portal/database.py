"""The database connection under failure: bounded waits, what counts as an outage, and whether this request
has already committed a change.

- Every wait on PostgreSQL is bounded: connecting (DATABASE_CONNECT_TIMEOUT), a statement or a lock on the
  server (DATABASE_STATEMENT_TIMEOUT, DATABASE_LOCK_TIMEOUT, sent as `options`) and, for a server that stops
  answering altogether (a hung host or proxy, where the server-side timeouts never fire), every answer on an
  open connection (`BoundedConnection`, a little longer than the statement timeout).
- `committed_change()` says whether this request committed writes after its session was checked, so the
  outage handler (portal/outage.py) never answers a saved change as a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import psycopg
from flask import Flask, g, has_request_context
from sqlalchemy import Connection, Engine, event, exc
from sqlalchemy.orm import ORMExecuteState, Session

# The connect_args key that carries the answer timeout from portal/config.py to `_connect` below (psycopg
# itself would refuse it). This module imports nothing of the portal, so config.py may import it.
ANSWER_TIMEOUT_ARG = "portal_answer_timeout"


# Errors that mean the database is unreachable, hung or too slow, not that the request was wrong.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    exc.OperationalError,  # refused, closed, timed out, statement or lock timeout, "database is locked"
    exc.InterfaceError,
    exc.TimeoutError,  # no connection free in the pool within DATABASE_POOL_TIMEOUT
    exc.DisconnectionError,
)

_shorter_waits: ContextVar[float | None] = ContextVar("shorter_waits", default=None)
_WROTE = "portal_wrote"
_WATCHING = "_portal_watch_commits"
_COMMITTED = "_portal_committed"


def is_outage(error: BaseException) -> bool:
    """True when `error` (or what caused it) says the database is gone, hung or too slow."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OUTAGE_ERRORS) or getattr(current, "connection_invalidated", False):
            return True
        current = current.__cause__ or current.__context__
    return False


class BoundedConnection(psycopg.Connection):
    """A psycopg connection that gives up waiting for an answer after `answer_timeout` seconds.

    The server's statement_timeout ends a slow statement; it can't end a wait on a server that has stopped
    answering. The connection is closed (it is mid-conversation and unusable), so SQLAlchemy drops it from
    the pool and the next checkout connects afresh.
    """

    answer_timeout: float | None = None

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        limit = _limit(self.answer_timeout)
        if timeout is None or (limit is not None and limit < timeout):
            timeout = limit
        try:
            return super().wait(gen, interval, timeout)
        except psycopg.errors._WaitTimeout:
            self.close()
            raise psycopg.OperationalError(f"the database did not answer within {timeout:g} seconds") from None


def _limit(configured: float | None) -> float | None:
    shorter = _shorter_waits.get()
    if shorter is None:
        return configured
    return shorter if configured is None else min(shorter, configured)


@contextmanager
def shorter_waits(seconds: float) -> Iterator[None]:
    """Within this block, connecting and every answer wait at most `seconds` (the health check)."""
    token = _shorter_waits.set(seconds)
    try:
        yield
    finally:
        _shorter_waits.reset(token)


@event.listens_for(Engine, "do_connect")
def _connect(dialect, connection_record, cargs: tuple, cparams: dict) -> Any:
    """PostgreSQL connections with bounded answers; SQLite (and engines built without the setting) as usual."""
    answer_timeout = cparams.pop(ANSWER_TIMEOUT_ARG, None)
    if answer_timeout is None or dialect.name != "postgresql":
        return None
    shorter = _shorter_waits.get()
    if shorter is not None:
        cparams["connect_timeout"] = max(2, min(int(shorter), int(cparams.get("connect_timeout", shorter))))
    connection = BoundedConnection.connect(*cargs, **cparams)
    connection.answer_timeout = answer_timeout
    return connection


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite leaves foreign keys off unless asked (its busy timeout is the `timeout` connect argument)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for Alembic without the request timeouts: a migration may rewrite a large table or wait
    for the lock on a busy one. The connection is discarded afterwards rather than returned to the pool."""
    with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.exec_driver_sql("SET statement_timeout = 0")
            connection.exec_driver_sql("SET lock_timeout = 0")
            connection.commit()
            dbapi_connection = connection.connection.dbapi_connection
            if isinstance(dbapi_connection, BoundedConnection):
                dbapi_connection.answer_timeout = None
        try:
            yield connection
        finally:
            if postgres:
                connection.invalidate()


# Did this request commit a change? ------------------------------------------------------------------------


def watch_commits(app: Flask) -> None:
    """Count commits from here on: registered after every other before_request hook of the app, so the
    session check's own touch (portal/accounts/sessions.py) is not taken for the change the request makes."""

    @app.before_request
    def _watch() -> None:
        g.setdefault(_WATCHING, True)


def committed_change() -> bool:
    """True when this request has committed writes since its view began."""
    return has_request_context() and bool(g.get(_COMMITTED))


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _bulk_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_WROTE, False) and has_request_context() and g.get(_WATCHING):
        g.setdefault(_COMMITTED, True)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_WROTE, None)
