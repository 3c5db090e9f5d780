"""How fast the slot page is with a busy diary, and how many SQL queries it makes.

    .venv/bin/python -m bench.slots                   # SQLite in a temporary folder
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.slots   # wipes that database

Prints the time to compute 60 days of free slots (target: under 20 ms) with 2,000 existing bookings, the
time to load the diary from the database, and the queries per slot page with 0 and with 2,000 bookings
(target: the same number).
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from bench._setup import PASSWORD, environ, fill_diary, fresh_app, seed_practice
from portal.booking import bookings
from portal.db_types import utcnow
from portal.extensions import db
from tests.factories import count_queries

BOOKINGS = 2000
RUNS = 50


def timed(function, runs: int = RUNS) -> tuple[float, object]:
    """Median milliseconds of `runs` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def queries_for(app, url: str, email: str) -> int:
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post("/account/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    with app.app_context(), count_queries() as queries:
        assert client.get(url).status_code == 200
    return queries.count


def main() -> None:
    app = fresh_app(environ())
    with app.app_context():
        maya, service, (client,) = seed_practice(clients=1)
        url, email = f"/book/{service.id}/", client.email
        maya_id, service_id, client_id, minutes = maya.id, service.id, client.id, service.duration_minutes
    empty_queries = queries_for(app, url, email)
    with app.app_context():
        maya, service, client = (
            db.session.get(type(maya), maya_id),
            db.session.get(type(service), service_id),
            db.session.get(type(client), client_id),
        )
        fill_diary(maya, service, client, BOOKINGS)
        now = utcnow()
        load_ms, availability = timed(lambda: bookings.load_availability(maya_id, now), runs=20)
        compute_ms, free = timed(lambda: availability.free(timedelta(minutes=minutes), now))
        total = db.session.scalar(db.select(db.func.count()).select_from(type(maya).metadata.tables["bookings"]))
    busy_queries = queries_for(app, url, email)
    client = app.test_client()
    page_ms, _ = timed(lambda: client.get(url), runs=20)

    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]}")
    print(f"bookings in the diary: {total} ({len(availability.busy)} blocking the next 60 days)")
    print(f"free slots over {availability.rules.horizon_days} days: {len(free)}")
    print(f"compute 60 days of slots: {compute_ms:.2f} ms median of {RUNS} (target < 20 ms)")
    print(f"load the diary from the database: {load_ms:.2f} ms median")
    print(f"whole slot page (visitor, test client): {page_ms:.1f} ms median")
    print(f"SQL queries per slot page: {empty_queries} with 0 bookings, {busy_queries} with {total}")


if __name__ == "__main__":
    main()
