"""The case file: everything about a client on one page, in the same number of SQL queries for a client
with almost nothing as for one with years of sessions, answers, diary days and notes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from portal.cases import notes
from portal.cases.casefile import age_on, payment_state
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Assignment, Booking, DiaryEntry, Payment, QuestionnaireResponse, Role
from portal.records import profiles
from tests.cases.conftest import add_response


def count_queries(browser, url: str) -> tuple[int, str]:
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = browser.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def fill_history(
    maya, client, make_booking, template, *, sessions: int, responses: int, days: int, notes_: int, shift_hours: int = 0
):
    for n in range(sessions):
        booking = make_booking(maya, client, timedelta(days=-2 * n - 1, hours=n % 5 + shift_hours))
        db.session.add(
            Payment(
                booking_id=booking.id,
                client_id=client.id,
                method="cash",
                status="succeeded",
                amount_minor=8500,
                currency="GBP",
                succeeded_at=booking.starts_at,
                refunded_minor=1000 if n % 3 == 0 else 0,
            )
        )
    make_booking(maya, client, timedelta(days=3, hours=shift_hours), status="confirmed")
    for n in range(responses):
        add_response(client, ("hit6", "phq9", "ibs_sss", "gad7")[n % 4], 10 + n % 7, days_ago=7 * n)
    today = utcnow().date()
    db.session.add_all(
        DiaryEntry(
            client_id=client.id,
            day=today - timedelta(days=n),
            headache="migraine",
            intensity=6,
            stool_types=[2],
            bloating=7,
            note=f"Day {n}",
        )
        for n in range(days)
    )
    db.session.commit()
    for n in range(notes_):
        note = notes.start_note(client, maya, template, context="c")
        notes.save_draft(note, 1, f"Note {n}", ["s", "o", "a", "p"])
        if n % 2:
            notes.sign_note(note, note.revision, maya)
            notes.amend_note(note, maya, "Later", "More")
    profiles.save_profile(client.id, client.id, {"medication": "Sumatriptan 50 mg", "allergies": "None known"}, None)
    db.session.commit()


def test_the_case_file_takes_the_same_number_of_queries_however_much_history(
    maya_browser, maya, make_user, make_booking, template
):
    nothing = make_user(Role.CLIENT, name="No History")
    little = make_user(Role.CLIENT, name="Little History")
    much = make_user(Role.CLIENT, name="Much History")
    fill_history(maya, little, make_booking, template, sessions=1, responses=1, days=1, notes_=1)
    fill_history(maya, much, make_booking, template, sessions=30, responses=40, days=200, notes_=12, shift_hours=8)
    maya_browser.get(f"/practitioner/clients/{little.id}")  # shipped templates, caches: the first time only
    none, _ = count_queries(maya_browser, f"/practitioner/clients/{nothing.id}")
    few, _ = count_queries(maya_browser, f"/practitioner/clients/{little.id}")
    many, html = count_queries(maya_browser, f"/practitioner/clients/{much.id}")
    assert none == few == many, (none, few, many)
    assert few <= 20
    assert html.count('class="note-list__title"') == 12 and "Sumatriptan 50 mg" in html


def test_the_case_file_shows_profile_sessions_scores_diary_and_notes(
    maya_browser, maya, sophie, make_booking, template, signed
):
    profiles.save_profile(
        sophie.id,
        sophie.id,
        {"conditions": "Migraine without aura; IBS-C", "medication": "Sumatriptan 50 mg", "gp_name": "Dr Patel"},
        None,
    )
    db.session.commit()
    past = make_booking(maya, sophie, timedelta(days=-7))
    db.session.add(
        Payment(
            booking_id=past.id,
            client_id=sophie.id,
            method="card",
            status="succeeded",
            amount_minor=8500,
            currency="GBP",
            succeeded_at=past.starts_at,
        )
    )
    make_booking(maya, sophie, timedelta(days=5), status="confirmed")
    add_response(sophie, "hit6", 62, "severe impact", days_ago=40)
    add_response(sophie, "hit6", 55, "substantial impact", days_ago=2)
    add_response(sophie, "id_migraine", 3, answers={"disability": True, "nausea": True, "photophobia": False})
    page = maya_browser.get(f"/practitioner/clients/{sophie.id}").get_data(as_text=True)
    for expected in [
        "Sophie Turner",
        "Migraine without aura; IBS-C",
        "Sumatriptan 50 mg",
        "Dr Patel",
        "Paid £85.00",
        "£85.00 to pay",
        "HIT-6",
        "severe impact → substantial impact",
        "<svg",
        signed.title,
        "Signed",
        "Coming up",
        "She has not started her diary yet.",
    ]:
        assert expected in page, expected


def test_intake_answers_are_shown_in_words(maya_browser, maya, sophie):
    intake = Assignment(
        client_id=sophie.id,
        code="id_migraine",
        next_due=utcnow().date(),
        active=False,
        assigned_by_id=maya.id,
        intake=True,
    )
    db.session.add(intake)
    db.session.commit()
    db.session.add(
        QuestionnaireResponse(
            client_id=sophie.id,
            assignment_id=intake.id,
            code="id_migraine",
            version="1",
            status="submitted",
            answers={"disability": True, "nausea": False, "photophobia": True},
            total=2,
            band="",
            submitted_at=utcnow(),
        )
    )
    db.session.commit()
    page = maya_browser.get(f"/practitioner/clients/{sophie.id}").get_data(as_text=True)
    intake_part = page[page.index('id="intake-title"') : page.index('id="handouts-title"')]
    assert "Migraine screener (ID-Migraine)" in intake_part
    assert "does light bother you a lot more" in intake_part
    assert intake_part.count("<dd>Yes</dd>") == 2 and intake_part.count("<dd>No</dd>") == 1


def test_a_client_with_nothing_yet_has_a_calm_case_file(maya_browser, sophie):
    page = maya_browser.get(f"/practitioner/clients/{sophie.id}").get_data(as_text=True)
    for expected in [
        "No notes yet.",
        "Nothing booked.",
        "No questionnaires answered yet.",
        "She has not filled in her profile yet.",
        "She has not started her diary yet.",
    ]:
        assert expected in page, expected


@pytest.mark.parametrize(
    "status, payments, expected",
    [
        ("confirmed", [], ("due", "£85.00 to pay")),
        ("pending_payment", [], ("card_due", "Awaiting card payment")),
        ("cancelled", [], ("none", "Nothing paid")),
        ("completed", [("succeeded", 8500, 0)], ("paid", "Paid £85.00")),
        ("completed", [("succeeded", 5000, 0)], ("part_paid", "£50.00 of £85.00 paid")),
        ("completed", [("succeeded", 8500, 2000)], ("part_refunded", "Paid £85.00, £20.00 refunded")),
        ("cancelled", [("succeeded", 8500, 8500)], ("refunded", "Refunded £85.00")),
        ("completed", [("failed", 8500, 0)], ("due", "£85.00 to pay")),
    ],
)
def test_payment_state_in_words(status, payments, expected):
    booking = Booking(status=status, price_minor=8500, currency="GBP")
    rows = [Payment(status=s, amount_minor=a, refunded_minor=r, currency="GBP") for s, a, r in payments]
    state = payment_state(booking, rows)
    assert (state.kind, state.label) == expected


def test_a_free_session_needs_no_payment():
    assert payment_state(Booking(status="confirmed", price_minor=0, currency="GBP"), []).label == "Free"


def test_the_case_file_is_linked_from_her_session_and_the_attention_list(maya_browser, maya, sophie, make_booking):
    booking = make_booking(maya, sophie, timedelta(days=-1))
    add_response(sophie, "phq9", 12, "moderate", flags=["self_harm_thoughts"])
    case_file = f'href="/practitioner/clients/{sophie.id}"'
    session_page = maya_browser.get(f"/practitioner/bookings/{booking.id}").get_data(as_text=True)
    assert case_file in session_page
    assert f"/practitioner/clients/{sophie.id}/notes/new?booking={booking.id}" in session_page
    assert case_file in maya_browser.get("/practitioner/").get_data(as_text=True)


@pytest.mark.parametrize(
    "born, today, age",
    [
        (date(1989, 6, 14), date(2026, 6, 13), 36),
        (date(1989, 6, 14), date(2026, 6, 14), 37),
        (date(2000, 2, 29), date(2026, 2, 28), 25),
        (date(2000, 2, 29), date(2026, 3, 1), 26),
    ],
)
def test_age_in_whole_years(born, today, age):
    assert age_on(born, today) == age
