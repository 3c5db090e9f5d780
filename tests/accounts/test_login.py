import pytest

from tests.conftest import TEST_PASSWORD, log_in, submit_form

WRONG = "That e-mail address and password don&#39;t match an account."


def test_a_client_logs_in_to_her_home_page(client, client_user):
    response = log_in(client, "Client@Example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/me/"
    assert "Hello, Clara" in client.get("/me/").get_data(as_text=True)


def test_the_practitioner_logs_in_to_her_dashboard(client, practitioner):
    response = log_in(client, practitioner.email)
    assert response.headers["Location"] == "/practitioner/"


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client, client_user):
    wrong_password = log_in(client, client_user.email, "not-the-password")
    unknown_email = log_in(client, "nobody@example.com", "not-the-password")
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert WRONG in wrong_password.get_data(as_text=True)
    assert WRONG in unknown_email.get_data(as_text=True)
    assert client.get("/me/").status_code == 302  # still logged out


def test_next_sends_her_back_to_a_page_on_this_site(client, client_user):
    response = submit_form(client, "/account/login?next=/me/", {"email": client_user.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/me/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_next_never_sends_her_to_another_site(client, client_user, target):
    response = submit_form(
        client, "/account/login?next=" + target, {"email": client_user.email, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/me/"


def test_a_login_flood_gets_429_with_a_retry_time(app_factory, make_user):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    with app.app_context():
        make_user(email="flood@example.com")
        for _ in range(3):
            assert log_in(client, "flood@example.com", "wrong-password-here").status_code == 200
        response = log_in(client, "flood@example.com", TEST_PASSWORD)
    body = response.get_data(as_text=True)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Please wait" in body and "seconds" in body
    assert client.get("/me/").status_code == 302  # the right password did not get in during the pause


def test_logout_needs_a_post_with_a_csrf_token(client, client_user):
    log_in(client, client_user.email)
    assert client.get("/account/logout").status_code == 405
    assert client.post("/account/logout").status_code == 400
    assert client.get("/me/").status_code == 200
    response = submit_form(client, "/account/logout", {}, form_url="/me/")
    assert response.status_code == 302
    assert client.get("/me/").status_code == 302


def test_a_logged_in_person_visiting_login_goes_home(client, client_user):
    log_in(client, client_user.email)
    assert client.get("/account/login").headers["Location"] == "/me/"


def _login_from(client, address: str, email: str, password: str):
    client.environ_base["REMOTE_ADDR"] = address
    return log_in(client, email, password)


def test_logins_are_limited_per_account_whatever_the_address_they_come_from(app_factory, make_user):
    app = app_factory(LOGIN_ACCOUNT_RATE_LIMIT="3 per minute", LOGIN_RATE_LIMIT="100 per minute")
    client = app.test_client()
    with app.app_context():
        make_user(email="target@example.com")
        make_user(email="bystander@example.com")
        for n in range(3):
            response = _login_from(client, f"203.0.113.{n}", "Target@Example.com ", "wrong-password-here")
            assert response.status_code == 200
        response = _login_from(client, "198.51.100.7", "target@example.com", TEST_PASSWORD)
        assert response.status_code == 429 and "Please wait" in response.get_data(as_text=True)
        assert client.get("/me/").status_code == 302  # the right password did not get in during the pause
        # Another account from the same addresses is not held up.
        assert _login_from(client, "203.0.113.0", "bystander@example.com", TEST_PASSWORD).status_code == 302


def test_the_per_account_limit_applies_to_addresses_without_an_account_too(app_factory, make_user):
    app = app_factory(LOGIN_ACCOUNT_RATE_LIMIT="2 per minute", LOGIN_RATE_LIMIT="100 per minute")
    client = app.test_client()
    with app.app_context():
        make_user(email="real@example.com")
        answers = {}
        for email in ("real@example.com", "nobody@example.com"):
            codes = [_login_from(client, f"192.0.2.{n}", email, "wrong-password-here").status_code for n in range(3)]
            answers[email] = codes
    assert answers["real@example.com"] == answers["nobody@example.com"] == [200, 200, 429]


def test_the_limiter_keeps_a_hash_of_the_address_not_the_address(app_factory):
    from portal.extensions import limiter

    app = app_factory()
    with app.app_context():
        log_in(app.test_client(), "Private.Person@example.com", "wrong-password-here")
        keys = " ".join(str(key) for key in limiter.storage.storage)
    assert "account:" in keys and "private.person" not in keys.lower()
