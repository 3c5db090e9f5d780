"""No request talks to the mail server: with one that hangs for 30 s, the pages that send e-mail still answer
at once, and the messages go out once the server is back."""

from __future__ import annotations

import time

from portal import outbox
from portal.extensions import db
from portal.models import OutboxMessage, OutboxStatus, Role
from tests.conftest import TEST_PASSWORD, csrf_token_from, submit_form


def test_a_password_reset_answers_at_once_while_the_mail_server_hangs(app, controlled_smtp, make_user):
    make_user(Role.CLIENT, email="clara@example.com", name="Clara")
    controlled_smtp.mode = "hang"
    browser = app.test_client()
    started = time.monotonic()
    answer = submit_form(browser, "/account/reset", {"email": "clara@example.com"})
    elapsed = time.monotonic() - started
    assert answer.status_code == 302
    assert elapsed < 4.0, f"the request took {elapsed:.2f}s"  # spoken to the server, it would wait 5 s
    assert controlled_smtp.received == []  # the request never spoke to it

    controlled_smtp.release()  # the server is back
    assert outbox.deliver_due() == 1
    [message] = controlled_smtp.received
    assert message["To"] == "clara@example.com" and message["Subject"] == "Reset your password"


def test_a_sign_up_answers_at_once_while_the_mail_server_hangs(app, controlled_smtp):
    controlled_smtp.mode = "hang"
    browser = app.test_client()
    token = csrf_token_from(browser.get("/account/signup").get_data(as_text=True))
    fields = {"name": "Nora New", "email": "nora@example.com", "password": TEST_PASSWORD, "timezone": "Europe/London"}
    started = time.monotonic()
    answer = browser.post("/account/signup", data={**fields, "csrf_token": token})
    elapsed = time.monotonic() - started
    assert answer.status_code in (200, 302)
    # Most of this is hashing her password (deliberately slow); the server's 30 s hang is nowhere in it.
    assert elapsed < 4.0, f"the request took {elapsed:.2f}s"  # spoken to the server, it would wait 5 s
    db.session.expire_all()
    row = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert row.template == "confirm_email" and row.status == OutboxStatus.QUEUED
    controlled_smtp.release()
    assert outbox.deliver_due() == 1
    assert [m["To"] for m in controlled_smtp.received] == ["nora@example.com"]


def test_a_worker_facing_a_hung_server_gives_up_after_the_timeout_and_tries_again_later(app_factory, controlled_smtp):
    from portal.mail import send_mail
    from tests.outbox.conftest import smtp_settings

    hung = app_factory(**smtp_settings(controlled_smtp, MAIL_TIMEOUT="1", OUTBOX_LEASE_SECONDS="5"))
    with hung.app_context():
        controlled_smtp.mode = "hang"
        send_mail("clara@example.com", "Hello", "password_reset", name="Clara", link="http://x", minutes=1)
        db.session.commit()
        started = time.monotonic()
        assert outbox.deliver_due() == 0
        assert time.monotonic() - started < 5
        db.session.expire_all()
        row = db.session.execute(db.select(OutboxMessage)).scalar_one()
        assert row.status == OutboxStatus.QUEUED and row.last_error in ("TimeoutError", "SMTPServerDisconnected")
