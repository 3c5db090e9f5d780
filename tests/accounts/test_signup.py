import re

from portal.extensions import db
from portal.models import User
from tests.conftest import csrf_token_from, log_in, mailed_path, submit_form

GOOD = {
    "name": "Nora Newcomer",
    "email": "Nora@Example.com ",
    "password": "lavender-tea-at-noon",
    "timezone": "America/New_York",
}


def count_users() -> int:
    return db.session.execute(db.select(db.func.count()).select_from(User)).scalar_one()


def test_a_visitor_signs_up_confirms_her_address_by_email_and_lands_on_her_home(mail_app, smtp_server):
    client = mail_app.test_client()
    response = submit_form(client, "/account/signup", GOOD, follow_redirects=True)
    assert response.request.path == "/account/signup/check-your-email"
    assert "Check your e-mail" in response.get_data(as_text=True)
    user = db.session.execute(db.select(User)).scalar_one()
    assert (user.email, user.role, user.timezone) == ("nora@example.com", "client", "America/New_York")
    assert user.password_hash.startswith("scrypt:") and "lavender" not in user.password_hash
    assert user.email_verified_at is None and client.get("/me/").status_code == 302  # not logged in yet

    (message,) = smtp_server.messages
    assert (message["To"], message["Subject"]) == ("nora@example.com", "Confirm your e-mail address")
    path = mailed_path(message, "/account/confirm/")
    page = client.get(path)
    assert page.status_code == 200 and "Confirm and continue" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is None  # opening the link alone confirms nothing

    response = submit_form(client, path, {}, follow_redirects=True)
    assert response.request.path == "/me/"
    assert "Hello, Nora" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def test_signing_up_with_a_taken_address_answers_exactly_as_a_new_one_and_mails_its_owner(
    mail_app, smtp_server, client_user
):
    new = submit_form(mail_app.test_client(), "/account/signup", GOOD)
    taken = submit_form(mail_app.test_client(), "/account/signup", {**GOOD, "email": "CLIENT@example.COM"})
    assert (
        (taken.status_code, taken.headers["Location"])
        == (new.status_code, new.headers["Location"])
        == (302, "/account/signup/check-your-email")
    )
    assert taken.get_data() == new.get_data()
    new_page, taken_page = (mail_app.test_client().get(r.headers["Location"]) for r in (new, taken))
    assert new_page.status_code == taken_page.status_code == 200
    assert _without_csrf(new_page.get_data(as_text=True)) == _without_csrf(taken_page.get_data(as_text=True))
    assert count_users() == 2  # Clara and Nora; nothing added for the taken address

    confirm, exists = sorted(smtp_server.messages, key=lambda m: m["To"] != "nora@example.com")
    assert exists["To"] == "client@example.com" and exists["Subject"] == "You already have an account"
    assert mailed_path(exists, "/account/login") == "/account/login"
    assert mailed_path(exists, "/account/reset/").startswith("/account/reset/")
    assert confirm["Subject"] == "Confirm your e-mail address"


def test_a_weak_password_gets_the_same_answer_whether_or_not_the_address_is_taken(client, client_user):
    new = submit_form(client, "/account/signup", {**GOOD, "password": "password123"}).get_data(as_text=True)
    taken = submit_form(client, "/account/signup", {**GOOD, "email": client_user.email, "password": "password123"})
    assert "too easy to guess" in new and "too easy to guess" in taken.get_data(as_text=True)
    assert "already" not in taken.get_data(as_text=True)


def test_the_time_zone_defaults_to_the_practice_zone_and_is_marked_for_the_browser(client):
    html = client.get("/account/signup").get_data(as_text=True)
    assert "data-browser-timezone" in html
    assert '<option selected value="Europe/London">' in html


def test_a_weak_password_is_explained_next_to_the_field_and_the_rest_is_kept(client):
    response = submit_form(client, "/account/signup", {**GOOD, "password": "short"})
    body = response.get_data(as_text=True)
    assert 'id="password-error"' in body and "between 10 and 128 characters" in body
    assert 'value="Nora Newcomer"' in body and 'value="Nora@Example.com"' in body
    assert count_users() == 0


