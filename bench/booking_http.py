"""Fifty clients book the same slot at the same moment through HTTP, against the portal served by
gunicorn with 4 workers on PostgreSQL. Prints winners/attempts (expected: 1/50).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.booking_http   # wipes it

Without DATABASE_URL it uses that same local test database.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from bench._setup import PASSWORD, environ, fresh_app, seed_practice
from portal.booking import bookings
from portal.booking.pages import iso
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking

ATTEMPTS = 50
WORKERS = 4
ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's cookies and CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict, token_from: str) -> int:
        token = CSRF.search(self.get(token_from)).group(1)
        return self.post_with(path, {**fields, "csrf_token": token})

    def post_with(self, path: str, fields: dict) -> int:
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            error.read()
            return error.code


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the portal did not start at {url}")


def main() -> None:
    env = environ(os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test")
    app = fresh_app(env)
    with app.app_context():
        _, service, people = seed_practice(clients=ATTEMPTS)
        start = bookings.load_availability(service.practitioner_id, utcnow()).free(
            __import__("datetime").timedelta(minutes=service.duration_minutes), utcnow()
        )[0]
        emails, service_id = [p.email for p in people], service.id
        db.engine.dispose()

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--no-control-socket",  # one path per user: two servers at once would take it from each other
            "wsgi:app",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/")
        browsers = []
        for email in emails:
            browser = Browser(base)
            browser.post("/account/login", {"email": email, "password": PASSWORD}, "/account/login")
            browsers.append(browser)
        path = f"/book/{service_id}/confirm"
        tokens = [CSRF.search(b.get(f"{path}?start={urllib.parse.quote(iso(start))}")).group(1) for b in browsers]
        barrier, outcomes = threading.Barrier(ATTEMPTS), []

        def attempt(browser: Browser, token: str) -> None:
            barrier.wait()
            outcomes.append(browser.post_with(path, {"start": iso(start), "csrf_token": token}))

        started = time.perf_counter()
        threads = [threading.Thread(target=attempt, args=pair) for pair in zip(browsers, tokens, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)

    with app.app_context():
        rows = db.session.execute(db.select(Booking).filter_by(starts_at=start)).scalars().all()
    codes = Counter(outcomes)
    print(f"gunicorn workers: {WORKERS}, database: {env['DATABASE_URL'].split(':', 1)[0]}")
    print(f"HTTP answers: {dict(codes)} (302 = booked, 409 = 'This time was just taken.')")
    print(f"winners/attempts: {codes.get(302, 0)}/{ATTEMPTS}")
    print(f"bookings of that slot in the database: {len(rows)}")
    print(f"all {ATTEMPTS} answered in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
