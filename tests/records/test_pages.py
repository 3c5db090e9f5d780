"""The records pages: who may open them, the profile forms, the audit table, export and erasure."""

import io
import json
import logging
import zipfile

import pytest

from portal import audit
from portal.extensions import db
from portal.models import Role, User
from portal.records import profiles
from tests.conftest import TEST_PASSWORD, csrf_token_from, log_in, submit_form
from tests.records.conftest import CONDITIONS, DIARY_NOTE

PRACTITIONER_PAGES = [
    "/practitioner/clients/{id}/profile",
    "/practitioner/clients/{id}/audit",
    "/practitioner/clients/{id}/export",
    "/practitioner/clients/{id}/erase",
]
PROFILE = {
    "phone": "+44 7700 900123",
    "date_of_birth": "1988-04-02",
    "conditions": "Migraine without aura",
    "medication": "Propranolol 80 mg",
    "supplements": "Magnesium glycinate 300 mg",
    "allergies": "None",
    "goals": "Work a full week",
    "gp_name": "Dr Okafor",
    "gp_practice": "Elm Street Surgery",
}


def _form(page_html: str, **values) -> dict:
    import re

    version = re.search(r'name="version" type="hidden" value="(\d*)"', page_html)
    return {"csrf_token": csrf_token_from(page_html), "version": version.group(1) if version else "", **values}


# Access ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PRACTITIONER_PAGES)
def test_a_client_gets_404_on_every_practitioner_page_even_her_own(client, clara, page):
    log_in(client, "clara@example.com")
    assert client.get(page.format(id=clara.client.id)).status_code == 404
    token = csrf_token_from(client.get("/me/profile").get_data(as_text=True))
    posted = client.post(
        page.format(id=clara.client.id), data={"csrf_token": token, "confirmation": "clara@example.com"}
    )
    assert posted.status_code == (405 if page.endswith("/audit") else 404)
    assert profiles.profile_for(clara.client.id) is not None  # not erased


@pytest.mark.parametrize("page", PRACTITIONER_PAGES + ["/me/profile", "/me/export"])
def test_logged_out_visitors_are_sent_to_log_in(client, clara, page):
    response = client.get(page.format(id=clara.client.id))
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("page", PRACTITIONER_PAGES)
def test_the_practitioner_gets_404_for_someone_who_is_not_a_client(client, practice, page):
    log_in(client, "maya@example.com")
    assert client.get(page.format(id=practice.practitioner.id)).status_code == 404
    assert client.get(page.format(id=99999)).status_code == 404


def test_the_practitioner_has_no_client_pages_of_her_own(client, practice):
    log_in(client, "maya@example.com")
    assert client.get("/me/profile").status_code == 404 and client.get("/me/export").status_code == 404


def test_a_client_only_ever_sees_her_own_profile(client, clara, make_user):
    make_user(Role.CLIENT, email="other@example.com")
    log_in(client, "other@example.com")
    page = client.get("/me/profile").get_data(as_text=True)
    assert CONDITIONS not in page and "07700 900123" not in page


# The client's profile ------------------------------------------------------------------------------------


def test_the_client_saves_her_details_and_sees_them_again(client, client_user):
    log_in(client, "client@example.com")
    page = client.get("/me/profile").get_data(as_text=True)
    response = client.post("/me/profile", data=_form(page, **PROFILE), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Saved." in html and "Propranolol 80 mg" in html
    profile = profiles.profile_for(client_user.id)
    assert profile.gp_practice == "Elm Street Surgery" and profile.date_of_birth.isoformat() == "1988-04-02"


def test_bad_input_keeps_what_she_typed_with_errors_beside_the_fields(client, client_user):
    log_in(client, "client@example.com")
    page = client.get("/me/profile").get_data(as_text=True)
    bad = {**PROFILE, "phone": "call me", "date_of_birth": "2999-01-01", "goals": "x" * 2001}
    html = client.post("/me/profile", data=_form(page, **bad)).get_data(as_text=True)
    assert "Enter a phone number" in html and "between 1900 and today" in html and "at most 2,000" in html
    assert "Propranolol 80 mg" in html and "call me" in html
    assert profiles.profile_for(client_user.id) is None


def test_a_save_from_an_older_tab_is_refused_and_keeps_the_typing(client, client_user):
    log_in(client, "client@example.com")
    old_tab = client.get("/me/profile").get_data(as_text=True)
    new_tab = client.get("/me/profile").get_data(as_text=True)
    client.post("/me/profile", data=_form(new_tab, **PROFILE))
    html = client.post("/me/profile", data=_form(old_tab, **{**PROFILE, "goals": "From the old tab"})).get_data(
        as_text=True
    )
    assert "changed somewhere else" in html and "From the old tab" in html
    assert profiles.profile_for(client_user.id).goals == "Work a full week"
    client.post("/me/profile", data=_form(html, **{**PROFILE, "goals": "From the old tab"}))
    assert profiles.profile_for(client_user.id).goals == "From the old tab"


def test_the_home_page_links_to_my_details(client, client_user):
    log_in(client, "client@example.com")
    assert 'href="/me/profile"' in client.get("/me/").get_data(as_text=True)


# The practitioner's view ---------------------------------------------------------------------------------


def test_the_practitioner_sees_the_profile_and_what_changed(client, clara):
    log_in(client, "maya@example.com")
    html = client.get(f"/practitioner/clients/{clara.client.id}/profile").get_data(as_text=True)
    assert CONDITIONS in html and "What changed and when" in html
    assert "Phone, Health conditions, Current medication" in html and "by the client" in html
    assert audit.events_for_client(clara.client.id)[0].action == "view"


def test_the_practitioner_edits_the_profile_and_the_change_is_hers(client, clara, practice):
    log_in(client, "maya@example.com")
    url = f"/practitioner/clients/{clara.client.id}/profile"
    page = client.get(url).get_data(as_text=True)
    fields = {f.name: "" for f in profiles.FIELDS}
    profile = profiles.profile_for(clara.client.id)
    fields.update(phone=profile.phone, conditions=profile.conditions, medication="Rizatriptan 5 mg")
    client.post(url, data=_form(page, **fields))
    newest = profiles.profile_changes(clara.client.id)[0]
    assert newest.field_names == ["medication"] and newest.actor_id == practice.practitioner.id


def test_the_audit_page_lists_who_did_what_and_when(app, client, clara):
    hers = app.test_client()
    log_in(hers, "clara@example.com")
    page = hers.get("/me/profile").get_data(as_text=True)
    hers.post("/me/profile", data=_form(page, **PROFILE))
    log_in(client, "maya@example.com")
    client.get(f"/practitioner/clients/{clara.client.id}/profile")
    html = client.get(f"/practitioner/clients/{clara.client.id}/audit").get_data(as_text=True)
    assert "Viewed the profile" in html and "Maya Practitioner" in html and "Created the profile" in html
    assert "Clara Client (the client)" in html and "Changed the profile" in html
    assert CONDITIONS not in html and "Propranolol" not in html


# Export and erasure --------------------------------------------------------------------------------------


def test_the_practitioner_exports_after_typing_the_email(client, clara):
    log_in(client, "maya@example.com")
    url = f"/practitioner/clients/{clara.client.id}/export"
    wrong = submit_form(client, url, {"confirmation": "someone@example.com"})
    assert wrong.status_code == 200 and "not this client" in wrong.get_data(as_text=True)
    response = submit_form(client, url, {"confirmation": "CLARA@example.com"})
    assert response.mimetype == "application/zip" and "no-store" in response.headers["Cache-Control"]
    document = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("records.json"))
    assert document["tables"]["diary_entries"][0]["note"] == DIARY_NOTE
    assert audit.events_for_client(clara.client.id)[0].action == "export"


