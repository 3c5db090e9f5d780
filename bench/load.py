"""The portal under load at a practice's real size (issue 16): pages served by gunicorn, driven by wrk.

    .venv/bin/python -m bench.load                          # scales 0.1, 1 and 2; wipes the database first
    .venv/bin/python -m bench.load --scale 1 --duration 20  # one scale, longer runs
    .venv/bin/python -m bench.load --profile [--reuse]      # scale 1 in-process: where each page spends its time
    make bench-load                                         # installs wrk (Debian) first, then the default run

Uses DATABASE_URL, by default postgresql://postgres@127.0.0.1:5432/bench_load (PostgreSQL only; created if
missing), whose schema it drops and rebuilds with the migrations
(`--reuse` keeps a database that already holds today's data
set of that scale). At scale 1 the practice has 2,000 clients, 20,000 bookings, 200,000 diary days and 5,000
questionnaire responses (scale 0.1 and 2 multiply these), built by bulk inserts of valid rows (health text
encrypted, scores as the scoring code gives them, no overlapping bookings), plus one client with two years of
history and one brand-new client. It prints how long the build took and what it holds.

For each scale it serves the portal (wsgi:app) and a one-row page (bench/baseline_app.py) under gunicorn with
the same settings (2 sync workers, production settings), logs in through the real form, checks that every
page answers 200, then times each page with `wrk -t2 -c16 --latency`, each run right after a baseline run of
the same length. It prints per page: requests/s, p50 and p99 latency, the share of the baseline run's
requests/s next to it, the issue's target (share >= 0.2, a new client's home >= 0.4, p99 < 150 ms) and
whether it is met; then how each page's requests/s changes with the scale. Any answer other than 200 and any
socket error is reported under the table.

`--profile` runs each page in-process (Flask's test client) `--runs` times and prints, per page, the median
time without the profiler, the SQL queries per page, and the functions of portal/ and templates/ with the
most cumulative time per request under cProfile.

The machine has 2 cores shared by the servers, wrk and whatever else runs: compare a page with the baseline
run beside it, not across runs.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import hashlib
import io
import logging
import os
import pstats
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import create_engine, func, insert, make_url, select, text

from bench._setup import PASSWORD, TIMEZONE, fresh_app, seed_practice
from bench.booking_http import CSRF, NoRedirect, free_port, wait_for
from portal import create_app
from portal.booking import bookings
from portal.booking.slots import blocked_interval
from portal.cases import notes, templates
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import (
    Assignment,
    Booking,
    CareTeam,
    DiaryEntry,
    Payment,
    QuestionnaireResponse,
    Role,
    Service,
    User,
)
from portal.questionnaires import attention
from portal.questionnaires.instruments import INSTRUMENTS
from portal.questionnaires.scoring import HIT6_POINTS, score

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/bench_load"
CLIENTS, BOOKINGS, DIARY_DAYS, RESPONSES = 2000, 20_000, 200_000, 5000  # at scale 1
CODES = ("phq9", "gad7", "ibs_sss", "hit6")
LONG_DAYS = 730  # the long client's two years of diary
LONG_SESSION_EVERY = timedelta(days=14)
LONG_RESPONSE_EVERY = timedelta(days=28)  # each of the four instruments
LONG_NOTES = 24
BATCH = 5000
FUTURE_DAYS = 60  # every other working hour of the next 60 days is booked; the rest are free slots
TARGET_SHARE, NEW_CLIENT_TARGET_SHARE, TARGET_P99_MS = 0.2, 0.4, 150.0
FIRST_NAMES = ["Sophie", "Amelia", "Priya", "Grace", "Hannah", "Chloe", "Emma", "Lucy", "Zara", "Isla", "Mia", "Ruth"]
LAST_NAMES = ["Turner", "Hart", "Raman", "Okafor", "Byrne", "Novak", "Singh", "Evans", "Moreau", "Kowalski"]
SEARCH = "hart"  # matches about a tenth of the clients: a list, not the redirect to a single case file
DIARY_NOTES = ["Coffee, short night", "Period started", "Skipped lunch", "Long drive", "Red wine at dinner"]
logging.getLogger("weasyprint").setLevel(logging.WARNING)  # the portal logs at INFO; its CSS parsing is noise here
# A fixed key so that --reuse can read what an earlier run wrote: benchmark data only, never a real key.
ENCRYPTION_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"portal bench/load.py").digest()).decode()


@dataclass(frozen=True)
class Practice:
    """What the benchmark needs to know of the data set it built."""

    maya_email: str
    maya_id: int
    long_id: int
    long_email: str
    new_email: str
    service_id: int


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    who: str | None  # "maya", "long" or "new": whose session cookie; None: anonymous
    target: float = TARGET_SHARE


@dataclass
class Run:
    """One wrk run's figures."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    statuses: dict[int, int] = field(default_factory=dict)
    socket_errors: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> str:
        """Answers other than 200 and socket errors, in words ("" when there were none)."""
        bad = {code: n for code, n in sorted(self.statuses.items()) if code != 200}
        errors = {kind: n for kind, n in self.socket_errors.items() if n}
        parts = [f"{n} answers {code}" for code, n in bad.items()]
        parts += [f"{n} socket {kind} errors" for kind, n in errors.items()]
        if not self.statuses:
            parts.append("no status counted (did wrk run bench/wrk_statuses.lua?)")
        return ", ".join(parts)


