"""Shared set-up for the benchmarks: a fresh database and a practice with a busy diary."""

from __future__ import annotations

import os
import tempfile
from datetime import time, timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from portal import create_app
from portal.booking import bookings
from portal.booking.slots import blocked_interval
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, Role, Service, User
from portal.practice import settings

PASSWORD = "bench-password-long-enough"
TIMEZONE = "Europe/London"


def environ(database_url: str | None = None) -> dict[str, str]:
    """Settings for a benchmark app: SQLite in a temporary folder unless a DATABASE_URL is given."""
    instance = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    url = database_url or os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'bench.db'}"
    return {
        "PORTAL_ENV": "testing",
        "SECRET_KEY": "bench-" + "x" * 40,
        "DATABASE_URL": url,
        "PORTAL_INSTANCE_PATH": str(instance),
        "PRACTICE_TIMEZONE": TIMEZONE,
        "LOGIN_RATE_LIMIT": "100000 per minute",
    }


def fresh_app(env: dict[str, str]) -> Flask:
    """An app on an empty database built by the migrations (a PostgreSQL database is wiped first)."""
    url = env["DATABASE_URL"]
    if url.startswith("postgresql"):
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(env)
    with app.app_context():
        upgrade()
    return app


def seed_practice(clients: int = 1) -> tuple[User, Service, list[User]]:
    """The practitioner with hours Monday to Saturday 08:00-20:00, a 45-minute service and some clients.
    Call inside an app context."""
    from portal.accounts import users

    maya = users.create_user(
        role=Role.PRACTITIONER, name="Maya", email="maya@example.com", password=PASSWORD, timezone=TIMEZONE
    )
    service = settings.save_service(
        None, maya, name="Follow-up", description="", duration_minutes=45, price_minor=8500, currency="GBP", active=True
    )
    for weekday in range(6):
        settings.add_working_range(maya, weekday, time(8), time(20))
    rules = bookings.rules_for(maya.id)
    rules.min_notice_minutes = 0
    db.session.commit()
    people = [
        users.create_user(
            role=Role.CLIENT, name=f"Client {i}", email=f"client{i}@example.com", password=PASSWORD, timezone=TIMEZONE
        )
        for i in range(clients)
    ]
    return maya, service, people


def fill_diary(maya: User, service: Service, client: User, count: int, future_share: float = 0.25) -> None:
    """`count` bookings: most in the past two years, a share spread through the next 60 days, some cancelled."""
    availability = bookings.load_availability(maya.id, utcnow())
    duration = timedelta(minutes=service.duration_minutes)
    rows, future = [], int(count * future_share)
    free = availability.free(duration, utcnow())
    for start in free[:: max(1, len(free) // future)][:future]:
        rows.append(_row(maya, service, client, start, availability.rules, "confirmed"))
    start = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(days=730)
    while len(rows) < count:
        status = "cancelled" if len(rows) % 10 == 0 else "completed"
        rows.append(_row(maya, service, client, start, availability.rules, status))
        start += timedelta(hours=5)
    db.session.add_all(rows)
    db.session.commit()


def _row(maya, service, client, start, rules, status) -> Booking:
    blocked_from, blocked_until = blocked_interval(start, timedelta(minutes=service.duration_minutes), rules)
    return Booking(
        practitioner_id=maya.id,
        client_id=client.id,
        service_id=service.id,
        status=status,
        starts_at=start,
        ends_at=start + timedelta(minutes=service.duration_minutes),
        blocked_from=blocked_from,
        blocked_until=blocked_until,
        price_minor=service.price_minor,
        currency="GBP",
    )
