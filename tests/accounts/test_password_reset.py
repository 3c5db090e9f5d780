import re

from portal.extensions import db
from tests.conftest import TEST_PASSWORD, log_in, submit_form

NEW_PASSWORD = "river-stones-in-june"


def request_reset(client, email):
    return submit_form(client, "/account/reset", {"email": email}, follow_redirects=True)


def reset_path_from(message) -> str:
    plain = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://portal\.test(/account/reset/\S+)", plain)
    assert link, plain
    return link.group(1)


def test_a_client_resets_her_password_through_the_emailed_link(mail_app, smtp_server, client_user):
    client = mail_app.test_client()
    response = request_reset(client, "CLIENT@example.com")
    assert "If there is an account for that address" in response.get_data(as_text=True)
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == "client@example.com"
    path = reset_path_from(smtp_server.messages[0])

    response = submit_form(client, path, {"password": NEW_PASSWORD}, follow_redirects=True)
    assert "Your password has been changed" in response.get_data(as_text=True)
    assert log_in(client, client_user.email, TEST_PASSWORD).status_code == 200  # old password refused
    assert log_in(client, client_user.email, NEW_PASSWORD).headers["Location"] == "/me/"


def test_an_unknown_address_gets_the_same_answer_and_no_mail(mail_app, smtp_server):
    response = request_reset(mail_app.test_client(), "nobody@example.com")
    assert "If there is an account for that address" in response.get_data(as_text=True)
    assert smtp_server.messages == []


def test_a_used_link_cannot_be_used_again(mail_app, smtp_server, client_user):
    client = mail_app.test_client()
    request_reset(client, client_user.email)
    path = reset_path_from(smtp_server.messages[0])
    submit_form(client, path, {"password": NEW_PASSWORD})
    response = client.get(path, follow_redirects=True)
    assert "already been used" in response.get_data(as_text=True)
    assert response.request.path == "/account/reset"


def test_an_expired_link_says_so(app_factory, smtp_server, make_user, monkeypatch):
    app = app_factory(MAIL_SERVER=smtp_server.host, MAIL_PORT=str(smtp_server.port), MAIL_SECURITY="none")
    client = app.test_client()
    with app.app_context():
        make_user(email="late@example.com")
        request_reset(client, "late@example.com")
        path = reset_path_from(smtp_server.messages[0])
        app.config["PASSWORD_RESET_MAX_AGE"] = -1  # every link is now older than allowed
        response = client.get(path, follow_redirects=True)
    assert "expired" in response.get_data(as_text=True)


def test_a_forged_link_is_refused(client):
    response = client.get("/account/reset/not-a-real-token", follow_redirects=True)
    assert "not valid" in response.get_data(as_text=True)


def test_changing_the_password_logs_out_other_sessions(mail_app, smtp_server, client_user):
    other_device = mail_app.test_client()
    log_in(other_device, client_user.email)
    assert other_device.get("/me/").status_code == 200
    client = mail_app.test_client()
    request_reset(client, client_user.email)
    submit_form(client, reset_path_from(smtp_server.messages[0]), {"password": NEW_PASSWORD})
    db.session.expire_all()
    assert other_device.get("/me/").status_code == 302


def test_a_weak_new_password_is_refused_and_the_link_still_works(mail_app, smtp_server, client_user):
    client = mail_app.test_client()
    request_reset(client, client_user.email)
    path = reset_path_from(smtp_server.messages[0])
    response = submit_form(client, path, {"password": "1234567890"})
    assert "too easy to guess" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200