def pages(practice: Practice) -> list[Page]:
    """The issue's table, in its order."""
    return [
        Page("practitioner dashboard", "/practitioner/", "maya"),
        Page("case file (2 years)", f"/practitioner/clients/{practice.long_id}", "maya"),
        Page("client diary (2 years)", "/me/diary/", "long"),
        Page("progress page (2 years)", f"/practitioner/clients/{practice.long_id}/diary", "maya"),
        Page("client home (2 years)", "/me/", "long"),
        Page("client home (new client)", "/me/", "new", NEW_CLIENT_TARGET_SHARE),
        Page("slot page (anonymous)", f"/book/{practice.service_id}/", None),
        Page("agenda, week", "/practitioner/agenda?view=week", "maya"),
        Page(f"client search ({SEARCH!r})", f"/practitioner/clients?q={SEARCH}", "maya"),
    ]


def settings(database_url: str) -> dict[str, str]:
    """Production settings for the build, the portal's server and the baseline's (no debug, no testing)."""
    instance = tempfile.mkdtemp(prefix="portal-bench-load-")
    return {
        "PORTAL_ENV": "production",
        "SECRET_KEY": "bench-load-" + "x" * 40,
        "ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "DATABASE_URL": database_url,
        "PORTAL_INSTANCE_PATH": instance,
        "PRACTICE_TIMEZONE": TIMEZONE,
        "BASE_URL": "https://portal.example",
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": "100000 per minute",
    }


# The data set -------------------------------------------------------------------------------------------------


def counts(scale: float) -> dict[str, int]:
    return {
        "clients": round(CLIENTS * scale),
        "bookings": round(BOOKINGS * scale),
        "diary days": round(DIARY_DAYS * scale),
        "responses": round(RESPONSES * scale),
    }


def stored_counts() -> dict[str, int]:
    def count(model, *where) -> int:
        return db.session.execute(select(func.count()).select_from(model).filter(*where)).scalar_one()

    return {
        "clients": count(User, User.role == Role.CLIENT),
        "bookings": count(Booking),
        "diary days": count(DiaryEntry),
        "responses": count(QuestionnaireResponse),
    }


def insert_rows(model, rows: list[dict[str, Any]]) -> None:
    """Bulk insert through the model's table, so the column types encrypt what the model encrypts."""
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model.__table__), rows[start : start + BATCH])


def build(scale: float, seed: int) -> Practice:
    """The whole data set, in an app context on an empty database."""
    rng, now = random.Random(seed), utcnow()
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()
    wanted = counts(scale)
    maya, service, _ = seed_practice(clients=0)
    templates.ensure_shipped(maya)
    ordinary = wanted["clients"] - 2  # besides the long client and the new one
    people = [
        {"name": "Ruth Long", "email": "long@example.com", "active": True},
        {"name": "Nina New", "email": "new@example.com", "active": False},
    ] + [
        {
            "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "email": f"client{n}@example.com",
            "active": rng.random() < 0.65,  # writing her diary these days
        }
        for n in range(ordinary)
    ]
    booking_rows = plan_bookings(rng, maya, service, wanted["bookings"], len(people), now)
    diary_rows = plan_diary(rng, people, wanted["diary days"] - LONG_DAYS, today)
    diary_rows += [diary_day(rng, 0, today - timedelta(days=n), today, overuser=False) for n in range(LONG_DAYS)]
    response_rows = plan_responses(rng, people, wanted["responses"], now)
    ids = add_clients(rng, people, maya.password_hash, now, [booking_rows, diary_rows, response_rows])
    for rows in (booking_rows, diary_rows, response_rows):
        for row in rows:
            row["client_id"] = ids[row.pop("person")]
    insert_rows(CareTeam, [{"practitioner_id": maya.id, "client_id": ids[n]} for n in range(len(people)) if n != 1])
    insert_rows(Booking, booking_rows)
    insert_rows(DiaryEntry, diary_rows)
    add_responses(maya.id, response_rows)
    db.session.commit()
    add_long_case(maya, ids[0])
    if hasattr(attention, "refresh_all"):  # the precomputed attention summaries (issue 16, on main later)
        attention.refresh_all(now)
    db.session.commit()
    db.session.execute(text("ANALYZE"))  # as autovacuum would have by now on a real database
    db.session.commit()
    return Practice(maya.email, maya.id, ids[0], people[0]["email"], people[1]["email"], service.id)


