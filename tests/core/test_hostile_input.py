"""Each kind of input that once gave a 500 (mostly on PostgreSQL) now gets a clear 400, 404 or 422, with the
message beside the field where there is one, what was typed kept, and nothing written. Runs on both databases.
"""

from __future__ import annotations

import http.client
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from portal.booking import lifecycle
from portal.cases import notes, templates
from portal.config import ConfigError, load_config
from portal.extensions import db
from portal.handouts import handouts, protocols
from portal.handouts.examples import past_session
from portal.mail import build_message
from portal.models import Booking, DiaryEntry, HandoutSettings, Note, Payment, PublishedHandout, Role, Service, User
from portal.questionnaires import custom
from portal.records import profiles
from tests.conftest import csrf_token_from, free_port, log_in, outbox_messages, submit_form


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.fixture
def booked(practice, client_user) -> Booking:
    return lifecycle.book(client_user, practice.follow_up, practice.free(practice.follow_up)[3], needs_payment=False)


# NUL and other control characters ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Clara\x00Client", "Clara\r\nBcc: someone@example.com", "\x1b[2J", "Clara\u2028"])
def test_a_control_character_in_the_sign_up_name_is_refused_beside_the_field(client, name):
    response = submit_form(
        client,
        "/account/signup",
        {"name": name, "email": "clara@example.com", "password": "quiet-morning-walk", "timezone": "Europe/London"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "This must be one line, without control characters." in body
    assert 'value="clara@example.com"' in body  # the rest of what she typed is kept
    assert count(User) == 0


def test_a_nul_in_a_text_area_is_refused_and_nothing_is_saved(client, client_user):
    log_in(client, client_user.email)
    page = client.get("/me/diary/").get_data(as_text=True)
    response = client.post(
        "/me/diary/",
        data={
            "headache": "none",
            "intensity": "0",
            "hours": "0",
            "bloating": "0",
            "abdominal_pain": "0",
            "note": "Red wine\x00",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert "This contains control characters" in response.get_data(as_text=True)
    assert count(DiaryEntry) == 0


@pytest.mark.parametrize(
    "url",
    [
        "/calendar/a%00b.ics",
        "/calendar/%FF%FE.ics",
        "/book/?day=%00",
        "/account/login?next=/me/%0d%0aSet-Cookie:x",
        "/book/?q=%C3",
    ],
)
def test_control_characters_or_bytes_that_are_not_utf8_in_an_address_get_a_plain_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "That address contains characters we can" in response.get_data(as_text=True)


def test_a_nul_in_the_client_search_gets_a_400_not_a_database_error(client, practitioner):
    log_in(client, practitioner.email)
    assert client.get("/practitioner/clients?q=Clara%00").status_code == 400
    assert client.get("/practitioner/clients?q=Clara").status_code == 200


# Ids, revisions and versions beyond what a column holds -------------------------------------------------------------


@pytest.mark.parametrize(
    "booking_id",
    ["18446744073709551616", "9223372036854775808", "9223372036854775807", "2147483648", "1" + "0" * 30, "٣", "-1"],
)
def test_an_id_beyond_an_integer_column_is_a_404(client, client_user, booked, booking_id):
    log_in(client, client_user.email)
    assert client.get(f"/me/bookings/{booked.id}").status_code == 200
    assert client.get(f"/me/bookings/{booking_id}").status_code == 404
    assert client.get(f"/book/{booking_id}/").status_code == 404


@pytest.fixture
def draft(practitioner, client_user) -> Note:
    templates.ensure_shipped(practitioner)
    return notes.start_note(client_user, practitioner, templates.templates_of(practitioner.id)[0])


@pytest.mark.parametrize("revision", ["18446744073709551616", "9223372036854775807", "2147483648", "٣", "²"])
def test_a_revision_beyond_an_integer_or_in_other_digits_is_refused(client, practitioner, draft, revision):
    log_in(client, practitioner.email)
    url = f"/practitioner/notes/{draft.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    data = {"title": "Changed title", "revision": revision, "sections-0": "Text", "csrf_token": token}
    page = client.post(url, data=data)
    assert page.status_code == 422 and "This page is out of date or was changed." in page.get_data(as_text=True)
    assert "Changed title" in page.get_data(as_text=True)
    autosave = client.post(url + "/autosave", data=data)
    assert autosave.status_code == 422 and "This page is out of date or was changed." in autosave.json["error"]
    db.session.expire_all()
    assert (db.session.get(Note, draft.id).revision, db.session.get(Note, draft.id).title) == (1, draft.title)


@pytest.mark.parametrize("version", ["²", "٣", "18446744073709551616"])
def test_other_digits_in_the_hidden_version_field_are_refused(client, client_user, version):
    log_in(client, client_user.email)
    page = client.get("/me/profile").get_data(as_text=True)
    response = client.post(
        "/me/profile", data={"goals": "Sleep better", "version": version, "csrf_token": csrf_token_from(page)}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "This form is out of date" in body and "Sleep better" in body
    assert profiles.profile_for(client_user.id) is None


# Dates in year 1 or 9999 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "٢٠٢٦-٠١-٠١"])
def test_the_diary_and_the_agenda_refuse_a_date_outside_1900_to_2100(client, make_user, day):
    clara, maya = make_user(Role.CLIENT), make_user(Role.PRACTITIONER)
    log_in(client, clara.email)
    page = client.get("/me/diary/?day=1900-01-01")
    assert page.status_code == 200
    for data in (None, {"headache": "none", "csrf_token": csrf_token_from(page.get_data(as_text=True))}):
        response = client.open(f"/me/diary/?day={day}", method="POST" if data else "GET", data=data)
        assert response.status_code == 400 and "between 1900 and 2100" in response.get_data(as_text=True)
    assert count(DiaryEntry) == 0
    client.post("/account/logout", data={"csrf_token": csrf_token_from(client.get("/me/").get_data(as_text=True))})
    log_in(client, maya.email)
    for view in ("day", "week"):
        assert client.get(f"/practitioner/agenda?date={day}&view={view}").status_code == 400
        assert client.get(f"/practitioner/agenda?date=2100-12-31&view={view}").status_code == 200


@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00Z", "9999-12-31T23:45Z", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"]
)
def test_booking_and_moving_to_year_1_or_9999_are_refused(client, practice, client_user, booked, start):
    log_in(client, client_user.email)
    service = practice.follow_up
    for url in (
        f"/book/{service.id}/confirm?start={start}",
        f"/me/bookings/{booked.id}/reschedule/confirm?start={start}",
    ):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200 and "Please choose a time from the list." in response.get_data(as_text=True)
    token = csrf_token_from(client.get(f"/book/{service.id}/").get_data(as_text=True))
    response = client.post(f"/book/{service.id}/confirm", data={"start": start, "csrf_token": token})
    assert response.status_code == 302 and count(Booking) == 1


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_practitioner_moving_a_session_to_year_1_or_9999_is_told_why(client, practice, booked, day):
    log_in(client, practice.practitioner.email)
    url = f"/practitioner/bookings/{booked.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url + "/move", data={"day": day, "time": "10:00", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter a date between 1900 and 2100." in page
    assert f'value="{day}"' in page  # what she typed is still there
    db.session.expire_all()
    assert db.session.get(Booking, booked.id).starts_at == booked.starts_at


# Exponents, NaN and Infinity in money and number fields -----------------------------------------------------------


@pytest.mark.parametrize("price", ["1E+999999999", "sNaN", "NaN", "Infinity", "1e2", "٣", "1_000"])
def test_a_price_with_an_exponent_or_not_a_number_is_refused_beside_the_field(client, practitioner, price):
    log_in(client, practitioner.email)
    response = submit_form(
        client,
        "/practitioner/services/new",
        {"name": "Follow-up", "duration_minutes": "45", "price": price, "active": "y"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter an amount like 75 or 75.50." in body and "Follow-up" in body
    assert count(Service) == 0


@pytest.mark.parametrize("amount", ["1E+999999999", "sNaN", "-Infinity"])
def test_a_payment_or_refund_of_1e999999999_is_refused(client, practice, booked, amount):
    log_in(client, practice.practitioner.email)
    url = f"/practitioner/bookings/{booked.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(
        url + "/payments",
        data={"manual-amount": amount, "manual-method": "cash", "manual-csrf_token": token},
        follow_redirects=True,
    )
    assert "Enter an amount like 75 or 75.50." in response.get_data(as_text=True)
    assert count(Payment) == 0


@pytest.mark.parametrize("hours", ["sNaN", "NaN", "-Infinity", "1E+999999999", "٣"])
def test_snan_in_the_diary_hours_is_refused_beside_the_field(client, client_user, hours):
    log_in(client, client_user.email)
    page = client.get("/me/diary/").get_data(as_text=True)
    response = client.post(
        "/me/diary/",
        data={
            "headache": "migraine",
            "intensity": "6",
            "hours": hours,
            "bloating": "0",
            "abdominal_pain": "0",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.status_code == 422 and "Enter a number like 2 or 2.5." in response.get_data(as_text=True)
    assert count(DiaryEntry) == 0


@pytest.mark.parametrize("low", ["sNaN", "NaN", "1E+999999999"])
def test_snan_as_the_lowest_number_of_a_question_is_refused(client, practitioner, low):
    log_in(client, practitioner.email)
    questionnaire = custom.create_questionnaire(practitioner, "Check-in")
    url = f"/practitioner/questionnaires/{questionnaire.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(
        url + "/questions",
        data={
            "text": "How many glasses of water?",
            "kind": "number",
            "low": low,
            "high": "20",
            "required": "y",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422 and "Enter a number like 2 or 2.5." in response.get_data(as_text=True)
    db.session.expire_all()
    assert custom.library(practitioner.id)[0].questionnaire.draft_items == []


def test_a_questionnaire_title_of_nothing_but_spaces_is_refused_beside_the_field(client, practitioner):
    log_in(client, practitioner.email)
    questionnaire = custom.create_questionnaire(practitioner, "Check-in")
    url = f"/practitioner/questionnaires/{questionnaire.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url + "/details", data={"title": "\u2003\u3000", "csrf_token": token})
    assert response.status_code == 422 and "Give the questionnaire a title." in response.get_data(as_text=True)
    db.session.expire_all()
    assert custom.library(practitioner.id)[0].questionnaire.title == "Check-in"


# Line breaks in the practice name and in e-mail headers --------------------------------------------------------------


def test_a_line_break_in_the_practice_name_is_refused_and_nothing_is_saved(client, practitioner):
    log_in(client, practitioner.email)
    response = submit_form(
        client,
        "/practitioner/handouts/settings",
        {"practice_name": "Calm Gut\r\nBcc: someone@example.com", "accent_colour": "#2d6a64", "paper_size": "A4"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "This must be one line" in body and "Calm Gut" in body
    assert db.session.get(HandoutSettings, practitioner.id) is None  # never saved


@pytest.mark.parametrize("header", ["to", "subject"])
def test_an_email_header_with_a_line_break_is_refused(app, header):
    values = {"to": "clara@example.com", "subject": "Your handout"} | {header: "x\r\nBcc: someone@example.com"}
    with app.test_request_context(), pytest.raises(ValueError, match="one line"):
        build_message(values["to"], values["subject"], "password_reset", name="Clara", link="x", minutes=60)


def test_a_practice_name_with_a_line_break_in_the_environment_stops_the_portal(tmp_path):
    with pytest.raises(ConfigError, match="PRACTICE_NAME must be one line"):
        load_config({"PRACTICE_NAME": "Calm\nGut", "SECRET_KEY": "x" * 40}, tmp_path)


def test_a_practice_name_with_a_line_break_still_publishes_and_e_mails_on_one_line(client, practice, client_user, app):
    """A practice name stored with a line break before it was refused still publishes, and the e-mail's subject
    (one header line) carries the name on one line, instead of failing with a 500 or losing the e-mail."""
    settings = handouts.settings_for(practice.practitioner.id)
    handouts.save_settings(
        settings,
        practice_name="Calm Gut\nPractice",
        accent_colour="#2d6a64",
        disclaimer="",
        paper_size="A4",
        logo=None,
        remove_logo=False,
    )
    db.session.commit()
    booking = past_session(
        practice.practitioner.id,
        client_user.id,
        practice.discovery,
        practice.free(practice.discovery)[0] - timedelta(days=30),
    )
    protocols.protocol_for(booking)
    db.session.commit()
    log_in(client, practice.practitioner.email)
    url = f"/practitioner/sessions/{booking.id}/protocol"
    token = csrf_token_from(client.get(url + "/preview").get_data(as_text=True))
    response = client.post(url + "/publish", data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200 and "Published version 1" in response.get_data(as_text=True)
    (message,) = [m for m in outbox_messages(app) if m["To"] == client_user.email and "handout" in m["Subject"]]
    assert message["Subject"] == "Your handout from Calm Gut Practice is ready"
    assert count(PublishedHandout) == 1


# A body larger than MAX_CONTENT_LENGTH sent without Content-Length ---------------------------------------------


def _serve(app):
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _chunked_signup(port: int, padding: int) -> int:
    """A real chunked POST of the sign-up form over HTTP, the valid fields first and `padding` bytes after."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/account/signup")
    page = conn.getresponse()
    cookie = page.getheader("Set-Cookie").split(";", 1)[0]
    token = csrf_token_from(page.read().decode())
    body = (
        f"csrf_token={token}&name=Clara&email=clara%40example.com&password=quiet-morning-walk"
        f"&timezone=Europe%2FLondon&padding={'x' * padding}"
    ).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(
        "POST",
        "/account/signup",
        body=(body[i : i + 1000] for i in range(0, len(body), 1000)),
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        encode_chunked=True,
    )
    response = conn.getresponse()
    response.read()
    return response.status


def test_a_chunked_body_over_the_limit_gets_413_and_is_not_processed(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH="4096")
    server = _serve(app)
    try:
        assert _chunked_signup(server.server_port, 8000) == 413
        with app.app_context():
            assert count(User) == 0  # the first 4,096 bytes held a whole valid sign-up: it was not used
        assert _chunked_signup(server.server_port, 100) == 302  # a small chunked body is read as usual
        with app.app_context():
            assert count(User) == 1
    finally:
        server.shutdown()


# The error page after a database error -------------------------------------------------------------------------------


def _failing_database_route(app):
    from flask_login import current_user, login_required

    @app.get("/test-database-error")
    @login_required
    def database_error():
        db.session.expire_all()  # as after any commit: the page must load who is logged in again
        db.session.add(
            User(role="client", email=current_user.email, name="Copy", password_hash="x", timezone="Europe/London")
        )
        db.session.flush()  # a unique e-mail twice: the session can be used again only after a rollback


def test_a_database_error_gets_the_portals_own_500_page_with_its_headers(app_factory, make_user):
    app = app_factory()
    _failing_database_route(app)
    client = app.test_client()
    with app.app_context():
        log_in(client, make_user(Role.CLIENT).email)
    response = client.get("/test-database-error")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert "Log out" in response.get_data(as_text=True)  # the full page, with her menu: the session was rolled back
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_500_page_still_goes_out_when_the_rollback_itself_fails(app_factory, make_user, caplog):
    from sqlalchemy import event

    app = app_factory()
    _failing_database_route(app)
    client = app.test_client()
    with app.app_context():
        log_in(client, make_user(Role.CLIENT).email)

    def broken_rollback(session, previous_transaction):
        raise RuntimeError("the connection went away")

    with app.app_context():
        session_class = type(db.session())
    event.listen(session_class, "after_soft_rollback", broken_rollback)
    try:
        response = client.get("/test-database-error")
    finally:
        event.remove(session_class, "after_soft_rollback", broken_rollback)
    body = response.get_data(as_text=True)
    assert "rollback after an unhandled error failed" in caplog.text
    assert response.status_code == 500 and "Something went wrong on our side" in body
    assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Frame-Options"] == "DENY"
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1  # the next request has a working session
