"""Messages sent per second by 1 and by 4 outbox workers on PostgreSQL, against a local aiosmtpd server.

    OUTBOX_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test_outbox .venv/bin/python -m bench.outbox

The database is wiped and migrated first (the default is the outbox's test database). Each worker is its own
process, as `flask jobs worker` is, claiming one message at a time (FOR UPDATE SKIP LOCKED) and opening one
SMTP connection per message. Prints the rate for each worker count and checks every Message-ID arrived once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import time

from aiosmtpd.controller import Controller

from bench._setup import environ, fresh_app
from portal import create_app, outbox
from portal.extensions import db
from portal.mail import send_mail

MESSAGES = int(os.environ.get("OUTBOX_BENCH_MESSAGES", "600"))
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test_outbox"


class Counting:
    def __init__(self) -> None:
        self.ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.ids.append(line.split(b":", 1)[1].strip().decode())
                break
        await asyncio.sleep(0)
        return "250 OK"


def _drain(env: dict[str, str], start) -> None:
    app = create_app(env)
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connected before the clock starts
        db.session.remove()
        start.wait()
        while outbox.deliver_next() is not None:
            db.session.remove()
        db.engine.dispose()


def run(env: dict[str, str], workers: int, handler: Counting) -> float:
    app = create_app(env)
    with app.app_context():
        for n in range(MESSAGES):
            send_mail(f"person{n}@example.com", "Hello", "password_reset", name="P", link="http://x", minutes=5)
        db.session.commit()
        db.engine.dispose()
    handler.ids.clear()
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(workers + 1)
    processes = [spawn.Process(target=_drain, args=(env, start)) for _ in range(workers)]
    for process in processes:
        process.start()
    start.wait()  # every worker is up and connected
    started = time.perf_counter()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    assert len(handler.ids) == MESSAGES == len(set(handler.ids)), (len(handler.ids), len(set(handler.ids)))
    return elapsed


def main() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **environ(os.environ.get("OUTBOX_BENCH_DATABASE_URL") or DEFAULT_URL),
        "ENCRYPTION_KEYS": "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0wMDA=",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_SECURITY": "none",
    }
    fresh_app(env)
    try:
        for workers in (1, 4):
            elapsed = run(env, workers, handler)
            print(f"{workers} worker(s): {MESSAGES} messages in {elapsed:.1f} s = {MESSAGES / elapsed:.0f} messages/s")
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