def add_clients(
    rng: random.Random, people: list[dict], password_hash: str, now: datetime, planned: list[list[dict]]
) -> dict[int, int]:
    """The clients' users rows (one password hash for all: hashing 2,000 passwords would take minutes), each
    signed up a little before her first booking, diary day or answer (the new client two hours ago).
    Returns their ids by position."""
    first: dict[int, datetime] = {}
    for rows in planned:
        for row in rows:
            when = row.get("starts_at") or row.get("submitted_at") or datetime.combine(row["day"], clock(20))
            when = when if when.tzinfo else when.replace(tzinfo=now.tzinfo)
            first[row["person"]] = min(first.get(row["person"], now), when)
    rows = []
    for n, person in enumerate(people):
        joined = now - timedelta(hours=2) if n == 1 else first.get(n, now) - timedelta(days=rng.randint(1, 30))
        rows.append(
            {
                "role": Role.CLIENT.value,
                "email": person["email"],
                "name": person["name"],
                "password_hash": password_hash,
                "timezone": TIMEZONE,
                "created_at": joined,
                "email_verified_at": joined + timedelta(minutes=10),
                "last_login_at": now - timedelta(days=rng.randint(0, 3)) if person["active"] else None,
            }
        )
    insert_rows(User, rows)
    by_email = dict(db.session.execute(select(User.email, User.id).filter(User.role == Role.CLIENT)).all())
    return {n: by_email[person["email"]] for n, person in enumerate(people)}


def slot_starts(first_day: date, last_day: date, tz: ZoneInfo) -> Iterator[tuple[datetime, int]]:
    """Her working hours' whole hours (Monday to Saturday, 08:00-19:00 starts), newest first: (UTC, local hour)."""
    day = last_day
    while day >= first_day:
        if day.weekday() < 6:
            for hour in range(19, 7, -1):
                yield datetime.combine(day, clock(hour), tz).astimezone(ZoneInfo("UTC")), hour
        day -= timedelta(days=1)


def plan_bookings(
    rng: random.Random, maya: User, service: Service, count: int, people: int, now: datetime
) -> list[dict]:
    """`count` bookings on whole hours of her working week: every other hour of the next 60 days (the rest stay
    free for the slot page), then every hour back in time until there are enough (5 years at scale 1). The
    long client (person 0) comes every two weeks for two years and once more in the coming days."""
    rules = bookings.slot_rules(bookings.rules_for(maya.id))
    duration = timedelta(minutes=service.duration_minutes)
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()
    rows: list[dict] = []
    long_next = now + timedelta(days=3)  # the long client's next session: the first slot before this, going back
    zone = ZoneInfo(rules.timezone)
    for start, hour in slot_starts(today - timedelta(days=365 * 20), today + timedelta(days=FUTURE_DAYS), zone):
        if len(rows) == count:
            break
        future = start + duration > now
        if future and hour % 2:
            continue
        if start <= long_next and start >= now - timedelta(days=LONG_DAYS):
            person, long_next = 0, start - LONG_SESSION_EVERY
        else:
            person = rng.randrange(2, people)
        roll = rng.random()
        status = "confirmed" if future else "cancelled" if roll < 0.1 else "no_show" if roll < 0.13 else "completed"
        blocked_from, blocked_until = blocked_interval(start, duration, rules)
        rows.append(
            {
                "person": person,
                "practitioner_id": maya.id,
                "service_id": service.id,
                "status": status,
                "starts_at": start,
                "ends_at": start + duration,
                "blocked_from": blocked_from,
                "blocked_until": blocked_until,
                "price_minor": service.price_minor,
                "currency": service.currency,
                "created_at": start - timedelta(days=rng.randint(1, 30)),
                "updated_at": start + duration if status == "completed" else start - timedelta(days=1),
            }
        )
    if len(rows) < count:
        raise SystemExit(f"only {len(rows)} free hours for {count} bookings: widen slot_starts")
    return rows


def plan_diary(rng: random.Random, people: list[dict], total: int, today: date) -> list[dict]:
    """`total` diary days over the ordinary clients (from person 2 on), each a run of consecutive days: the
    active ones' up to today, the others' ending some time in the last two years. About 6% of the active
    clients take a triptan on most days of the last month (the dashboard's overuse flag)."""
    everyone = range(2, len(people))
    base = total // len(everyone)
    lengths = {n: base for n in everyone}
    for a, b in zip(everyone[::2], everyone[1::2], strict=False):
        spread = rng.randint(0, base - 1)
        lengths[a], lengths[b] = base + spread, base - spread
    for n in everyone[: total - base * len(everyone)]:
        lengths[n] += 1
    rows = []
    for n in everyone:
        active = people[n]["active"]
        last = today - timedelta(days=rng.choice((0, 0, 0, 1, 2)) if active else rng.randint(30, 700))
        overuser = active and rng.random() < 0.06
        rows += [diary_day(rng, n, last - timedelta(days=k), today, overuser) for k in range(lengths[n])]
    return rows


