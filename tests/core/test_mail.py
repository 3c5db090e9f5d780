import logging
from pathlib import Path

from portal.extensions import db
from portal.mail import send_mail
from tests.conftest import deliver_outbox


def test_without_smtp_mail_goes_to_the_outbox_folder_and_the_log_has_one_line_without_the_body(app, caplog):
    caplog.set_level(logging.INFO, logger="portal")
    send_mail(
        "someone@example.com",
        "Reset your password",
        "password_reset",
        name="Someone",
        link="http://portal.test/account/reset/TOKEN123",
        minutes=60,
    )
    db.session.commit()
    assert deliver_outbox(app) == 1
    files = list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert len(files) == 1
    raw = files[0].read_text()
    assert "TOKEN123" in raw and "someone@example.com" in raw
    records = [r.getMessage() for r in caplog.records if r.name.startswith("portal.")]
    assert len(records) == 1
    assert "password_reset" in records[0]
    assert "TOKEN123" not in records[0] and "someone@example.com" not in records[0]


def test_with_smtp_configured_mail_reaches_the_server_with_text_and_html_parts(mail_app, smtp_server):
    send_mail(
        "client@example.com",
        "Reset your password",
        "password_reset",
        name="Clara",
        link="http://portal.test/account/reset/abc",
        minutes=60,
    )
    db.session.commit()
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "client@example.com"
    assert message["Subject"] == "Reset your password"
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Hello Clara" in plain and "http://portal.test/account/reset/abc" in plain
    assert 'href="http://portal.test/account/reset/abc"' in html
    assert not list(Path(mail_app.config["OUTBOX_DIR"]).glob("*.eml"))
