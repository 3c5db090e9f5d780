from portal.extensions import db
from portal.models import User
from tests.conftest import csrf_token_from, submit_form

GOOD = {"name": "Nora Newcomer", "email": "Nora@Example.com ", "password": "lavender-tea-at-noon",
        "timezone": "America/New_York"}


def count_users() -> int:
    return db.session.execute(db.select(db.func.count()).select_from(User)).scalar_one()


def test_a_visitor_signs_up_as_a_client_and_lands_on_her_home(client):
    response = submit_form(client, "/account/signup", GOOD, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.request.path == "/me/"
    assert "Hello, Nora" in body
    user = db.session.execute(db.select(User)).scalar_one()
    assert (user.email, user.role, user.timezone) == ("nora@example.com", "client", "America/New_York")
    assert user.password_hash.startswith("scrypt:") and "lavender" not in user.password_hash


def test_the_time_zone_defaults_to_the_practice_zone_and_is_marked_for_the_browser(client):
    html = client.get("/account/signup").get_data(as_text=True)
    assert 'data-browser-timezone' in html
    assert '<option selected value="Europe/London">' in html


def test_an_email_that_exists_in_another_case_is_refused_and_nothing_is_added(client, client_user):
    response = submit_form(client, "/account/signup", {**GOOD, "email": "CLIENT@example.COM"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already an account with this e-mail" in body
    assert count_users() == 1


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
    assert "Not a valid choice" in response.get_data(as_text=True)
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
    body = (b"csrf_token=" + token.encode() + b"&name=N%FF%FEra&email=nora%40example.com"
            b"&password=lavender-tea-at-noon&timezone=Europe%2FLondon")
    response = client.post("/account/signup", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "some characters were not valid text" in response.get_data(as_text=True)
    assert count_users() == 0


def test_raw_bytes_that_are_not_utf8_get_a_plain_400(client):
    response = client.post("/account/login", data=b"email=\xff\xfe&password=x",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "some characters were not valid text" in response.get_data(as_text=True)


def test_multipart_bytes_that_are_not_utf8_get_a_message_next_to_the_field(client):
    token = csrf_token_from(client.get("/account/signup").get_data(as_text=True))
    parts = {"csrf_token": token.encode(), "name": b"N\xff\xfera", "email": b"nora@example.com",
             "password": b"lavender-tea-at-noon", "timezone": b"Europe/London"}
    body = b"".join(b'--XX\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (k.encode(), v)
                    for k, v in parts.items()) + b"--XX--\r\n"
    response = client.post("/account/signup", data=body, content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 200
    assert "characters we could not read" in response.get_data(as_text=True)
    assert count_users() == 0


def test_signing_up_keeps_the_page_she_was_going_to(client):
    response = submit_form(client, "/account/signup?next=/me/%3Ftab%3Dsessions", GOOD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/me/?tab=sessions"
