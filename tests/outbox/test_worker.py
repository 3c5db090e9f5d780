"""`flask jobs worker` and `flask jobs run` deliver the outbox; on PostgreSQL several workers share it, each
message is sent once, and a worker killed mid-send costs at most one duplicate with the same Message-ID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import make_url

from portal import outbox
from portal.db_types import utcnow
from portal.extensions import db
from portal.jobs.worker import run_worker
from portal.mail import send_mail
from portal.models import OutboxMessage, OutboxStatus
from tests.conftest import base_environ
from tests.outbox.conftest import smtp_settings

ROOT = Path(__file__).resolve().parents[2]


def queue_many(count: int) -> list[str]:
    ids = [
        send_mail(f"person{n}@example.com", "Hello", "password_reset", name="P", link="http://x", minutes=5)[
            "Message-ID"
        ]
        for n in range(count)
    ]
    db.session.commit()
    return ids


def statuses() -> list[str]:
    db.session.expire_all()
    return list(db.session.execute(db.select(OutboxMessage.status).order_by(OutboxMessage.id)).scalars())


def on_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def worker_process(database_url: str, instance: Path, server, **settings: str) -> subprocess.Popen:
    env = {
        **os.environ,
        **base_environ(database_url, instance),
        **smtp_settings(server, **settings),
        "FLASK_APP": "portal",
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "jobs", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_flask_jobs_run_also_delivers_the_outbox(app, controlled_smtp):
    ids = queue_many(3)
    result = CliRunner().invoke(app.cli, ["jobs", "run"], catch_exceptions=False)
    assert "outbox messages sent: 3" in result.output
    assert sorted(controlled_smtp.ids()) == sorted(ids)


def test_the_worker_delivers_runs_the_jobs_and_stops_when_asked(app, controlled_smtp, monkeypatch):
    ran = []
    monkeypatch.setattr("portal.jobs.worker.run_jobs", lambda: ran.append(1) or {})
    ids = queue_many(5)
    stop = threading.Event()

    def work() -> None:
        with app.app_context():
            run_worker(stop)

    thread = threading.Thread(target=work)
    thread.start()
    assert controlled_smtp.wait_for(5)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert sorted(controlled_smtp.ids()) == sorted(ids) and ran == [1]
    assert statuses() == ["sent"] * 5


def test_a_worker_process_stops_cleanly_on_sigterm_and_logs_no_recipient(
    app, controlled_smtp, migrated_database, tmp_path
):
    ids = queue_many(2)
    worker = worker_process(migrated_database, tmp_path / "worker", controlled_smtp)
    try:
        assert controlled_smtp.wait_for(2, timeout=30)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    assert worker.returncode == 0, output
    assert "worker stopped" in output
    sent_lines = [line for line in output.splitlines() if "mail sent" in line]
    assert len(sent_lines) == 2 and all("template=password_reset" in line for line in sent_lines)
    assert {message_id for message_id in ids if any(message_id in line for line in sent_lines)} == set(ids)
    assert "person0@example.com" not in output and "http://x" not in output


def test_four_workers_send_200_messages_each_exactly_once(app, controlled_smtp, migrated_database):
    if not on_postgres(migrated_database):
        pytest.skip("several workers share one outbox on PostgreSQL only (SKIP LOCKED)")
    ids = queue_many(200)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with app.app_context():
                while outbox.deliver_next() is not None:
                    db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert outbox.deliver_due() == 0  # nothing left over
    received = controlled_smtp.ids()
    assert len(received) == 200 and sorted(received) == sorted(ids)  # each exactly once
    assert statuses() == ["sent"] * 200


def test_a_worker_killed_mid_send_costs_at_most_one_duplicate_with_the_same_message_id(
    app, controlled_smtp, migrated_database, tmp_path
):
    if not on_postgres(migrated_database):
        pytest.skip("a second worker process on the same database: PostgreSQL")
    [message_id] = queue_many(1)
    controlled_smtp.mode = "hang"  # the message arrives, the answer never comes
    worker = worker_process(
        migrated_database, tmp_path / "killed", controlled_smtp, MAIL_TIMEOUT="20", OUTBOX_LEASE_SECONDS="60"
    )
    try:
        assert controlled_smtp.wait_for(1, timeout=30)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=10)
    db.session.expire_all()
    row = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert row.status == OutboxStatus.SENDING and row.attempts == 1
    controlled_smtp.release()  # the server is back

    assert outbox.deliver_due() == 0  # the dead worker's claim still holds
    assert outbox.deliver_due(utcnow() + timedelta(seconds=61)) == 1  # another worker, once it has run out
    assert statuses() == ["sent"]
    assert controlled_smtp.ids() == [message_id, message_id]  # at most twice, and the same Message-ID
    time.sleep(0.2)
    assert outbox.deliver_due(utcnow() + timedelta(days=1)) == 0
    assert len(controlled_smtp.received) == 2
