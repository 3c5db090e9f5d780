"""Who may open the case file, notes and templates: only the practitioner. A client (the note's own client
too) gets 404 on every URL, as if it did not exist; a logged-out visitor is sent to log in."""

from __future__ import annotations

import pytest

from portal.cases import notes
from portal.models import Role
from tests.conftest import csrf_token_from, log_in


def urls(client_id: int, note_id: int, template_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/practitioner/clients"),
        ("GET", "/practitioner/clients?q=sophie"),
        ("GET", f"/practitioner/clients/{client_id}"),
        ("GET", f"/practitioner/clients/{client_id}/notes/new"),
        ("POST", f"/practitioner/clients/{client_id}/notes/new"),
        ("GET", f"/practitioner/notes/{note_id}"),
        ("POST", f"/practitioner/notes/{note_id}"),
        ("POST", f"/practitioner/notes/{note_id}/autosave"),
        ("POST", f"/practitioner/notes/{note_id}/amendments"),
        ("GET", "/practitioner/note-templates"),
        ("GET", "/practitioner/note-templates/new"),
        ("GET", f"/practitioner/note-templates/{template_id}"),
        ("POST", f"/practitioner/note-templates/{template_id}"),
    ]


@pytest.fixture
def targets(signed, maya, sophie, template):
    second_draft = notes.start_note(sophie, maya, template)
    return urls(sophie.id, signed.id, template.id) + [
        ("GET", f"/practitioner/notes/{second_draft.id}"),
        ("POST", f"/practitioner/notes/{second_draft.id}"),
        ("POST", f"/practitioner/notes/{second_draft.id}/autosave"),
    ]


def call(browser, method: str, url: str, token_page: str = "/me/"):
    """GET, or POST with a real CSRF token (taken from a page she can open), so only the access rule answers."""
    if method == "GET":
        return browser.get(url)
    return browser.post(url, data={"csrf_token": csrf_token_from(browser.get(token_page).get_data(as_text=True))})


def test_the_notes_own_client_gets_404_everywhere(app, sophie, targets):
    browser = app.test_client()
    log_in(browser, sophie.email)
    for method, url in targets:
        assert call(browser, method, url).status_code == 404, (method, url)


def test_another_client_gets_404_everywhere(app, make_user, targets):
    other = make_user(Role.CLIENT, email="other@example.com")
    browser = app.test_client()
    log_in(browser, other.email)
    for method, url in targets:
        assert call(browser, method, url).status_code == 404, (method, url)


def test_logged_out_visitors_are_sent_to_log_in(app, targets):
    browser = app.test_client()
    for method, url in targets:
        response = call(browser, method, url, token_page="/account/login")
        assert response.status_code == 302 and "/account/login" in response.location, (method, url)


def test_the_practitioner_opens_every_page(maya_browser, sophie, signed, draft, template):
    for url in [
        "/practitioner/clients",
        f"/practitioner/clients/{sophie.id}",
        f"/practitioner/clients/{sophie.id}/notes/new",
        f"/practitioner/notes/{signed.id}",
        "/practitioner/note-templates",
        "/practitioner/note-templates/new",
        f"/practitioner/note-templates/{template.id}",
    ]:
        assert maya_browser.get(url).status_code == 200, url


def test_another_practitioners_notes_and_templates_are_404(app, make_user, signed, template):
    colleague = make_user(Role.PRACTITIONER, email="colleague@example.com")
    browser = app.test_client()
    log_in(browser, colleague.email)
    assert browser.get(f"/practitioner/notes/{signed.id}").status_code == 404
    assert browser.get(f"/practitioner/note-templates/{template.id}").status_code == 404


def test_a_practitioner_is_not_a_client_with_a_case_file(maya_browser, maya):
    assert maya_browser.get(f"/practitioner/clients/{maya.id}").status_code == 404
    assert maya_browser.get("/practitioner/clients/99999").status_code == 404
    assert maya_browser.get("/practitioner/notes/99999").status_code == 404


def test_notes_never_appear_on_the_clients_pages(app, sophie, maya, signed):
    notes.amend_note(signed, maya, "Reason", "Private amendment")
    browser = app.test_client()
    log_in(browser, sophie.email)
    for url in ["/me/", "/me/diary/"]:
        page = browser.get(url).get_data(as_text=True)
        assert "Migraines twice" not in page and "Private amendment" not in page and signed.title not in page