def test_the_client_exports_her_own_data_with_her_password(client, clara):
    log_in(client, "clara@example.com")
    wrong = submit_form(client, "/me/export", {"password": "not-it"})
    assert "not your password" in wrong.get_data(as_text=True)
    response = submit_form(client, "/me/export", {"password": TEST_PASSWORD})
    document = json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("records.json"))
    assert document["account"]["id"] == clara.client.id and document["includes_practitioner_notes"] is False
    (event,) = [e for e in audit.events_for_client(clara.client.id) if e.action == "export"]
    assert event.actor_id == clara.client.id


def test_the_practitioner_erases_after_typing_the_email(client, clara, app):
    log_in(client, "maya@example.com")
    url = f"/practitioner/clients/{clara.client.id}/erase"
    assert "not this client" in submit_form(client, url, {"confirmation": "clara"}).get_data(as_text=True)
    assert profiles.profile_for(clara.client.id) is not None
    response = submit_form(client, url, {"confirmation": "clara@example.com"}, follow_redirects=True)
    assert "erased" in response.get_data(as_text=True)
    db.session.expire_all()
    assert profiles.profile_for(clara.client.id) is None
    assert db.session.get(User, clara.client.id).name == "Erased client"


def test_an_erased_client_is_logged_out(app, clara, practice):
    hers, maya = app.test_client(), app.test_client()
    log_in(hers, "clara@example.com")
    assert hers.get("/me/profile").status_code == 200
    log_in(maya, "maya@example.com")
    submit_form(maya, f"/practitioner/clients/{clara.client.id}/erase", {"confirmation": "clara@example.com"})
    assert hers.get("/me/profile").status_code == 302


# Health data never in logs -------------------------------------------------------------------------------


def test_saving_a_profile_or_a_diary_day_logs_none_of_the_text(client, client_user, caplog):
    caplog.set_level(logging.DEBUG)
    log_in(client, "client@example.com")
    page = client.get("/me/profile").get_data(as_text=True)
    client.post("/me/profile", data=_form(page, **{**PROFILE, "conditions": "Secret-condition-text"}))
    diary = client.get("/me/diary/").get_data(as_text=True)
    client.post(
        "/me/diary/",
        data={
            "csrf_token": csrf_token_from(diary),
            "headache": "none",
            "intensity": "0",
            "bloating": "0",
            "abdominal_pain": "0",
            "note": "Secret-diary-text",
        },
    )
    assert profiles.profile_for(client_user.id).conditions == "Secret-condition-text"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Secret-condition-text" not in logged and "Secret-diary-text" not in logged
    assert "Propranolol" not in logged


def test_writing_signing_and_amending_a_note_logs_none_of_the_text(app, clara, practice, caplog):
    from portal.cases import notes, templates as note_templates

    caplog.set_level(logging.DEBUG)
    note_templates.ensure_shipped(practice.practitioner)
    note = notes.start_note(
        clara.client, practice.practitioner, note_templates.templates_of(practice.practitioner.id)[0]
    )
    texts = ["Secret-note-text"] + [""] * (len(notes.sections_of(note)) - 1)
    note = notes.save_draft(note, note.revision, "Follow-up", texts)
    note = notes.sign_note(note, note.revision, practice.practitioner)
    notes.amend_note(note, practice.practitioner, "Secret-reason-text", "Secret-amendment-text")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Secret-note-text" not in logged and "Secret-reason" not in logged and "Secret-amendment" not in logged
