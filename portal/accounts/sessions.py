"""Login sessions kept in the database, so that logging out really ends them.

The signed cookie carries a random token; the `user_sessions` row holds only its SHA-256. Each request
looks the row up (one indexed query, joined to the user) and refuses it once it has ended, outlived the
absolute lifetime or, for everyone but clients, gone unused for the idle timeout. Ending the row (logging
out, "log out everywhere", a new password, erasure) ends the session for every copy of the cookie at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import delete, or_, update

from portal.db_types import affected_rows, utcnow
from portal.extensions import db
from portal.models import User, UserSession

# last_seen_at is written at most this often, so an ordinary request is a read, not a write.
TOUCH_EVERY = timedelta(minutes=1)
# Ended and expired rows are kept this long (her export lists them), then `flask jobs run` removes them.
KEEP_ENDED = timedelta(days=30)
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class SessionRules:
    lifetime: timedelta  # from logging in, for everyone
    idle_timeout: timedelta  # since the last request, for everyone but clients

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SessionRules:
        return cls(timedelta(seconds=config["PERMANENT_SESSION_LIFETIME"]), timedelta(minutes=config["IDLE_TIMEOUT"]))

    def idle_since(self, user: User, row: UserSession, now: datetime) -> bool:
        """True when she has been away at least the idle timeout.

        last_seen_at can lag her last request by up to TOUCH_EVERY, so that much is added: the session never
        ends before a full idle timeout without activity, and at most a minute after it.
        """
        return user.has_idle_timeout and now - row.last_seen_at >= self.idle_timeout + TOUCH_EVERY

    def expired(self, row: UserSession, now: datetime) -> bool:
        return now - row.created_at >= self.lifetime


class Loaded(NamedTuple):
    user: User | None
    ended_idle: bool  # this request found the session idle and ended it


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    (r"iPhone|iPad|iPod", "iOS"),
    (r"Android", "Android"),
    (r"CrOS", "ChromeOS"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"Linux", "Linux"),
]


def device_summary(user_agent: str) -> str:
    """ "Firefox on Windows": enough for her to recognise a device on her account page, and no more."""
    user_agent = user_agent[:500]
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "A browser")
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, user_agent)), "")
    return f"{browser} on {system}" if system else browser


def start_session(user: User, *, user_agent: str = "", now: datetime | None = None) -> str:
    """Open a session for her and return its token (for the cookie only: the database keeps its hash).

    The token is also attached to the user object, where login_user() reads it (User.login_session_token).
    """
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user.id,
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
        device=device_summary(user_agent),
    )
    db.session.add(row)
    user.last_login_at = now
    db.session.commit()
    user._login_session_token = token
    user._login_session = row
    return token


def load_session(token: object, rules: SessionRules, now: datetime | None = None) -> Loaded:
    """The user whose open session this token is, or None; ends it (and commits) if it has expired or idled.

    Called at the start of a request, before the view has written anything, so its commit carries only this.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return Loaded(None, False)
    now = now or utcnow()
    found = db.session.execute(
        db.select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hash_token(token), UserSession.ended_at.is_(None))
    ).first()
    if found is None:
        return Loaded(None, False)
    row, user = found
    idle = rules.idle_since(user, row, now)
    if idle or rules.expired(row, now) or not user.is_active:
        row.ended_at = now
        db.session.commit()
        return Loaded(None, idle)
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    user._login_session_token = token
    user._login_session = row
    return Loaded(user, False)


def current_session(user: User) -> UserSession | None:
    """The session this request was made in (as found by load_session or started by start_session)."""
    return getattr(user, "_login_session", None)


def end_session(token: object, now: datetime | None = None) -> None:
    """Log out one session: every copy of its cookie stops working."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == hash_token(token), UserSession.ended_at.is_(None))
        .values(ended_at=now or utcnow())
    )
    db.session.commit()


def end_all_sessions(user: User, now: datetime | None = None) -> int:
    """End every open session of hers, in the caller's transaction; how many were open."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now or utcnow())
    )
    return affected_rows(result)


def log_out_everywhere(user: User, now: datetime | None = None) -> int:
    """ "Log out everywhere": every device she is logged in on, this one included."""
    ended = end_all_sessions(user, now)
    db.session.commit()
    return ended


def open_sessions(user: User, rules: SessionRules, now: datetime | None = None) -> list[UserSession]:
    """Her sessions that would still let someone in, most recently used first."""
    now = now or utcnow()
    rows = db.session.execute(
        db.select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).scalars()
    return [row for row in rows if not rules.expired(row, now) and not rules.idle_since(user, row, now)]


def forget_old_sessions(rules: SessionRules, now: datetime | None = None) -> int:
    """Remove rows that ended, or could only have lasted until, more than KEEP_ENDED ago."""
    cutoff = (now or utcnow()) - KEEP_ENDED
    result = db.session.execute(
        delete(UserSession).where(or_(UserSession.ended_at < cutoff, UserSession.created_at < cutoff - rules.lifetime))
    )
    db.session.commit()
    return affected_rows(result)
