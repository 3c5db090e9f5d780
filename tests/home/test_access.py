import pytest

from tests.conftest import log_in


def test_the_front_page_is_public_and_offers_sign_up(client):
    body = client.get("/").get_data(as_text=True)
    assert "Create an account" in body and "Log in" in body


def test_the_front_pages_main_button_books_a_session(client):
    body = client.get("/").get_data(as_text=True)
    assert '<a class="button button--primary" href="/book/">Book a session</a>' in body


@pytest.mark.parametrize("url", ["/me/", "/practitioner/"])
def test_a_visitor_is_sent_to_log_in_and_brought_back(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


def test_a_client_opening_a_practitioner_page_gets_404(client, client_user):
    log_in(client, client_user.email)
    assert client.get("/practitioner/").status_code == 404


def test_the_practitioner_opening_a_client_page_gets_404(client, practitioner):
    log_in(client, practitioner.email)
    assert client.get("/me/").status_code == 404


def test_each_role_sees_only_its_own_navigation(app, practitioner, client_user):
    as_client, as_practitioner = app.test_client(), app.test_client()
    log_in(as_client, client_user.email)
    log_in(as_practitioner, practitioner.email)
    client_page = as_client.get("/me/").get_data(as_text=True)
    practitioner_page = as_practitioner.get("/practitioner/").get_data(as_text=True)
    assert "My home" in client_page and "Dashboard" not in client_page
    assert "Dashboard" in practitioner_page and "My home" not in practitioner_page
    assert "Log out" in client_page and "Log out" in practitioner_page


def test_the_front_page_sends_a_logged_in_person_to_her_home(client, client_user):
    log_in(client, client_user.email)
    assert client.get("/").headers["Location"] == "/me/"
