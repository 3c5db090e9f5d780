"""The outbox: messages are rows written with the change that causes them, sent afterwards, retried, and
shown on the dashboard when they will not go."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from portal import outbox
from portal.config import ConfigError, load_config
from portal.db_types import utcnow
from portal.extensions import db
from portal.mail import send_mail
from portal.models import OutboxMessage, OutboxStatus, Role
from portal.records import erasure
from portal.records.rotation import encrypted_columns
from tests.conftest import log_in, submit_form


def queue_reset(user=None, to: str = "clara@example.com", token: str = "TOKEN123"):
    return send_mail(
        to,
        "Reset your password",
        "password_reset",
        recipient=user,
        name="Clara",
        link=f"http://portal.test/account/reset/{token}",
        minutes=60,
    )


def only_row() -> OutboxMessage:
    db.session.expire_all()
    return db.session.execute(db.select(OutboxMessage)).scalar_one()


def test_a_rolled_back_change_queues_nothing(outbox_app, controlled_smtp):
    queue_reset()
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0
    assert outbox.deliver_due() == 0
    assert controlled_smtp.received == []


def test_a_committed_message_is_sent_by_deliver_due_with_its_message_id_and_its_body_blanked(
    outbox_app, controlled_smtp, make_user
):
    clara = make_user(Role.CLIENT, email="clara@example.com", name="Clara")
    message = queue_reset(clara)
    db.session.commit()
    assert controlled_smtp.received == []  # nothing is sent by queueing
    row = only_row()
    assert row.status == OutboxStatus.QUEUED and row.recipient_id == clara.id
    assert row.message_id == message["Message-ID"]

    assert outbox.deliver_due() == 1
    assert controlled_smtp.ids() == [message["Message-ID"]]
    assert "TOKEN123" in controlled_smtp.received[0].get_body(preferencelist=("plain",)).get_content()
    row = only_row()
    assert row.status == OutboxStatus.SENT and row.sent_at is not None and row.attempts == 1
    assert row.raw is None  # data minimisation: the metadata stays, the text goes
    assert outbox.deliver_due() == 0  # and it is never sent twice


def test_the_stored_message_is_encrypted_and_rotate_keys_covers_it(outbox_app):
    queue_reset(token="SECRET-LINK-TOKEN")
    db.session.commit()
    stored = db.session.execute(text("SELECT raw FROM outbox")).scalar_one()
    assert b"SECRET-LINK-TOKEN" not in bytes(stored) and b"clara@example.com" not in bytes(stored)
    assert any(item.table.name == "outbox" and item.columns == ("raw",) for item in encrypted_columns())


def test_a_refusing_server_means_retries_with_growing_delays_then_dead(outbox_app, controlled_smtp):
    controlled_smtp.mode = "refuse"
    queue_reset()
    db.session.commit()
    now = utcnow()
    waits = []
    for attempt in (1, 2):
        assert outbox.deliver_due(now) == 0
        row = only_row()
        assert row.status == OutboxStatus.QUEUED and row.attempts == attempt
        assert row.last_error == "SMTPDataError"  # the class, never the server's text
        waits.append(row.next_attempt_at - now)
        assert outbox.deliver_due(now) == 0 and row.attempts == attempt  # not due yet: not tried
        now = row.next_attempt_at
    assert waits[0] == timedelta(seconds=60) and waits[1] == timedelta(seconds=120)
    assert outbox.deliver_due(now) == 0  # the third and last try (OUTBOX_MAX_ATTEMPTS=3)
    row = only_row()
    assert row.status == OutboxStatus.DEAD and row.attempts == 3 and row.raw is not None
    assert controlled_smtp.refused == 3
    assert outbox.deliver_due(now + timedelta(days=1)) == 0  # dead stays dead


def test_the_retry_delay_doubles_and_is_capped():
    assert [outbox.retry_delay(n, 60).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert outbox.retry_delay(40, 60) == outbox.MAX_RETRY_DELAY


def test_a_dead_message_shows_on_the_dashboard_without_its_contents_and_retry_sends_it(
    app_factory, controlled_smtp, make_user
):
    from tests.outbox.conftest import smtp_settings

    app = app_factory(**smtp_settings(controlled_smtp, OUTBOX_MAX_ATTEMPTS="1"))
    with app.app_context():
        maya = make_user(Role.PRACTITIONER, email="maya@example.com", name="Maya Practitioner")
        clara = make_user(Role.CLIENT, email="clara@example.com", name="Clara Client")
        assert maya.is_owner  # the first practitioner: she sees every client's messages
        maya_email = maya.email
        controlled_smtp.mode = "refuse"
        message = queue_reset(clara, to=clara.email)
        db.session.commit()
        assert outbox.deliver_due() == 0
        assert only_row().status == OutboxStatus.DEAD

    browser = app.test_client()
    log_in(browser, maya_email)
    page = browser.get("/practitioner/").get_data(as_text=True)
    assert "E-mails not delivered" in page
    assert "<strong>Password reset</strong> to Clara Client" in page and "The mail server refused the message" in page
    assert 'title="SMTPDataError"' in page  # the error class, for whoever runs the server
    assert "Reset your password" not in page and "TOKEN123" not in page  # never subject or body

    controlled_smtp.release()  # the server is back
    with app.app_context():
        row_id = only_row().id
    answer = submit_form(browser, f"/practitioner/outbox/{row_id}/retry", {}, form_url="/practitioner/")
    assert answer.status_code == 302
    followed = browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert "will be tried again" in followed
    with app.app_context():
        assert outbox.deliver_due() == 1
        assert only_row().status == OutboxStatus.SENT
    assert controlled_smtp.ids() == [message["Message-ID"]]
    assert "E-mails not delivered" not in browser.get("/practitioner/").get_data(as_text=True)


def test_retry_needs_the_csrf_token_and_an_undelivered_message_she_may_see(outbox_app, make_user):
    make_user(Role.PRACTITIONER, email="owner@example.com")  # the owner, who would see everything
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    other = make_user(Role.PRACTITIONER, email="ruth@example.com")
    stranger = make_user(Role.CLIENT, email="stranger@example.com")  # on nobody's care team of Maya's
    queue_reset(stranger, to=stranger.email)
    queue_reset(other, to=other.email, token="OTHER")
    db.session.commit()
    rows = db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    for row in rows:
        row.status, row.attempts = OutboxStatus.DEAD.value, 8
    db.session.commit()

    assert outbox.undelivered(maya) == []  # neither her client nor her own
    with pytest.raises(outbox.NotRetriable):
        outbox.retry(rows[0].id, maya)
    browser = outbox_app.test_client()
    log_in(browser, maya.email)
    page = browser.get("/practitioner/")
    assert browser.post(f"/practitioner/outbox/{rows[0].id}/retry").status_code == 400  # no CSRF token
    token_page = page.get_data(as_text=True)
    assert "E-mails not delivered" not in token_page
    for row in rows:
        answer = submit_form(browser, f"/practitioner/outbox/{row.id}/retry", {}, form_url="/account/")
        assert answer.status_code == 404
    assert [m.id for m in outbox.undelivered(other)] == [rows[1].id]  # her own message


def test_the_assistant_sees_booking_messages_but_not_clinical_ones_and_clients_see_none(outbox_app, make_user):
    owner = make_user(Role.PRACTITIONER, email="owner@example.com")  # the first practitioner is the owner
    assistant = make_user(Role.ASSISTANT, email="desk@example.com")
    clara = make_user(Role.CLIENT, email="clara@example.com", name="Clara Client")
    for template in ("booking_confirmed", "handout_ready"):
        db.session.add(
            OutboxMessage(
                status=OutboxStatus.DEAD.value,
                message_id=f"<{template}@portal.local>",
                template=template,
                recipient_id=clara.id,
                raw=b"x",
                attempts=8,
            )
        )
    db.session.commit()
    assert owner.is_owner
    assert sorted(m.template for m in outbox.undelivered(owner)) == ["booking_confirmed", "handout_ready"]
    assert [m.template for m in outbox.undelivered(assistant)] == ["booking_confirmed"]
    assert outbox.undelivered(clara) == []
    with pytest.raises(outbox.NotRetriable):
        outbox.retry(db.session.execute(db.select(OutboxMessage.id)).scalars().first(), clara)


def test_a_message_failing_for_a_while_shows_before_it_is_dead(outbox_app, make_user):
    owner = make_user(Role.PRACTITIONER, email="owner@example.com")
    queue_reset(owner, to=owner.email)
    db.session.commit()
    row = only_row()
    row.attempts, row.last_error = 2, "ConnectionRefusedError"
    db.session.commit()
    assert outbox.undelivered(owner) == []  # just written: the worker is still on it
    later = utcnow() + outbox.UNDELIVERED_AFTER + timedelta(minutes=1)
    [shown] = outbox.undelivered(owner, later)
    assert not shown.dead and shown.last_error == "ConnectionRefusedError"


def test_erasing_a_client_deletes_her_outbox_rows(outbox_app, make_user):
    clara = make_user(Role.CLIENT, email="clara@example.com")
    other = make_user(Role.CLIENT, email="other@example.com")
    queue_reset(clara, to=clara.email)
    queue_reset(other, to=other.email, token="KEEP")
    db.session.commit()
    removed = erasure.erase_client(clara)
    db.session.commit()
    assert removed["outbox"] == 1
    assert [r.recipient_id for r in db.session.execute(db.select(OutboxMessage)).scalars()] == [other.id]


def test_a_server_that_is_down_is_an_error_class_and_a_retry(app_factory, make_user):
    from tests.conftest import free_port

    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(free_port()), MAIL_SECURITY="none")
    with app.app_context():
        queue_reset()
        db.session.commit()
        assert outbox.deliver_due() == 0
        row = only_row()
        assert row.status == OutboxStatus.QUEUED and row.last_error == "ConnectionRefusedError"


def test_a_claim_whose_lease_ran_out_is_taken_again_with_the_same_message_id(outbox_app, controlled_smtp):
    message = queue_reset()
    db.session.commit()
    row = only_row()
    row.status, row.attempts = OutboxStatus.SENDING.value, 1  # as a worker killed mid-send leaves it
    row.claimed_until = utcnow() + timedelta(seconds=300)
    db.session.commit()
    assert outbox.deliver_due() == 0  # its lease still holds
    assert outbox.deliver_due(utcnow() + timedelta(seconds=301)) == 1
    assert controlled_smtp.ids() == [message["Message-ID"]]
    assert only_row().attempts == 2


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"OUTBOX_MAX_ATTEMPTS": "0"}, "OUTBOX_MAX_ATTEMPTS"),
        ({"OUTBOX_RETRY_SECONDS": "soon"}, "OUTBOX_RETRY_SECONDS"),
        ({"OUTBOX_IDLE_SECONDS": "nan"}, "OUTBOX_IDLE_SECONDS"),
        ({"OUTBOX_LEASE_SECONDS": "30", "MAIL_TIMEOUT": "20"}, "OUTBOX_LEASE_SECONDS"),
    ],
)
def test_outbox_settings_are_validated(tmp_path, settings, problem):
    with pytest.raises(ConfigError, match=problem):
        load_config({"PORTAL_ENV": "testing", "SECRET_KEY": "x" * 40, **settings}, tmp_path)


def test_outbox_settings_have_defaults(tmp_path):
    config = load_config({"PORTAL_ENV": "testing", "SECRET_KEY": "x" * 40}, tmp_path)
    assert config["OUTBOX_MAX_ATTEMPTS"] == 8 and config["OUTBOX_LEASE_SECONDS"] > 2 * config["MAIL_TIMEOUT"]
