"""The case file: everything about a client on one page, in the same number of SQL queries for a client
with almost nothing as for one with years of sessions, answers, diary days and notes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.cases import notes
from portal.cases.casefile import age_on, payment_state
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, DiaryEntry, Payment, Role
from portal.questionnaires import responses
from portal.records import profiles


@pytest.fixture
def fill_history(maya, template, make_booking, make_payment, make_response):
    """A client's history: past sessions paid in cash (every third partly refunded), one coming up, answers to
    four instruments a week apart, diary days, notes (every other one signed and amended) and a profile."""

    def fill(client, *, sessions: int, responses: int, days: int, notes_: int) -> None:
        for n in range(sessions):
            booking = make_booking(client, in_days=-2 * n - 1, status="completed")
            make_payment(booking, refunded_minor=1000 if n % 3 == 0 else 0, at=booking.starts_at)
        make_booking(client, in_days=3)
        for n in range(responses):
            code, lowest = (("hit6", 50), ("phq9", 10), ("ibs_sss", 210), ("gad7", 10))[n % 4]
            make_response(client, code, total=lowest + n % 7, days_ago=7 * n)
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
        profiles.save_profile(
            client.id, client.id, {"medication": "Sumatriptan 50 mg", "allergies": "None known"}, None
        )
        db.session.commit()

    return fill


def test_the_case_file_takes_the_same_number_of_queries_however_much_history(
    maya_browser, make_user, fill_history, count_queries
):
    nothing = make_user(Role.CLIENT, name="No History")
    little = make_user(Role.CLIENT, name="Little History")
    much = make_user(Role.CLIENT, name="Much History")
    fill_history(little, sessions=1, responses=1, days=1, notes_=1)
    fill_history(much, sessions=30, responses=40, days=200, notes_=12)
    maya_browser.get(f"/practitioner/clients/{little.id}")  # shipped templates, caches: the first time only
    counted = []
    for url in [f"/practitioner/clients/{who.id}" for who in (nothing, little, much)]:
        with count_queries() as queries:
            page = maya_browser.get(url)
        assert page.status_code == 200
        counted.append(queries.count)
    assert counted[0] == counted[1] == counted[2], counted
    # 20, the trigger finder's two (its days, and their tags), her challenges, and the practice's contact details
    # (the footer reads them once a page)
    assert counted[1] <= 24
    html = page.get_data(as_text=True)
    assert html.count('class="note-list__title"') == 12 and "Sumatriptan 50 mg" in html


def test_the_case_file_shows_profile_sessions_scores_diary_and_notes(
    maya_browser, sophie, make_booking, make_payment, make_response, signed
):
    profiles.save_profile(
        sophie.id,
        sophie.id,
        {"conditions": "Migraine without aura; IBS-C", "medication": "Sumatriptan 50 mg", "gp_name": "Dr Patel"},
        None,
    )
    db.session.commit()
    make_payment(make_booking(sophie, in_days=-7, status="completed"))
    make_booking(sophie, in_days=5)
    make_response(sophie, "hit6", total=62, days_ago=40)
    make_response(sophie, "hit6", total=57, days_ago=2)
    make_response(sophie, "id_migraine", answers={"disability": True, "nausea": True, "photophobia": False})
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


def test_intake_answers_are_shown_in_words(maya_browser, maya, sophie, make_response):
    intake = responses.assign(sophie, "id_migraine", None, utcnow().date(), maya, intake=True)
    make_response(
        sophie, "id_migraine", answers={"disability": True, "nausea": False, "photophobia": True}, assignment=intake
    )
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


def test_the_case_file_is_linked_from_her_session_and_the_attention_list(
    maya_browser, sophie, make_booking, make_response
):
    booking = make_booking(sophie, in_days=-1, status="completed")
    make_response(sophie, "phq9", total=12, answers={"9": 1})  # the self-harm alert
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
