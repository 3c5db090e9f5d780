"""How fast a client's case file opens in a practice of 2,000 clients, and how fast a client is found.

    .venv/bin/python -m bench.casefile                # SQLite in a temporary folder
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.casefile   # wipes it

The opened client has 40 notes (half signed, each of those amended), 100 questionnaire responses, a year of
diary days and 40 sessions (half paid). Prints the median case-file page time (target: under 50 ms), the
SQL queries per page for a client with almost nothing and for her (target: the same number), and the
median time of a client search by part of a name and by part of an e-mail address.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta

from bench._setup import PASSWORD, TIMEZONE, environ, fresh_app, seed_practice
from bench.progress import log_in, page_queries
from portal.accounts.passwords import hash_password
from portal.booking import bookings
from portal.booking.slots import blocked_interval
from portal.cases import notes, search, templates
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, DiaryEntry, Payment, QuestionnaireResponse, Role, User
from portal.questionnaires import diary_entries

CLIENTS = 2000
NOTES = 40
RESPONSES = 100
SESSIONS = 40  # one per note
DIARY_DAYS = 365
RUNS = 30
FIRST_NAMES = ["Sophie", "Amelia", "Priya", "Grace", "Hannah", "Chloe", "Emma", "Lucy", "Zara", "Isla", "Mia", "Ruth"]
LAST_NAMES = ["Turner", "Hart", "Raman", "Okafor", "Byrne", "Novak", "Singh", "Evans", "Moreau", "Kowalski"]


def median_ms(function, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def add_clients(count: int) -> None:
    """Many clients at once, sharing one password hash (scrypt per client would take minutes)."""
    password_hash = hash_password(PASSWORD)
    db.session.add_all(
        User(
            role=Role.CLIENT,
            name=f"{FIRST_NAMES[n % 12]} {LAST_NAMES[n % 10]} {n}",
            email=f"person{n}@mail{n % 7}.example",
            password_hash=password_hash,
            timezone=TIMEZONE,
        )
        for n in range(count)
    )
    db.session.commit()


def fill_case(maya: User, service, client: User) -> None:
    rng, now, today = random.Random(6), utcnow(), utcnow().date()
    rules = bookings.slot_rules(bookings.rules_for(maya.id))
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(days=2 * SESSIONS)
    sessions = []
    for n in range(SESSIONS):
        when = start + timedelta(days=2 * n, hours=3)
        blocked_from, blocked_until = blocked_interval(when, timedelta(minutes=45), rules)
        sessions.append(
            Booking(
                practitioner_id=maya.id,
                client_id=client.id,
                service_id=service.id,
                status="completed" if when < now else "confirmed",
                starts_at=when,
                ends_at=when + timedelta(minutes=45),
                blocked_from=blocked_from,
                blocked_until=blocked_until,
                price_minor=8500,
                currency="GBP",
            )
        )
    db.session.add_all(sessions)
    db.session.flush()
    db.session.add_all(
        Payment(
            booking_id=b.id,
            client_id=client.id,
            method="card",
            status="succeeded",
            amount_minor=8500,
            currency="GBP",
            succeeded_at=b.starts_at,
        )
        for b in sessions[::2]
    )
    db.session.add_all(
        DiaryEntry(
            client_id=client.id,
            day=today - timedelta(days=n),
            headache=rng.choice(["none"] * 4 + ["headache", "migraine"]),
            intensity=rng.randrange(11),
            headache_minutes=rng.randrange(0, 600),
            took_triptan=rng.random() < 0.1,
            stool_types=[rng.randrange(1, 8)],
            bloating=rng.randrange(11),
            abdominal_pain=rng.randrange(11),
            note="Coffee, short night",
        )
        for n in range(DIARY_DAYS)
    )
    for n in range(RESPONSES):
        code = ("phq9", "gad7", "hit6", "ibs_sss")[n % 4]
        db.session.add(
            QuestionnaireResponse(
                client_id=client.id,
                code=code,
                version="1",
                status="submitted",
                answers={},
                total={"phq9": 9, "gad7": 7, "hit6": 58, "ibs_sss": 210}[code],
                band="",
                submitted_at=now - timedelta(days=7 * n),
            )
        )
    db.session.commit()
    templates.ensure_shipped(maya)
    template = templates.templates_of(maya.id)[1]
    for n in range(NOTES):
        note = notes.start_note(
            client, maya, template, booking=sessions[n] if n < SESSIONS else None, context="Latest scores: HIT-6 58."
        )
        notes.save_draft(
            note, 1, f"Session {n}", ["Her story. " * 40, "Figures. " * 20, "Thinking. " * 30, "Plan. " * 30]
        )
        if n % 2:
            notes.sign_note(note, note.revision, maya)
            notes.amend_note(note, maya, "Results came in", "Ferritin 18.")


def main() -> None:
    app = fresh_app(environ())
    with app.app_context():
        maya, service, (small, big) = seed_practice(clients=2)
        add_clients(CLIENTS - 2)
        fill_case(maya, service, big)
        small_id, big_id, maya_email = small.id, big.id, maya.email
    client = app.test_client()
    log_in(client, maya_email)
    client.get(f"/practitioner/clients/{small_id}")  # first visit: nothing to set up later
    small_queries = page_queries(app, client, f"/practitioner/clients/{small_id}")
    big_queries = page_queries(app, client, f"/practitioner/clients/{big_id}")
    page_ms = median_ms(lambda: client.get(f"/practitioner/clients/{big_id}"))
    name_ms = median_ms(lambda: client.get("/practitioner/clients?q=hart+sophie"))
    email_ms = median_ms(lambda: client.get("/practitioner/clients?q=mail3.example"))
    with app.app_context():
        search_ms = median_ms(lambda: search.search_clients("hart sophie", utcnow()))
        diary_ms = median_ms(lambda: (db.session.expunge_all(), diary_entries.overview(big_id, utcnow().date())))
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]}")
    print(
        f"practice: {CLIENTS} clients; opened client: {NOTES} notes, {RESPONSES} responses, {DIARY_DAYS} diary days, "
        f"{SESSIONS} sessions"
    )
    print(
        f"case-file page: {page_ms:.1f} ms median of {RUNS} (target < 50 ms); the diary's figures alone "
        f"(questionnaires.diary_entries.overview over {DIARY_DAYS} days): {diary_ms:.1f} ms"
    )
    print(f"SQL queries per case-file page: {small_queries} for a client with nothing, {big_queries} for the full case")
    print(
        f"client search page: {name_ms:.1f} ms by name, {email_ms:.1f} ms by e-mail (search alone {search_ms:.1f} ms)"
    )


if __name__ == "__main__":
    main()
