"""The practitioner publishes her consent form; a new client signs it on her phone on the way to her first booking,
and both of them download the signed PDF."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import ConsentSignature
from tests.consent.conftest import CONSENT_TEXT, TERMS_TEXT, publish_document
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in
from tests.handouts.conftest import pdf_text


def test_a_new_client_signs_consent_on_her_first_booking_and_both_download_the_pdf(
    new_page, practice, make_user, tmp_path
):
    maya = practice.practitioner
    make_user(email="priya@example.com", name="Priya Raman", timezone="Asia/Kolkata")
    publish_document(maya, "terms", TERMS_TEXT)

    desk = new_page(DESKTOP)
    desk.goto("/account/login")
    log_in(desk, maya.email)
    desk.goto("/practitioner/documents")
    desk.get_by_label("Kind of document").select_option("consent")
    desk.get_by_role("button", name="Add and write it").click()
    desk.get_by_label("Text").fill(CONSENT_TEXT)
    desk.get_by_role("button", name="Save the draft").click()
    expect(desk.get_by_text("Draft saved.")).to_be_visible()
    desk.get_by_role("button", name="Publish version 1").click()
    expect(desk.get_by_text("Published version 1. Clients sign it")).to_be_visible()
    expect(desk.locator(".version").first).to_contain_text("I will tell my GP about supplements I take.")
    screenshot(desk, "consent-editor-1280")

    phone = new_page(PHONE, timezone_id="Asia/Kolkata")
    phone.goto(f"/book/{practice.discovery.id}/")
    phone.locator(".slot-grid .slot").first.click()
    log_in(phone, "priya@example.com")
    expect(phone.get_by_role("heading", name="Terms and cancellation policy")).to_be_visible()
    expect(phone.get_by_text("2 documents to sign")).to_be_visible()
    assert_fits_phone(phone)
    phone.get_by_role("button", name="Sign").click()  # nothing ticked, no name: told beside each field
    expect(phone.get_by_text("Tick the box to say you agree.")).to_be_visible()
    expect(phone.get_by_text("Type your full name to sign.")).to_be_visible()
    assert_fits_phone(phone)
    screenshot(phone, "consent-sign-refused-375")
    phone.get_by_label("I have read “Terms and cancellation policy” and I agree to it.").check()
    phone.get_by_label("Your full name").fill("Priya Raman")
    phone.get_by_role("button", name="Sign").click()
    expect(phone.get_by_role("heading", name="Consent to care")).to_be_visible()
    expect(phone.get_by_text("1 document to sign")).to_be_visible()
    screenshot(phone, "consent-sign-375")
    phone.get_by_label("I have read “Consent to care” and I agree to it.").check()
    phone.get_by_label("Your full name").fill("Priya Raman")
    phone.get_by_role("button", name="Sign").click()

    expect(phone.get_by_role("heading", name="Confirm your booking")).to_be_visible()  # back at her chosen time
    phone.get_by_role("button", name="Confirm booking").click()
    expect(phone.get_by_text("Your session is booked.")).to_be_visible()

    phone.get_by_role("link", name="My home").first.click()
    phone.get_by_role("link", name="My signed documents").click()
    expect(phone.get_by_role("heading", name="Your signed documents")).to_be_visible()
    assert_fits_phone(phone)
    screenshot(phone, "consent-mine-375")
    signature = db.session.execute(db.select(ConsentSignature).filter_by(title="Consent to care")).scalar_one()
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Download PDF of Consent to care, version 1").click()
    path = tmp_path / "consent.pdf"
    download_info.value.save_as(path)
    text = " ".join(pdf_text(path.read_bytes()).split())
    assert "Priya Raman" in text and "Asia/Kolkata time" in text
    assert signature.text_sha256 in text.replace(" ", "")

    desk.goto(f"/practitioner/clients/{signature.client_id}")
    panel = desk.locator("#consent")
    expect(panel).to_contain_text("Consent to care")
    expect(panel).to_contain_text("as “Priya Raman”")
    expect(desk.get_by_text("Not signed:")).to_have_count(0)
    panel.scroll_into_view_if_needed()
    screenshot(desk, "consent-casefile-1280")
    with desk.expect_download() as download_info:
        panel.get_by_role("link", name="PDF of Consent to care, version 1").click()
    path = tmp_path / "consent-desk.pdf"
    download_info.value.save_as(path)
    desk_text = pdf_text(path.read_bytes())
    assert "Priya Raman" in desk_text and signature.text_sha256 in re.sub(r"\s", "", desk_text)


def test_the_signing_page_editor_and_case_file_panel_fit_a_phone(new_page, practice, make_user):
    maya = practice.practitioner
    version = publish_document(maya, "consent", CONSENT_TEXT)
    clara = make_user(email="clara@example.com", name="Clara Client")

    phone = new_page(PHONE)
    phone.goto("/account/login")
    log_in(phone, clara.email)
    phone.goto("/me/consent")
    expect(phone.get_by_role("heading", name="Consent to care")).to_be_visible()
    assert_fits_phone(phone)
    screenshot(phone, "consent-sign-first-375")

    wide = new_page(DESKTOP)
    wide.goto("/account/login")
    log_in(wide, clara.email)
    wide.goto("/me/consent")
    expect(wide.get_by_role("heading", name="Consent to care")).to_be_visible()
    screenshot(wide, "consent-sign-1280")

    desk = new_page(PHONE)
    desk.goto("/account/login")
    log_in(desk, maya.email)
    desk.goto(f"/practitioner/documents/{version.document_id}")
    expect(desk.get_by_role("heading", name="Published versions")).to_be_visible()
    assert_fits_phone(desk)
    screenshot(desk, "consent-editor-375")
    desk.goto(f"/practitioner/clients/{clara.id}#consent")
    expect(desk.get_by_text("Not signed:")).to_be_visible()
    assert_fits_phone(desk)
    screenshot(desk, "consent-casefile-375")