def test_a_too_long_password_is_refused(client):
    response = submit_form(client, "/account/signup", {**GOOD, "password": "p" * 129})
    assert "between 10 and 128 characters" in response.get_data(as_text=True)
    assert count_users() == 0


def test_a_common_password_is_refused(client):
    response = submit_form(client, "/account/signup", {**GOOD, "password": "password123"})
    assert "too easy to guess" in response.get_data(as_text=True)
    assert count_users() == 0


def test_a_made_up_time_zone_is_refused(client):
    response = submit_form(client, "/account/signup", {**GOOD, "timezone": "Mars/Olympus"})
    assert "Choose a time zone from the list" in response.get_data(as_text=True)
    assert count_users() == 0


def test_a_forged_csrf_token_gets_a_plain_400_and_no_account(client):
    client.get("/account/signup")
    response = client.post("/account/signup", data={**GOOD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert count_users() == 0


def test_a_post_without_any_csrf_token_is_refused(client):
    response = client.post("/account/signup", data=GOOD)
    assert response.status_code == 400
    assert count_users() == 0


def test_url_encoded_bytes_that_are_not_utf8_get_a_plain_400(client):
    token = csrf_token_from(client.get("/account/signup").get_data(as_text=True))
    body = (
        b"csrf_token=" + token.encode() + b"&name=N%FF%FEra&email=nora%40example.com"
        b"&password=lavender-tea-at-noon&timezone=Europe%2FLondon"
    )
    response = client.post("/account/signup", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "some characters were not valid text" in response.get_data(as_text=True)
    assert count_users() == 0


def test_raw_bytes_that_are_not_utf8_get_a_plain_400(client):
    response = client.post(
        "/account/login", data=b"email=\xff\xfe&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "some characters were not valid text" in response.get_data(as_text=True)


def test_multipart_bytes_that_are_not_utf8_get_a_message_next_to_the_field(client):
    token = csrf_token_from(client.get("/account/signup").get_data(as_text=True))
    parts = {
        "csrf_token": token.encode(),
        "name": b"N\xff\xfera",
        "email": b"nora@example.com",
        "password": b"lavender-tea-at-noon",
        "timezone": b"Europe/London",
    }
    body = (
        b"".join(
            b'--XX\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (k.encode(), v)
            for k, v in parts.items()
        )
        + b"--XX--\r\n"
    )
    response = client.post("/account/signup", data=body, content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 200
    assert "characters we could not read" in response.get_data(as_text=True)
    assert count_users() == 0


def test_the_confirmation_link_brings_her_back_to_the_page_she_was_going_to(mail_app, smtp_server):
    client = mail_app.test_client()
    submit_form(client, "/account/signup?next=/me/%3Ftab%3Dsessions", GOOD)
    path = mailed_path(smtp_server.messages[0], "/account/confirm/")
    response = submit_form(mail_app.test_client(), path, {})  # opened on another device: the link carries it
    assert response.status_code == 302 and response.headers["Location"] == "/me/?tab=sessions"


def test_the_link_works_once(mail_app, smtp_server):
    submit_form(mail_app.test_client(), "/account/signup", GOOD)
    path = mailed_path(smtp_server.messages[0], "/account/confirm/")
    assert submit_form(mail_app.test_client(), path, {}).headers["Location"] == "/me/"
    again = mail_app.test_client()
    response = again.get(path, follow_redirects=True)
    assert response.request.path == "/account/login" and "already confirmed" in response.get_data(as_text=True)
    token = csrf_token_from(again.get("/account/login").get_data(as_text=True))
    assert again.post(path, data={"csrf_token": token}).headers["Location"] == "/account/login"
    assert again.get("/me/").status_code == 302  # the second use logged nobody in


def test_an_expired_link_says_so_and_logging_in_sends_a_new_one(mail_app, smtp_server):
    client = mail_app.test_client()
    submit_form(client, "/account/signup", GOOD)
    path = mailed_path(smtp_server.messages[0], "/account/confirm/")
    mail_app.config["EMAIL_CONFIRM_MAX_AGE"] = -1  # every link is now older than allowed
    response = client.get(path, follow_redirects=True)
    assert "expired" in response.get_data(as_text=True)
    mail_app.config["EMAIL_CONFIRM_MAX_AGE"] = 86400
    response = submit_form(client, "/account/login", {"email": GOOD["email"], "password": GOOD["password"]})
    assert "Please confirm your e-mail address first" in response.get_data(as_text=True)
    assert client.get("/me/").status_code == 302
    new_path = mailed_path(smtp_server.messages[1], "/account/confirm/")
    assert submit_form(client, new_path, {}).headers["Location"] == "/me/"


def test_a_forged_or_tampered_link_is_refused(mail_app, smtp_server):
    submit_form(mail_app.test_client(), "/account/signup?next=/me/", GOOD)
    path = mailed_path(smtp_server.messages[0], "/account/confirm/")
    for bad in (
        "/account/confirm/not-a-token",
        path[:-3] + "abc",
        path.replace(".", "x", 1),
        "/account/confirm/" + "x" * 5000,
    ):
        response = mail_app.test_client().get(bad, follow_redirects=True)
        assert response.status_code == 200 and "not valid" in response.get_data(as_text=True), bad


def test_unconfirmed_logins_get_the_usual_answer_unless_the_password_is_right(mail_app, smtp_server):
    submit_form(mail_app.test_client(), "/account/signup", GOOD)
    client = mail_app.test_client()
    wrong = submit_form(client, "/account/login", {"email": GOOD["email"], "password": "not-her-password"})
    assert "don&#39;t match an account" in wrong.get_data(as_text=True) and len(smtp_server.messages) == 1
    right = submit_form(client, "/account/login", {"email": GOOD["email"], "password": GOOD["password"]})
    assert "confirm your e-mail address first" in right.get_data(as_text=True) and len(smtp_server.messages) == 2
    assert client.get("/me/").status_code == 302


def test_signing_up_again_before_confirming_sends_a_new_link(mail_app, smtp_server):
    submit_form(mail_app.test_client(), "/account/signup", GOOD)
    submit_form(mail_app.test_client(), "/account/signup", GOOD)
    assert count_users() == 1
    first, second = smtp_server.messages
    assert first["Subject"] == second["Subject"] == "Confirm your e-mail address"
    assert submit_form(mail_app.test_client(), mailed_path(second, "/account/confirm/"), {}).status_code == 302


def test_nobody_can_plant_an_account_for_someone_else(mail_app, smtp_server):
    """A stranger signs up with Nora's address and his own password. When Nora signs up, his password is neither
    replaced by hers nor confirmed; the reset link she is sent lets her choose her own, which confirms it."""
    submit_form(mail_app.test_client(), "/account/signup", {**GOOD, "password": "strangers-own-password"})
    nora = mail_app.test_client()
    submit_form(nora, "/account/signup", GOOD)
    planted, exists = smtp_server.messages
    assert exists["Subject"] == "You already have an account"
    refused = log_in(nora, GOOD["email"], GOOD["password"])  # signing up did not set hers
    assert "don&#39;t match an account" in refused.get_data(as_text=True) and len(smtp_server.messages) == 2
    response = submit_form(nora, mailed_path(exists, "/account/reset/"), {"password": "her-own-new-password"})
    assert response.status_code == 302
    assert log_in(nora, GOOD["email"], "her-own-new-password").headers["Location"] == "/me/"
    stranger = mail_app.test_client()
    assert log_in(stranger, GOOD["email"], "strangers-own-password").status_code == 200
    assert stranger.get("/me/").status_code == 302
    refused = mail_app.test_client().get(mailed_path(planted, "/account/confirm/"), follow_redirects=True)
    assert "already confirmed" in refused.get_data(as_text=True)


def test_accounts_made_by_the_practice_are_confirmed(app, practitioner, client_user):
    assert practitioner.email_verified_at is not None and client_user.email_verified_at is not None


def test_a_bad_confirmation_link_logs_nobody_out(client, client_user):
    log_in(client, client_user.email)
    page = client.get("/account/")
    client.post("/account/confirm/not-a-real-link", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert client.get("/account/").status_code == 200  # still logged in: only a real link ends her session