def diary_day(rng: random.Random, person: int, day: date, today: date, overuser: bool) -> dict:
    """One valid diary day (as the diary form would save it: no intensity or hours without a headache)."""
    recent_overuse = overuser and (today - day).days < 30
    roll = rng.random()
    headache = ("migraine" if roll < 0.35 else "headache") if roll < (0.6 if recent_overuse else 0.3) else "none"
    migraine = headache == "migraine"
    medication = {
        "took_triptan": headache != "none" and rng.random() < (0.9 if recent_overuse else 0.5 if migraine else 0.05),
        "took_ergot": False,
        "took_opioid": migraine and rng.random() < 0.02,
        "took_combination": headache == "headache" and rng.random() < 0.05,
        "took_simple": headache != "none" and rng.random() < 0.4,
    }
    return {
        "person": person,
        "day": day,
        "headache": headache,
        "intensity": 0 if headache == "none" else rng.randint(5, 10) if migraine else rng.randint(2, 6),
        "headache_minutes": 0 if headache == "none" else rng.randint(120, 1440) if migraine else rng.randint(30, 300),
        **medication,
        "stool_types": sorted(rng.choice((3, 4, 4, 5, 1, 2, 6, 7)) for _ in range(rng.choice((0, 1, 1, 2, 3)))),
        "bloating": rng.choice((0, 0, 1, 2, 3, 5, 7)),
        "abdominal_pain": rng.choice((0, 0, 0, 1, 2, 4, 6)),
        "note": rng.choice(DIARY_NOTES) if rng.random() < 0.15 else "",
        "created_at": datetime.combine(day, clock(21), ZoneInfo("UTC")),
        "updated_at": datetime.combine(day, clock(21), ZoneInfo("UTC")),
    }


def answers_for(rng: random.Random, code: str, severity: float) -> dict[str, object]:
    """Answers as the questionnaire form stores them; `severity` 0-1 leans them towards the worse end."""

    def level(high: int) -> int:
        return min(high, max(0, round(rng.gauss(severity * high, high / 3))))

    if code == "phq9":
        answers: dict[str, object] = {str(i): level(3) for i in range(1, 9)}
        answers["9"] = rng.choice((1, 1, 2, 3)) if rng.random() < 0.04 else 0
        answers["difficulty"] = level(3)
        return answers
    if code == "gad7":
        return {str(i): level(3) for i in range(1, 8)}
    if code == "hit6":
        return {str(i): HIT6_POINTS[level(4)] for i in range(1, 7)}
    has_pain, has_distension = rng.random() < 0.85, rng.random() < 0.7
    answers = {"has_pain": has_pain, "has_distension": has_distension}
    if has_pain:
        answers |= {"pain_severity": level(100), "pain_days": level(10)}
    if has_distension:
        answers["distension_severity"] = level(100)
    return answers | {"bowel_dissatisfaction": level(100), "life_interference": level(100)}


def response_row(rng: random.Random, person: int, code: str, submitted_at: datetime, severity: float) -> dict:
    answers = answers_for(rng, code, severity)
    result = score(code, answers)
    return {
        "person": person,
        "code": code,
        "version": INSTRUMENTS[code].version,
        "status": "submitted",
        "answers": answers,
        "total": result.total,
        "band": result.band,
        "subscores": dict(result.subscores),
        "flags": list(result.flags),
        "started_at": submitted_at - timedelta(minutes=rng.randint(2, 40)),
        "submitted_at": submitted_at,
    }


def plan_responses(rng: random.Random, people: list[dict], total: int, now: datetime) -> list[dict]:
    """The long client's four instruments every four weeks for two years (a recent PHQ-9 with item 9 above 0,
    a falling IBS-SSS), then `total` in all: the others' at random times of the last two years, three in four
    by clients who are active."""
    rows = []
    for n, code in enumerate(CODES):
        when, step = now - timedelta(days=n + 1), 0
        while when > now - timedelta(days=LONG_DAYS):
            rows.append(response_row(rng, 0, code, when, severity=0.3 + 0.3 * min(step, 10) / 10))
            when, step = when - LONG_RESPONSE_EVERY, step + 1
    rows[0]["answers"]["9"] = 1  # her latest PHQ-9 (the first one planned)
    rows[0].update(total=score("phq9", rows[0]["answers"]).total, flags=["self_harm_thoughts"])
    rows[0]["band"] = score("phq9", rows[0]["answers"]).band
    active = [n for n in range(2, len(people)) if people[n]["active"]]
    dormant = [n for n in range(2, len(people)) if not people[n]["active"]] or active
    while len(rows) < total:
        person = rng.choice(active if rng.random() < 0.75 else dormant)
        when = now - timedelta(days=rng.uniform(0, LONG_DAYS), minutes=rng.randint(0, 600))
        rows.append(response_row(rng, person, rng.choice(CODES), when, severity=rng.random()))
    return rows


