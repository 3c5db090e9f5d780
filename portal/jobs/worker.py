"""`flask jobs worker`: the long-running sender. It delivers the outbox continually and runs the scheduled work
of `flask jobs run` once a minute, so cron becomes optional. Any number may run, on any number of hosts, against
one PostgreSQL database (on SQLite: one). SIGTERM or SIGINT stops it after the message in hand."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

from flask import current_app

from portal import outbox
from portal.extensions import db
from portal.jobs.runner import run_jobs

log = logging.getLogger(__name__)

JOBS_EVERY_SECONDS = 60.0


def stop_on_signals(stop: threading.Event) -> None:
    """Set `stop` on SIGTERM and SIGINT (the worker finishes the message it has, then returns)."""

    def handler(signum: int, frame: object) -> None:
        log.info("worker stopping after the current message (signal %d)", signum)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _safely(step: Callable[[], object], what: str) -> object:
    """Run one step; a failure (the database away, say) is logged by class and the worker carries on."""
    try:
        return step()
    except Exception as error:  # noqa: BLE001 - a long-running worker outlives a bad minute
        db.session.rollback()
        log.error("worker: %s failed: %s", what, type(error).__name__)
        return None


def run_worker(stop: threading.Event, *, jobs_every: float = JOBS_EVERY_SECONDS) -> None:
    """Deliver due messages until `stop` is set; between them, the scheduled jobs every `jobs_every` seconds.
    When nothing is due it sleeps OUTBOX_IDLE_SECONDS (waking at once when stopped)."""
    idle = current_app.config["OUTBOX_IDLE_SECONDS"]
    next_jobs = time.monotonic()
    log.info("worker started")
    while not stop.is_set():
        if time.monotonic() >= next_jobs:
            next_jobs = time.monotonic() + jobs_every
            done = _safely(run_jobs, "scheduled jobs")
            if isinstance(done, dict) and any(done.values()):
                log.info("worker: scheduled jobs: %s", ", ".join(f"{k}={v}" for k, v in done.items() if v))
        outcome = _safely(outbox.deliver_next, "delivery")
        db.session.remove()  # nothing held between messages: no stale rows, no idle transaction
        if outcome is None:
            stop.wait(idle)
    log.info("worker stopped")
