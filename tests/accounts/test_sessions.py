"""Sessions kept in the database: logging out (here or everywhere) ends them for every copy of the cookie, they
expire, and the practitioner's end after the idle timeout with a page that says so."""

from datetime import timedelta

import pytest
from sqlalchemy import text

from portal.accounts import sessions
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import UserSession
from tests.conftest import TEST_PASSWORD, log_in, submit_form

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)


def cookie_token(app, client) -> str:
    """The session token inside the signed cookie, as the browser holds it."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)["_user_id"]


def copy_of(app, client):
    """A second browser holding an exact copy of this one's cookie."""
    other = app.test_client()
    name = app.config["SESSION_COOKIE_NAME"]
    other.set_cookie(name, client.get_cookie(name).value)
    return other


def the_session(app, client) -> UserSession:
    db.session.expire_all()
    token_hash = sessions.hash_token(cookie_token(app, client))
    return db.session.execute(db.select(UserSession).filter_by(token_hash=token_hash)).scalar_one()


def move_back(row: UserSession, *, created: timedelta = timedelta(0), seen: timedelta = timedelta(0)) -> None:
    row.created_at -= created
    row.last_seen_at -= seen
    db.session.commit()


def test_logging_in_stores_only_a_hash_of_the_cookies_token(app, client, client_user):
    log_in(client, client_user.email)
    token = cookie_token(app, client)
    row = the_session(app, client)
    assert row.user_id == client_user.id and row.token_hash == sessions.hash_token(token) != token
    dump = str(db.session.execute(text("SELECT * FROM user_sessions")).all())
    assert token not in dump


def test_a_copied_cookie_stops_working_when_she_logs_out(app, client, client_user):
    log_in(client, client_user.email)
    copied = copy_of(app, client)
    assert copied.get("/me/").status_code == 200  # the copy works while she is logged in
    submit_form(client, "/account/logout", {}, form_url="/me/")
    response = copied.get("/me/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/login")
    assert the_session(app, copied).ended_at is not None


def test_logging_out_ends_only_that_session(app, client_user):
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, client_user.email)
    log_in(laptop, client_user.email)
    submit_form(phone, "/account/logout", {}, form_url="/me/")
    assert phone.get("/me/").status_code == 302
    assert laptop.get("/me/").status_code == 200


def test_the_account_page_lists_her_devices_and_logs_out_everywhere(app, client_user):
    phone, laptop = app.test_client(), app.test_client()
    phone.environ_base["HTTP_USER_AGENT"], laptop.environ_base["HTTP_USER_AGENT"] = SAFARI_PHONE, FIREFOX
    log_in(phone, client_user.email)
    log_in(laptop, client_user.email)
    copied = copy_of(app, phone)
    page = laptop.get("/account/").get_data(as_text=True)
    assert "Safari on iOS" in page and "Firefox on Windows" in page and page.count("This device") == 1
    assert 'href="/account/"' in laptop.get("/me/").get_data(as_text=True)  # linked from the header

    response = submit_form(laptop, "/account/logout-everywhere", {}, form_url="/account/", follow_redirects=True)
    assert "logged out on every device" in response.get_data(as_text=True)
    for browser in (phone, laptop, copied):
        assert browser.get("/me/").status_code == 302
    assert sessions.open_sessions(client_user, sessions.SessionRules.from_config(app.config)) == []


def test_log_out_everywhere_needs_a_post_with_a_csrf_token(app, client, client_user):
    log_in(client, client_user.email)
    assert client.get("/account/logout-everywhere").status_code == 405
    assert client.post("/account/logout-everywhere").status_code == 400
    assert client.get("/me/").status_code == 200


def test_the_account_page_needs_a_login(client):
    response = client.get("/account/")
    assert response.status_code == 302 and response.headers["Location"] == "/account/login?next=/account/"


