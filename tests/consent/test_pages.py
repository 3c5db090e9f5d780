"""The pages: the booking gate and the way back to her chosen time, the signing form's refusals, the PDF for
both sides, the case file's flag, and the practitioner's editor."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest

from portal.booking.pages import iso
from portal.consent import documents
from portal.extensions import db
from portal.models import AuditEvent, Booking, ConsentSignature, ConsentVersion, Role
from tests.conftest import csrf_token_from, log_in, submit_form
from tests.consent.conftest import CONSENT_TEXT, publish_document, sign_as
from tests.handouts.conftest import pdf_text


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def confirm_url(service, start) -> str:
    return f"/book/{service.id}/confirm?start={quote(iso(start))}"


def sign_page(browser, version_id: int, name: str = "Clara Client", agree: bool = True, next_path: str = ""):
    url = "/me/consent" + (f"?next={quote(next_path)}" if next_path else "")
    data = {"version_id": str(version_id), "full_name": name}
    if agree:
        data["agree"] = "y"
    return submit_form(browser, url, data)


@pytest.fixture
def browser(client, client_user):
    log_in(client, client_user.email)
    return client


def test_with_no_published_document_the_booking_page_asks_nothing(browser, practice):
    documents.create_document("consent", "", practice.practitioner)  # a draft only
    start = practice.free(practice.discovery)[0]
    page = browser.get(confirm_url(practice.discovery, start))
    assert page.status_code == 200 and "Confirm your booking" in page.get_data(as_text=True)


def test_a_new_client_signs_each_document_and_returns_to_the_time_she_chose(browser, practice, published):
    start = practice.free(practice.discovery)[0]
    chosen = confirm_url(practice.discovery, start)
    gate = browser.get(chosen)
    assert gate.status_code == 302 and gate.headers["Location"].startswith("/me/consent?next=")
    target = unquote(gate.headers["Location"].split("next=", 1)[1])
    page = browser.get(gate.headers["Location"]).get_data(as_text=True)
    assert "Consent to care" in page and "2 documents to sign" in page
    assert "I will tell my GP about supplements I take." in page

    first = sign_page(browser, published[0].id, next_path=target)
    assert first.status_code == 302 and "/me/consent" in first.headers["Location"]
    assert "Terms and cancellation policy" in browser.get(first.headers["Location"]).get_data(as_text=True)
    second = sign_page(browser, published[1].id, next_path=target)
    back = browser.get(second.headers["Location"])
    assert back.status_code == 302 and back.headers["Location"] == target
    assert unquote(target) == unquote(chosen)
    assert "Confirm your booking" in browser.get(target).get_data(as_text=True)

    booked = submit_form(browser, f"/book/{practice.discovery.id}/confirm", {"start": iso(start)}, form_url=target)
    assert booked.status_code == 302 and count(Booking) == 1
    signature = db.session.execute(db.select(ConsentSignature).filter_by(version_id=published[0].id)).scalar_one()
    assert signature.typed_name == "Clara Client" and signature.ip_address == "127.0.0.1"


def test_posting_the_booking_without_signing_books_nothing(browser, practice, published):
    start = practice.free(practice.discovery)[0]
    token = csrf_token_from(browser.get("/me/consent").get_data(as_text=True))
    response = browser.post(f"/book/{practice.discovery.id}/confirm", data={"start": iso(start), "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/me/consent")
    assert count(Booking) == 0


def test_a_new_version_is_signed_before_her_next_booking(browser, practice, published, client_user):
    for version in published:
        sign_as(client_user, version)
    start = practice.free(practice.discovery)[0]
    assert browser.get(confirm_url(practice.discovery, start)).status_code == 200
    document = documents.document_with_versions(published[0].document_id)
    documents.save_draft(document, document.title, CONSENT_TEXT + "\n\nA new paragraph.")
    documents.publish(document, practice.practitioner, documents.draft_fingerprint(document))
    gate = browser.get(confirm_url(practice.discovery, start))
    assert gate.status_code == 302 and gate.headers["Location"].startswith("/me/consent")
    assert "Version 2" in browser.get(gate.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    "name, agree, message",
    [
        ("Clara Client", False, "Tick the box to say you agree."),
        ("", True, "Type your full name to sign."),
        ("C" * 121, True, "Use at most 120 characters."),
        ("Clara\x00Client", True, "character"),
    ],
)
def test_a_signature_without_the_tick_or_a_proper_name_is_refused_beside_the_field(
    browser, published, name, agree, message
):
    response = sign_page(browser, published[0].id, name=name, agree=agree)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body
    assert 'class="field__error"' in body
    if name and "\x00" not in name and len(name) <= 120:
        assert f'value="{name}"' in body  # what she typed is kept
    assert count(ConsentSignature) == 0


@pytest.mark.parametrize("version_id", ["", "abc", "99999999999999999999", "\u0663"])
def test_a_changed_hidden_version_is_refused_and_nothing_is_signed(browser, published, version_id):
    response = submit_form(browser, "/me/consent", {"version_id": version_id, "full_name": "Clara", "agree": "y"})
    assert response.status_code == 422 and "This page is out of date" in response.get_data(as_text=True)
    assert count(ConsentSignature) == 0


def test_the_document_text_is_escaped(browser, practice):
    publish_document(practice.practitioner, "other", "<script>alert(1)</script>\n<b>bold</b>", title="House <rules>")
    body = browser.get("/me/consent").get_data(as_text=True)
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;<br>&lt;b&gt;" in body
    assert "House &lt;rules&gt;" in body


def test_she_downloads_the_pdf_with_her_name_time_version_and_hash(browser, published, client_user):
    signature = sign_as(client_user, published[0], name="Clara Maria Client")
    response = browser.get(f"/me/documents/{signature.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    text = " ".join(pdf_text(response.data).split())
    assert "Clara Maria Client" in text and "Consent to care" in text and "Version 1" in text
    assert "I will tell my GP about supplements I take." in text
    assert signature.text_sha256 in text.replace(" ", "")
    assert "Europe/London time" in text
    downloads = db.session.execute(db.select(AuditEvent).filter_by(action="download", what="consent")).scalars()
    assert [e.what_id for e in downloads] == [signature.id]


def test_another_clients_signature_is_a_404_for_her(browser, published, make_user):
    other = make_user(Role.CLIENT)
    signature = sign_as(other, published[0])
    assert browser.get(f"/me/documents/{signature.id}.pdf").status_code == 404
    assert "Person" not in browser.get("/me/documents").get_data(as_text=True)


def test_the_practitioner_downloads_it_from_the_case_file_and_sees_what_is_missing(
    app, practice, published, client_user
):
    signature = sign_as(client_user, published[0])
    desk = app.test_client()
    log_in(desk, practice.practitioner.email)
    case = desk.get(f"/practitioner/clients/{client_user.id}").get_data(as_text=True)
    assert "Not signed:" in case and "Terms and cancellation policy (version 1)" in case
    assert f"/practitioner/clients/{client_user.id}/documents/{signature.id}.pdf" in case
    assert "Signed " in case and "as “Clara Client”" in case
    response = desk.get(f"/practitioner/clients/{client_user.id}/documents/{signature.id}.pdf")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    assert signature.text_sha256 in pdf_text(response.data).replace(" ", "").replace("\n", "")
    # The signature under another client's address is not found.
    other = desk.get(f"/practitioner/clients/{practice.practitioner.id}/documents/{signature.id}.pdf")
    assert other.status_code == 404
    sign_as(client_user, published[1])
    assert "Not signed:" not in desk.get(f"/practitioner/clients/{client_user.id}").get_data(as_text=True)


def test_a_booking_the_team_makes_for_her_is_not_held_back(app, practice, published, client_user):
    desk = app.test_client()
    log_in(desk, practice.practitioner.email)
    start = practice.free(practice.follow_up)[0]
    url = f"/practitioner/clients/{client_user.id}/book/{practice.follow_up.id}/confirm"
    response = submit_form(desk, url, {"start": iso(start)}, form_url=f"{url}?start={quote(iso(start))}")
    assert response.status_code == 302 and count(Booking) == 1
    page = desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "has not signed the practice&#39;s current documents yet" in page


def test_the_practitioner_writes_saves_and_publishes_versions(app, practice):
    desk = app.test_client()
    log_in(desk, practice.practitioner.email)
    created = submit_form(desk, "/practitioner/documents", {"kind": "privacy", "title": ""})
    assert created.status_code == 302
    editor = created.headers["Location"]
    saved = submit_form(desk, editor, {"title": "Privacy notice", "text": "We keep your records safe.\r\n\r\nAsk us."})
    assert saved.status_code == 302 and count(ConsentVersion) == 0
    page = desk.get(editor).get_data(as_text=True)
    assert "Publish version 1" in page
    published = submit_form(desk, editor + "/publish", {"seen": _seen(page)}, form_url=editor)
    assert published.status_code == 302
    assert "Published version 1." in desk.get(editor).get_data(as_text=True)
    version = db.session.execute(db.select(ConsentVersion)).scalar_one()
    assert version.text == "We keep your records safe.\n\nAsk us."
    submit_form(desk, editor, {"title": "Privacy notice", "text": "We keep your records safe. Always."})
    page = desk.get(editor).get_data(as_text=True)
    assert "Publish version 2" in page and "Ask us." in page  # version 1 is still shown as it was


def test_publishing_a_draft_changed_since_the_page_was_loaded_is_refused(app, practice):
    version = publish_document(practice.practitioner, "terms", "Old terms")
    desk = app.test_client()
    log_in(desk, practice.practitioner.email)
    editor = f"/practitioner/documents/{version.document_id}"
    submit_form(desk, editor, {"title": "Terms", "text": "New terms"})
    stale = desk.get(editor).get_data(as_text=True)
    submit_form(desk, editor, {"title": "Terms", "text": "Newer terms"})  # another tab
    response = desk.post(editor + "/publish", data={"seen": _seen(stale), "csrf_token": csrf_token_from(stale)})
    assert response.status_code == 302
    assert "changed in another tab" in desk.get(editor).get_data(as_text=True)
    assert count(ConsentVersion) == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"title": "Terms", "text": "A\x00B"}, "character"),
        ({"title": "", "text": "Text"}, "Give the document a title."),
        ({"title": "T" * 201, "text": "Text"}, "Use at most 200 characters."),
    ],
)
def test_a_bad_draft_is_refused_beside_the_field_and_what_she_typed_is_kept(app, practice, data, message):
    version = publish_document(practice.practitioner, "terms", "Old terms")
    desk = app.test_client()
    log_in(desk, practice.practitioner.email)
    response = submit_form(desk, f"/practitioner/documents/{version.document_id}", data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert documents.document_with_versions(version.document_id).text == "Old terms"


def test_another_document_needs_her_own_title(app, practice):
    desk = app.test_client()
    log_in(desk, practice.practitioner.email)
    response = submit_form(desk, "/practitioner/documents", {"kind": "other", "title": ""})
    assert response.status_code == 422 and "Give your document a title." in response.get_data(as_text=True)


def _seen(page: str) -> str:
    marker = 'name="seen" type="hidden" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_the_client_list_flags_who_has_not_signed(app, practice, published, client_user, make_user, make_booking):
    other = make_user(Role.CLIENT, name="Olga Other")
    for version in published:
        sign_as(client_user, version)
    for who in (client_user, other):
        make_booking(who, practice.discovery)
    desk = app.test_client()
    log_in(desk, practice.practitioner.email)
    page = desk.get("/practitioner/clients").get_data(as_text=True)
    rows = {name: row for row in page.split("<li>")[1:] for name in ("Clara Client", "Olga Other") if name in row}
    assert "Consent not signed" in rows["Olga Other"] and "Consent not signed" not in rows["Clara Client"]


def test_the_signing_page_promises_her_chosen_time_only_when_she_has_one(browser, practice, published):
    start = practice.free(practice.discovery)[0]
    from_booking = browser.get(browser.get(confirm_url(practice.discovery, start)).headers["Location"])
    assert "Your chosen time is kept" in from_booking.get_data(as_text=True)
    assert "Your chosen time is kept" not in browser.get("/me/consent").get_data(as_text=True)