def add_responses(maya_id: int, rows: list[dict]) -> None:
    """One four-weekly assignment per client and instrument, and the responses answered on it."""
    series: dict[tuple[int, str], list[dict]] = {}
    for row in rows:
        series.setdefault((row["client_id"], row["code"]), []).append(row)
    assignments = []
    for (client_id, code), answered in series.items():
        first = min(r["submitted_at"] for r in answered)
        last = max(r["submitted_at"] for r in answered)
        due = (last + timedelta(weeks=4)).date()
        assignments.append(
            {
                "client_id": client_id,
                "code": code,
                "every_weeks": 4,
                "next_due": due,
                "active": True,
                "assigned_by_id": maya_id,
                "created_at": first - timedelta(days=1),
            }
        )
    insert_rows(Assignment, assignments)
    assignment_ids = {
        (client_id, code): id_
        for id_, client_id, code in db.session.execute(select(Assignment.id, Assignment.client_id, Assignment.code))
    }
    for row in rows:
        row["assignment_id"] = assignment_ids[(row["client_id"], row["code"])]
    insert_rows(QuestionnaireResponse, rows)


def add_long_case(maya: User, client_id: int) -> None:
    """The long client's notes (through the notes module: signed, some amended) and payments for half her
    sessions."""
    client = db.session.get(User, client_id)
    now = utcnow()
    sessions = (
        db.session.execute(
            select(Booking)
            .filter(Booking.client_id == client_id, Booking.starts_at < now, Booking.status == "completed")
            .order_by(Booking.starts_at.desc())
        )
        .scalars()
        .all()
    )
    insert_rows(
        Payment,
        [
            {
                "booking_id": b.id,
                "client_id": client_id,
                "method": "card",
                "status": "succeeded",
                "amount_minor": b.price_minor,
                "currency": b.currency,
                "succeeded_at": b.starts_at,
                "created_at": b.starts_at,
            }
            for b in sessions[::2]
        ],
    )
    db.session.commit()
    template = templates.templates_of(maya.id)[1]
    for n, session in enumerate(sessions[:LONG_NOTES]):
        note = notes.start_note(client, maya, template, booking=session, context="Latest scores: HIT-6 58.")
        notes.save_draft(
            note, 1, f"Session {n}", ["Her story. " * 40, "Figures. " * 20, "Thinking. " * 30, "Plan. " * 30]
        )
        if n % 2:
            notes.sign_note(note, note.revision, maya)
            if n % 4 == 1:
                notes.amend_note(note, maya, "Results came in", "Ferritin 18.")


def existing_practice(scale: float) -> Practice | None:
    """The data set already in the database, if it is this scale's and was built today (its dates are)."""
    maya = db.session.execute(select(User).filter_by(email="maya@example.com")).scalar_one_or_none()
    long = db.session.execute(select(User).filter_by(email="long@example.com")).scalar_one_or_none()
    new = db.session.execute(select(User).filter_by(email="new@example.com")).scalar_one_or_none()
    service = db.session.execute(select(Service)).scalars().first()
    if maya is None or long is None or new is None or service is None or stored_counts() != counts(scale):
        return None
    last_day = db.session.execute(select(func.max(DiaryEntry.day)).filter_by(client_id=long.id)).scalar_one()
    if last_day != utcnow().astimezone(ZoneInfo(TIMEZONE)).date():
        return None
    return Practice(maya.email, maya.id, long.id, long.email, new.email, service.id)


def prepare(env: dict[str, str], scale: float, seed: int, reuse: bool) -> tuple[Flask, Practice]:
    """The app and the data set of this scale: kept when --reuse finds it, else built afresh."""
    if reuse:
        app = create_app(env)
        with app.app_context():
            try:
                found = existing_practice(scale)
            except Exception:  # an empty or foreign schema: build
                found = None
            db.engine.dispose()
        if found is not None:
            print(f"scale {scale}: reusing the data set in the database")
            return app, found
    started = time.perf_counter()
    app = fresh_app(env)
    with app.app_context():
        practice = build(scale, seed)
        held = stored_counts()
        db.engine.dispose()  # no connection carried into the servers' fork or the next scale
    print(
        f"scale {scale}: built in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{n:,} {what}" for what, n in held.items())
        + f" (the long client: {LONG_DAYS} diary days, sessions every 2 weeks, 4 instruments every 4 weeks, "
        f"{LONG_NOTES} notes; the new client: nothing)"
    )
    return app, practice


# Serving and driving --------------------------------------------------------------------------------------------


