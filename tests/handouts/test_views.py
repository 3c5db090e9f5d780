"""The pages: library, composing, preview, publishing, downloading, and who may see what."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.handouts import handouts, protocols
from portal.models import AuditEvent, ProtocolItem, PublishedHandout, Role
from tests.conftest import csrf_token_from, log_in, submit_form
from tests.handouts.conftest import pdf_text


@pytest.fixture
def maya(client, practice):
    log_in(client, practice.practitioner.email)
    return client


def compose_data(page_html: str, **overrides) -> dict:
    """The compose form as the browser would send it: every field with its current value."""
    data = {"csrf_token": csrf_token_from(page_html)}
    for name, value in re.findall(r'<input[^>]*name="(lines-\d+-\w+)"[^>]*value="([^"]*)"', page_html):
        data[name] = value
    for name, value in re.findall(r'<textarea[^>]*name="([\w-]+)"[^>]*>\n?([^<]*)</textarea>', page_html):
        data[name] = value
    for name, value in re.findall(
        r'<select[^>]*name="(lines-\d+-category)".*?<option selected value="(\w+)"', page_html, re.S
    ):
        data[name] = value
    data.update(overrides)
    return data


# The library -------------------------------------------------------------------------------------------------


def test_she_adds_edits_archives_and_restores_library_items(maya):
    response = submit_form(
        maya,
        "/practitioner/handouts/library/new",
        {
            "category": "supplement",
            "title": "Magnesium glycinate",
            "dose": "300 mg",
            "timing": "Evening",
            "duration": "3 months",
            "instructions": "With food.",
            "rationale": "Calms nerves.",
        },
        follow_redirects=True,
    )
    assert "“Magnesium glycinate” is saved in your library." in response.get_data(as_text=True)
    item = db.session.execute(db.select(ProtocolItem)).scalar_one()
    submit_form(
        maya,
        f"/practitioner/handouts/library/{item.id}",
        {"category": "supplement", "title": "Magnesium glycinate", "dose": "400 mg"},
    )
    db.session.expire_all()
    assert db.session.get(ProtocolItem, item.id).dose == "400 mg"
    page = submit_form(
        maya,
        f"/practitioner/handouts/library/{item.id}/archive",
        {},
        form_url="/practitioner/handouts/library",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "is archived" in page and "Archived items (1)" in page
    db.session.expire_all()
    assert db.session.get(ProtocolItem, item.id).archived_at is not None  # kept, never deleted
    submit_form(
        maya, f"/practitioner/handouts/library/{item.id}/restore", {}, form_url="/practitioner/handouts/library"
    )
    db.session.expire_all()
    assert db.session.get(ProtocolItem, item.id).archived_at is None


def test_an_item_without_a_title_is_explained_and_what_she_typed_is_kept(maya):
    response = submit_form(
        maya,
        "/practitioner/handouts/library/new",
        {"category": "diet", "title": " ", "dose": "2 litres", "instructions": "x" * 1001},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give the item a title." in page and "Use at most 1,000 characters." in page
    assert 'value="2 litres"' in page
    assert db.session.execute(db.select(ProtocolItem)).first() is None


def test_another_practitioners_items_and_sessions_are_not_found(client, practice, session, library_items, make_user):
    other = make_user(Role.PRACTITIONER, email="other@example.com")
    log_in(client, other.email)
    assert client.get(f"/practitioner/handouts/library/{library_items[0].id}").status_code == 404
    assert client.get(f"/practitioner/sessions/{session.booking.id}/protocol").status_code == 404
    assert client.get(f"/practitioner/sessions/{session.booking.id}/protocol/preview").status_code == 404


def test_clients_cannot_open_practitioner_pages(client, session):
    log_in(client, session.client.email)
    for url in (
        "/practitioner/handouts/library",
        "/practitioner/handouts/settings",
        f"/practitioner/sessions/{session.booking.id}/protocol",
    ):
        assert client.get(url).status_code == 404


# Composing ---------------------------------------------------------------------------------------------------


def test_she_composes_a_protocol_from_the_library_adjusts_orders_and_adds_a_one_off(maya, session, library_items):
    url = f"/practitioner/sessions/{session.booking.id}/protocol"
    page = maya.get(url).get_data(as_text=True)
    assert "Magnesium glycinate" in page
    maya.post(
        url,
        data={
            **compose_data(page, summary="Good progress."),
            "action": "add_items",
            "add_items": [str(library_items[0].id), str(library_items[1].id)],
        },
    )
    page = maya.get(url).get_data(as_text=True)
    assert 'value="Magnesium glycinate"' in page and "Good progress." in page
    data = compose_data(page, **{"lines-0-dose": "150 mg for a week, then 300 mg"})
    maya.post(url, data={**data, "action": "move:1:up"})
    protocol = protocols.protocol_for(session.booking)
    assert [line.title for line in protocol.lines] == ["Riboflavin (vitamin B2)", "Magnesium glycinate"]
    assert protocol.lines[1].dose == "150 mg for a week, then 300 mg"
    assert library_items[0].dose == "300 mg"  # the library keeps its own text
    page = maya.get(url).get_data(as_text=True)
    maya.post(url, data={**compose_data(page), "action": "add_one_off"})
    page = maya.get(url).get_data(as_text=True)
    maya.post(
        url,
        data={**compose_data(page, **{"lines-2-title": "Peppermint tea after meals"}), "remove": "0", "action": "save"},
    )
    db.session.expire_all()
    protocol = protocols.protocol_for(session.booking)
    assert [line.title for line in protocol.lines] == ["Magnesium glycinate", "Peppermint tea after meals"]
    assert [line.position for line in protocol.lines] == [0, 1]


def test_a_bad_line_is_explained_and_nothing_she_typed_is_lost(maya, composed):
    url = f"/practitioner/sessions/{composed.booking.id}/protocol"
    page = maya.get(url).get_data(as_text=True)
    response = maya.post(
        url, data={**compose_data(page, summary="New summary", **{"lines-0-title": ""}), "action": "save"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give the item a title." in page and "New summary" in page


def test_the_preview_is_the_handout_with_its_own_style_nonce(maya, composed):
    response = maya.get(f"/practitioner/sessions/{composed.booking.id}/protocol/preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    nonce = re.search(r'<style nonce="([^"]+)">', page).group(1)
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
    assert "Clara Client" in page and "Magnesium glycinate" in page and "<svg" in page
    assert "Publish and tell Clara" in page
    pdf = maya.get(f"/practitioner/sessions/{composed.booking.id}/protocol/preview.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert db.session.execute(db.select(PublishedHandout)).first() is None  # a preview publishes nothing


# Publishing and downloading ----------------------------------------------------------------------------------


def publish(client, booking_id: int):
    return submit_form(
        client,
        f"/practitioner/sessions/{booking_id}/protocol/publish",
        {},
        form_url=f"/practitioner/sessions/{booking_id}/protocol/preview",
        follow_redirects=True,
    )


def test_publishing_emails_her_without_health_data_in_the_subject(mail_app, practice, composed, smtp_server):
    client = mail_app.test_client()
    log_in(client, practice.practitioner.email)
    page = publish(client, composed.booking.id).get_data(as_text=True)
    assert "Published version 1. Clara has been e-mailed that it is ready." in page
    (message,) = [m for m in smtp_server.messages if "handout" in m["Subject"]]  # her bookings' e-mails aside
    assert message["To"] == "client@example.com"
    assert message["Subject"] == "Your handout from Migraine & Gut Health Practice is ready"
    body = message.get_body(("plain",)).get_content()
    assert "http://portal.test/me/handouts/" in body
    assert "magnesium" not in body.lower() and "migraine" not in message["Subject"].lower().replace(
        "migraine & gut health practice", ""
    )


def test_publishing_and_downloading_are_in_the_audit_trail(maya, composed, client):
    publish(maya, composed.booking.id)
    handout = handouts.published_handouts(composed.client.id)[0]
    maya.get(f"/handouts/{handout.id}/download")
    actions = [
        (e.action, e.what, e.what_id)
        for e in db.session.execute(
            db.select(AuditEvent).filter_by(client_id=composed.client.id).order_by(AuditEvent.id)
        ).scalars()
    ]
    assert actions == [("create", "handout", handout.id), ("download", "handout", handout.id)]


def test_she_downloads_her_own_handout_privately_and_nobody_else_can(app, practice, composed, make_user):
    handout = handouts.publish_handout(composed.booking)
    url = f"/handouts/{handout.id}/download"

    visitor = app.test_client()
    response = visitor.get(url)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]

    other = make_user(Role.CLIENT, email="other@example.com")
    stranger = app.test_client()
    log_in(stranger, other.email)
    assert stranger.get(url).status_code == 404
    assert stranger.get("/handouts/99999/download").status_code == 404

    other_practitioner = make_user(Role.PRACTITIONER, email="second@example.com")
    colleague = app.test_client()
    log_in(colleague, other_practitioner.email)
    assert colleague.get(url).status_code == 404

    clara = app.test_client()
    log_in(clara, composed.client.email)
    response = clara.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="handout-2026-03-03-v1.pdf"'
    assert "no-store" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]
    assert response.data == handouts.handout_pdf(handout)
    assert "Clara Client" in pdf_text(response.data)

    maya = app.test_client()
    log_in(maya, practice.practitioner.email)
    assert maya.get(url).status_code == 200
    page = maya.get(f"/practitioner/clients/{composed.client.id}/handouts").get_data(as_text=True)
    assert f"/handouts/{handout.id}/download" in page


def test_she_sees_the_latest_version_and_can_open_earlier_ones(app, composed):
    first = handouts.publish_handout(composed.booking)
    second = handouts.publish_handout(composed.booking)
    clara = app.test_client()
    log_in(clara, composed.client.email)
    page = clara.get("/me/handouts/").get_data(as_text=True)
    assert "Follow-up, 3 March 2026" in page and "Version 2, updated" in page
    assert page.index(f"/handouts/{second.id}/download") < page.index("Earlier versions (1)")
    assert page.index("Earlier versions (1)") < page.index(f"/handouts/{first.id}/download")
    assert clara.get(f"/handouts/{first.id}/download").status_code == 200


def test_the_my_handouts_page_needs_a_client(app, practice):
    assert "/account/login" in app.test_client().get("/me/handouts/").headers["Location"]
    maya = app.test_client()
    log_in(maya, practice.practitioner.email)
    assert maya.get("/me/handouts/").status_code == 404


def test_her_home_page_offers_the_latest_handout_and_her_sessions_page_links_to_composing(app, practice, composed):
    handout = handouts.publish_handout(composed.booking)
    clara = app.test_client()
    log_in(clara, composed.client.email)
    home = clara.get("/me/").get_data(as_text=True)
    assert f"/handouts/{handout.id}/download" in home and "/me/handouts/" in home
    maya = app.test_client()
    log_in(maya, practice.practitioner.email)
    session_page = maya.get(f"/practitioner/bookings/{composed.booking.id}").get_data(as_text=True)
    assert f"/practitioner/sessions/{composed.booking.id}/protocol" in session_page
    assert "Protocol library" in session_page
