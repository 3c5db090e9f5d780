"""Fifty people, each in her own process with her own connection, book the same slot at the same moment:
exactly one wins, everyone else is told the time was just taken and offered the next free times."""

from __future__ import annotations

import multiprocessing
import os

from portal import create_app
from portal.booking import lifecycle
from portal.booking.bookings import BookingError
from portal.extensions import db
from portal.models import Booking, BookingEvent, Service, User
from tests.conftest import base_environ

ATTEMPTS = 50


def _attempt(environ, client_id, service_id, start, barrier, results) -> None:
    """One person's booking, in a child process; reports what happened and leaves without cleanup."""
    try:
        app = create_app(environ)
        with app.app_context():
            client, service = db.session.get(User, client_id), db.session.get(Service, service_id)
            barrier.wait(timeout=60)
            try:
                lifecycle.book(client, service, start, needs_payment=False)
                results.put(("won", "", 0))
            except BookingError as error:
                results.put(("refused", str(error), len(error.next_free)))
    except Exception as error:  # noqa: BLE001 - the parent reports it
        results.put(("crashed", repr(error), 0))
    finally:
        results.close()
        results.join_thread()
        os._exit(0)


def test_fifty_simultaneous_bookings_of_one_slot_have_one_winner(practice, make_user, migrated_database, tmp_path):
    people = [make_user().id for _ in range(ATTEMPTS)]
    start, service_id = practice.free(practice.follow_up)[0], practice.follow_up.id
    environ = base_environ(migrated_database, tmp_path / "racers")
    db.session.remove()
    db.engine.dispose()  # children must not share the parent's connections

    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(ATTEMPTS), context.Queue()
    processes = [
        context.Process(target=_attempt, args=(environ, person, service_id, start, barrier, results))
        for person in people
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(10)

    assert [o for o in outcomes if o[0] == "crashed"][:1] == []
    assert sum(1 for o in outcomes if o[0] == "won") == 1
    refused = [o for o in outcomes if o[0] == "refused"]
    assert len(refused) == ATTEMPTS - 1
    assert {message for _, message, _ in refused} == {"This time was just taken."}
    assert all(offered > 0 for _, _, offered in refused)
    rows = db.session.execute(db.select(Booking)).scalars().all()
    assert len(rows) == 1 and rows[0].starts_at == start and rows[0].status == "confirmed"
    assert db.session.scalar(db.select(db.func.count()).select_from(BookingEvent)) == 1