def test_a_session_ends_after_its_absolute_lifetime_for_everyone(app, client, client_user):
    log_in(client, client_user.email)
    move_back(the_session(app, client), created=timedelta(hours=8) - timedelta(minutes=1))
    assert client.get("/me/").status_code == 200
    move_back(the_session(app, client), created=timedelta(minutes=1))
    assert client.get("/me/").status_code == 302
    assert the_session(app, client).ended_at is not None


def test_the_practitioners_session_ends_after_the_idle_timeout_with_a_page_that_says_so(app, client, practitioner):
    log_in(client, practitioner.email)
    move_back(the_session(app, client), seen=timedelta(minutes=31))
    response = client.get("/practitioner/clients?q=soph")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/practitioner/clients?q%3Dsoph"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were logged out after 30 minutes without activity." in page
    assert "Please log in to see that page" not in page
    assert the_session(app, client).ended_at is not None
    again = submit_form(client, response.headers["Location"], {"email": practitioner.email, "password": TEST_PASSWORD})
    assert again.headers["Location"] == "/practitioner/clients?q=soph"  # back where she was


def test_the_idle_timeout_never_ends_a_session_early(app, client, practitioner):
    """last_seen_at is written at most once a minute, so the limit allows for that minute."""
    log_in(client, practitioner.email)
    move_back(the_session(app, client), seen=timedelta(minutes=30, seconds=50))
    assert client.get("/practitioner/").status_code == 200
    assert utcnow() - the_session(app, client).last_seen_at < timedelta(seconds=5)  # the request was activity


def test_the_idle_timeout_is_a_setting(app_factory, practitioner):
    app = app_factory(IDLE_TIMEOUT="10")
    client = app.test_client()
    with app.app_context():
        log_in(client, practitioner.email)
        move_back(the_session(app, client), seen=timedelta(minutes=12))
        response = client.get("/practitioner/", follow_redirects=True)
    assert "You were logged out after 10 minutes without activity." in response.get_data(as_text=True)


def test_clients_keep_the_absolute_lifetime_without_an_idle_timeout(app, client, client_user):
    log_in(client, client_user.email)
    move_back(the_session(app, client), seen=timedelta(hours=7))
    assert client.get("/me/").status_code == 200


def test_last_seen_is_written_at_most_once_a_minute(app, client, practitioner):
    log_in(client, practitioner.email)
    move_back(the_session(app, client), seen=timedelta(seconds=30))
    before = the_session(app, client).last_seen_at
    client.get("/practitioner/")
    assert the_session(app, client).last_seen_at == before  # a read, not a write
    move_back(the_session(app, client), seen=timedelta(seconds=40))
    client.get("/practitioner/")
    assert the_session(app, client).last_seen_at > before


def test_a_new_password_ends_every_session_through_the_sessions_table(app, client, client_user):
    from portal.accounts import users

    log_in(client, client_user.email)
    users.set_password(client_user, "a-brand-new-password")
    assert client.get("/me/").status_code == 302
    assert the_session(app, client).ended_at is not None


def test_unusable_tokens_are_refused_without_a_query_error(app):
    rules = sessions.SessionRules.from_config(app.config)
    for token in ("", "x" * 5000, "not-a-session", "' OR 1=1 --"):
        assert sessions.load_session(token, rules) == (None, False)


def test_old_rows_are_removed_by_the_jobs(app, client, client_user):
    from portal.jobs.runner import run_jobs

    log_in(client, client_user.email)
    other = app.test_client()
    log_in(other, client_user.email)
    move_back(the_session(app, other), created=timedelta(days=40), seen=timedelta(days=40))
    assert run_jobs()["old login sessions removed"] == 1
    assert client.get("/me/").status_code == 200 and other.get("/me/").status_code == 302


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        (FIREFOX, "Firefox on Windows"),
        (SAFARI_PHONE, "Safari on iOS"),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile "
            "Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 "
            "Safari/537.36 Edg/131.0",
            "Edge on macOS",
        ),
        ("", "A browser"),
        ("curl/8.5.0", "A browser"),
    ],
)
def test_devices_are_summarised_not_stored_whole(agent, summary):
    assert sessions.device_summary(agent) == summary