@contextmanager
def servers(env: dict[str, str], workers: int, baseline_user_id: int) -> Iterator[tuple[str, str]]:
    """The portal and the one-row app under gunicorn with the same settings; stopped on leaving, whatever
    happens (Ctrl-C included). Their logs go to the instance folder (printed with the table)."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    started: list[subprocess.Popen] = []
    bases = []
    try:
        for module in ("wsgi:app", "bench.baseline_app:app"):
            port = free_port()
            command = [gunicorn, "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}"]
            # --no-control-socket: one path per user, so the two servers (and any test run) would share it
            command += ["--log-level", "warning", "--timeout", "120", "--no-control-socket", module]
            extra = {"BASELINE_USER_ID": str(baseline_user_id)}
            log = Path(env["PORTAL_INSTANCE_PATH"]) / f"{module.split(':')[0]}.log"  # the portal logs at INFO
            with log.open("a") as output:
                started.append(
                    subprocess.Popen(
                        command, cwd=ROOT, env={**os.environ, **env, **extra}, stdout=output, stderr=subprocess.STDOUT
                    )
                )
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            wait_for(base + "/", seconds=60)
        yield bases[0], bases[1]
    finally:
        for server in started:
            server.terminate()
        for server in started:
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _cookies(headers) -> dict[str, str]:
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def http_log_in(base: str, email: str) -> str:
    """Log in through the real form (CSRF token included); the session's Cookie header. The cookie is Secure
    (production settings), so it is carried by hand rather than by a cookie jar over plain HTTP."""
    opener = urllib.request.build_opener(NoRedirect())
    with opener.open(base + "/account/login", timeout=30) as response:
        page, cookies = response.read().decode(), _cookies(response.headers)
    found = CSRF.search(page)
    if found is None:
        raise SystemExit("no CSRF token on the log-in page")
    form = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": found.group(1)}).encode()
    request = urllib.request.Request(base + "/account/login", data=form, headers={"Cookie": cookie_header(cookies)})
    try:
        with opener.open(request, timeout=30) as response:
            raise SystemExit(f"logging in as {email} answered {response.status}, not a redirect: refused?")
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise SystemExit(f"logging in as {email} answered {answer.code}") from None
        cookies |= _cookies(answer.headers)
    return cookie_header(cookies)


def check_answers_200(url: str, cookie: str | None, times: int = 3) -> None:
    """Fail loudly unless the page answers 200 (not a redirect to the log-in form); also warms both workers."""
    opener = urllib.request.build_opener(NoRedirect())
    for _ in range(times):
        request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
        try:
            with opener.open(request, timeout=120) as response:
                response.read()
        except urllib.error.HTTPError as answer:
            where = answer.headers.get("Location", "")
            raise SystemExit(f"{url} answered {answer.code} {where}: not measured") from None


def drain(url: str, seconds: float = 300) -> None:
    """Wait until a server has finished the requests a wrk run left queued: wrk stops after its duration, but
    gunicorn's sync workers still answer every request already sent (a slow page's queue can take many seconds),
    which would slow the next run. Done when two probes in a row answer within 50 ms."""
    deadline, quick = time.monotonic() + seconds, 0
    while quick < 2:
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} still busy {seconds:.0f} s after a run")
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=seconds) as response:
            response.read()
        quick = quick + 1 if time.perf_counter() - started < 0.05 else 0


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


def parse_wrk(output: str) -> Run:
    """requests/s, p50, p99, the statuses counted by wrk_statuses.lua and the socket errors of wrk's output."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not (rate and p50 and p99 and total):
        raise SystemExit(f"could not read wrk's output:\n{output}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    kinds = ("connect", "read", "write", "timeout")
    socket_errors = dict(zip(kinds, map(int, errors.groups()), strict=True)) if errors else {}
    return Run(
        requests_per_s=float(rate.group(1)),
        p50_ms=_ms(*p50.groups()),
        p99_ms=_ms(*p99.groups()),
        requests=int(total.group(1)),
        statuses={int(code): int(n) for code, n in re.findall(r"^status (\d+) (\d+)$", output, re.M)},
        socket_errors=socket_errors,
    )


def wrk(url: str, cookie: str | None, args: argparse.Namespace) -> Run:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    command += [f"--timeout={args.timeout}s", "-s", str(ROOT / "bench" / "wrk_statuses.lua")]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    finished = subprocess.run([*command, url], capture_output=True, text=True, check=False)
    if finished.returncode:
        raise SystemExit(f"wrk failed ({finished.returncode}): {finished.stderr.strip()}")
    return parse_wrk(finished.stdout)


def measure(env: dict[str, str], practice: Practice, args: argparse.Namespace) -> list[tuple[Page, Run, Run]]:
    """Each page timed right after a baseline run of the same length: (page, its run, the baseline's)."""
    results = []
    with servers(env, args.workers, practice.maya_id) as (portal, baseline):
        cookies = {
            "maya": http_log_in(portal, practice.maya_email),
            "long": http_log_in(portal, practice.long_email),
            "new": http_log_in(portal, practice.new_email),
        }
        check_answers_200(baseline + "/", None)
        for page in pages(practice):
            check_answers_200(portal + page.path, cookies.get(page.who or ""))
        for page in pages(practice):
            floor = wrk(baseline + "/", None, args)
            drain(baseline + "/")
            run = wrk(portal + page.path, cookies.get(page.who or ""), args)
            drain(portal + "/healthz")
            print(f"  {page.name}: {run.requests_per_s:.1f}/s against {floor.requests_per_s:.0f}/s", flush=True)
            results.append((page, run, floor))
    return results


def print_table(scale: float, results: list[tuple[Page, Run, Run]], args: argparse.Namespace) -> None:
    print(
        f"\nscale {scale} ({', '.join(f'{n:,} {what}' for what, n in counts(scale).items())}); gunicorn "
        f"{args.workers} sync workers; wrk -t{args.threads} -c{args.connections} -d{args.duration}s per run"
    )
    header = f"{'page':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'one-row/s':>10} {'share':>7}  target"
    print(header)
    print("-" * (len(header) + 30))
    problems, few = [], []
    for page, run, floor in results:
        share = run.requests_per_s / floor.requests_per_s if floor.requests_per_s else 0.0
        met = share >= page.target and run.p99_ms < TARGET_P99_MS
        verdict = "met" if met else "NOT met"
        print(
            f"{page.name:<28} {run.requests_per_s:>8.1f} {run.p50_ms:>8.1f} {run.p99_ms:>8.1f} "
            f"{floor.requests_per_s:>10.0f} {share:>7.3f}  >= {page.target}, p99 < {TARGET_P99_MS:.0f} ms: {verdict}"
        )
        for what, measured in ((page.name, run), ("its one-row run", floor)):
            if measured.problems:
                problems.append(f"{what}: {measured.problems} (of {measured.requests} requests)")
        if run.requests < 100:
            few.append(f"{page.name} ({run.requests})")
    print("\n".join(["answers other than 200 / socket errors:", *problems]) if problems else "every answer was 200")
    if few:
        print(f"few requests answered in a run, so a coarse figure (a longer --duration sharpens it): {', '.join(few)}")


def print_growth(by_scale: dict[float, list[tuple[Page, Run, Run]]]) -> None:
    scales = sorted(by_scale)
    print("\ngrowth: requests/s (share of the one-row page) by scale")
    print(f"{'page':<28} " + " ".join(f"{'x' + format(s, 'g'):>16}" for s in scales))
    names = [page.name for page, _, _ in by_scale[scales[0]]]
    for n, name in enumerate(names):
        cells = []
        for s in scales:
            _, run, floor = by_scale[s][n]
            cells.append(f"{run.requests_per_s:>7.1f} ({run.requests_per_s / floor.requests_per_s:.3f})")
        print(f"{name:<28} " + " ".join(f"{c:>16}" for c in cells))
    dashboard = [by_scale[s][0][1].requests_per_s for s in scales]
    print(
        "dashboard: "
        + ", ".join(f"{rate:.1f}/s at x{s:g}" for s, rate in zip(scales, dashboard, strict=True))
        + (
            f"; x{scales[-1]:g} answers {dashboard[-1] / dashboard[scales.index(1)]:.2f} times as fast as x1"
            if 1 in scales
            else ""
        )
    )


# Profile ------------------------------------------------------------------------------------------------------


def test_client_logged_in(app: Flask, email: str):
    """A test client logged in through the form (its https base URL keeps the Secure cookie)."""
    client = app.test_client()
    page = client.get("/account/login", base_url="https://localhost").get_data(as_text=True)
    found = CSRF.search(page)
    assert found is not None, "no CSRF token on the log-in page"
    answer = client.post(
        "/account/login",
        data={"email": email, "password": PASSWORD, "csrf_token": found.group(1)},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/account/login"},  # CSRF checks it over HTTPS
    )
    assert answer.status_code == 302, f"logging in as {email} answered {answer.status_code}"
    return client


def _in_project(filename: str) -> str | None:
    """The path of a profiled function's file inside portal/ or templates/, else None."""
    for folder in ("portal", "templates"):
        marker = str(ROOT / folder) + os.sep
        if filename.startswith(marker):
            return folder + "/" + filename.removeprefix(marker)
    return None


def profile(env: dict[str, str], scale: float, args: argparse.Namespace) -> None:
    from tests.factories import count_queries

    app, practice = prepare(env, scale, args.seed, args.reuse)
    clients = {who: test_client_logged_in(app, email) for who, email in (("maya", practice.maya_email),
               ("long", practice.long_email), ("new", practice.new_email))}  # fmt: skip
    clients[None] = app.test_client()
    print(f"\nprofile at scale {scale:g}: each page {args.runs} times in-process (Flask test client), then {args.runs} "
          "times under cProfile; functions of portal/ and templates/ by cumulative ms per request")  # fmt: skip
    for page in pages(practice):
        client = clients[page.who]

        def get(page: Page = page, client=client) -> None:
            answer = client.get(page.path, base_url="https://localhost")
            assert answer.status_code == 200, f"{page.path} answered {answer.status_code}"

        get()  # the first visit sets up what later ones find
        with app.app_context(), count_queries() as queries:
            get()
        times, cpu = [], []
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            get()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            get()
        profiler.disable()
        print_profile(page, statistics.median(times), statistics.median(cpu), queries.count, profiler, args.runs)


def print_profile(
    page: Page, median_ms: float, cpu_ms: float, queries: int, profiler: cProfile.Profile, runs: int
) -> None:
    stats = pstats.Stats(profiler, stream=io.StringIO())
    entries = stats.stats  # type: ignore[attr-defined]  # (file, line, function) -> (cc, calls, tt, ct, callers)
    total_ms = max(ct for _, _, _, ct, _ in entries.values()) * 1000 / runs
    in_sql = sum(ct for (_, _, name), (_, _, _, ct, _) in entries.items() if name == "do_execute")
    in_sql += sum(ct for (_, _, name), (_, _, _, ct, _) in entries.items() if name == "do_executemany")
    print(
        f"\n{page.name} ({page.path}): median {median_ms:.1f} ms ({cpu_ms:.1f} ms of this process's CPU, which "
        f"other work on the machine disturbs less), {queries} SQL queries; under the profiler "
        f"{total_ms:.1f} ms per request, of it {in_sql * 1000 / runs:.1f} ms waiting on SQL statements"
    )
    ours = []
    for (filename, line, name), (_, calls, _, ct, _) in entries.items():
        where = _in_project(filename)
        if where is not None:
            ours.append((ct, calls, f"{where}:{line}({name})"))
    for ct, calls, where in sorted(ours, reverse=True)[:12]:
        print(f"  {ct * 1000 / runs:9.1f} ms {calls / runs:9.0f} calls  {where}")
    own = sorted(((tt, calls, key) for key, (_, calls, tt, _, _) in entries.items()), reverse=True)[:5]
    print("  by own time, in any code: " + "; ".join(f"{_short(key)} {tt * 1000 / runs:.1f} ms" for tt, _, key in own))


def _short(key: tuple[str, int, str]) -> str:
    """A profiled function's place, without the folders every path shares."""
    filename, line, name = key
    for marker in ("site-packages/", f"lib/python{sys.version_info[0]}.{sys.version_info[1]}/", f"{ROOT}/"):
        filename = filename.split(marker)[-1]
    return f"{filename}:{line}({name})"


# Main ---------------------------------------------------------------------------------------------------------


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # so the servers are stopped on the way out


def ensure_database(database_url: str) -> None:
    """Create the benchmark's database on its server when it does not exist yet (a fresh machine has `test`)."""
    url = make_url(database_url.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql+psycopg")
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database})
        if exists.first() is None:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even where the shell ignored it
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", help="comma-separated multiples of the data set (default 0.1,1,2; with --profile 1)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads (default 2)")
    parser.add_argument("--timeout", type=int, default=30, help="seconds before wrk counts a request as timed out")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server (default 2)")
    parser.add_argument("--seed", type=int, default=16, help="random seed of the data set (default 16)")
    parser.add_argument("--reuse", action="store_true", help="keep a database that holds today's data set")
    parser.add_argument(
        "--profile", action="store_true", help="profile each page in-process instead (at scale 1 unless --scale)"
    )
    parser.add_argument("--runs", type=int, default=20, help="requests per page in --profile (default 20)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress shows when piped to tee
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    if not database_url.startswith(("postgresql://", "postgres://")):
        raise SystemExit("bench.load measures PostgreSQL: DATABASE_URL must be a postgresql:// URL")
    ensure_database(database_url)
    env = settings(database_url)
    scales = [float(s) for s in (args.scale or ("1" if args.profile else "0.1,1,2")).split(",")]
    if args.profile:
        for scale in scales:
            profile(env, scale, args)
        return
    by_scale = {}
    for scale in scales:
        _, practice = prepare(env, scale, args.seed, args.reuse)
        by_scale[scale] = measure(env, practice, args)
        print_table(scale, by_scale[scale], args)
    if len(by_scale) > 1:
        print_growth(by_scale)
    print("\nfigures are noisy: 2 cores shared by both servers, wrk, PostgreSQL and anything else running")
    print(f"the servers' logs: {env['PORTAL_INSTANCE_PATH']}")


if __name__ == "__main__":
    main()
