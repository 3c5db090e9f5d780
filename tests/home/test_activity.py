"""The dashboard's "what happened": bookings, moves, cancellations with reasons, payments, refunds and answers
since she last looked, for her care team only, each linked; the assistant sees no answers; a fixed number of
queries however much happened."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from portal.access import visible_clients
from portal.booking import lifecycle
from portal.db_types import utcnow
from portal.home import activity
from portal.extensions import db
from portal.models import ActivitySeen, Role
from portal.payments import refunds
from portal.practice import settings
from tests.conftest import csrf_token_from, log_in
from tests.factories import book, first_free_start, pay, respond


@pytest.fixture
def team(practice, make_user):
    """Maya owns the practice (practice.practitioner); Jonah is a practitioner with a client of his own."""
    jonah = make_user(Role.PRACTITIONER, email="jonah@example.com", name="Jonah Reyes")
    service = settings.save_service(
        None,
        jonah,
        name="Gut review",
        description="",
        duration_minutes=45,
        price_minor=6000,
        currency="GBP",
        active=True,
    )
    for weekday in range(7):
        settings.add_working_range(jonah, weekday, time(9), time(17))
    desk = make_user(Role.ASSISTANT, email="desk@example.com", name="Rosa Field")
    sophie = make_user(Role.CLIENT, email="sophie@example.com", name="Sophie Turner")
    amelia = make_user(Role.CLIENT, email="amelia@example.com", name="Amelia Hart")
    return jonah, service, desk, sophie, amelia


def kinds(feed) -> list[tuple[str, str]]:
    return [(h.kind, h.client_name) for h in feed.items]


def scope_of(user):
    return lambda column: visible_clients(column, user)


def test_each_sees_what_happened_to_the_clients_she_may_see(practice, team):
    jonah, gut_review, desk, sophie, amelia = team
    sophies = book(sophie, practice.follow_up)  # with Maya
    ameliass = book(amelia, gut_review)  # with Jonah
    payment = pay(ameliass, 6000)  # recorded by Jonah
    refunds.refund_payment(payment, 1000, "Started late", practice.practitioner)  # by Maya (the owner)
    lifecycle.move(ameliass, first_free_start(gut_review, ameliass.starts_at.date() + timedelta(days=1)), amelia)
    refunds.cancel(sophies, sophie, reason="Migraine today")
    respond(amelia, "phq9", total=4)

    seen = {
        who.email: kinds(activity.what_happened(who, scope_of(who), limit=20, clinical=who.is_practitioner))
        for who in (practice.practitioner, jonah, desk)
    }
    assert seen[jonah.email] == [
        ("answered", "Amelia Hart"),
        ("moved", "Amelia Hart"),
        ("refunded", "Amelia Hart"),  # by Maya: his own payment's record is left out
        ("booked", "Amelia Hart"),
    ]
    assert ("cancelled", "Sophie Turner") in seen[practice.practitioner.email]
    assert ("refunded", "Amelia Hart") not in seen[practice.practitioner.email]  # she refunded it herself
    assert ("paid", "Amelia Hart") in seen[practice.practitioner.email]
    assert "answered" not in [kind for kind, _ in seen[desk.email]]  # nothing clinical for the assistant
    assert {"booked", "moved", "cancelled", "paid", "refunded"} <= {kind for kind, _ in seen[desk.email]}
    cancelled = next(
        h for h in activity.what_happened(desk, scope_of(desk), limit=20, clinical=False).items if h.kind == "cancelled"
    )
    assert cancelled.detail == "Migraine today" and cancelled.booking_id == sophies.id


def test_the_dashboard_shows_what_is_new_since_she_marked_it_seen(app, practice, team):
    jonah, gut_review, _, _, amelia = team
    browser = app.test_client()
    log_in(browser, jonah.email)
    first = book(amelia, gut_review)
    page = browser.get("/practitioner/").get_data(as_text=True)
    section = page.split('id="what-happened"')[1].split("</section>")[0]
    assert "New booking" in section and "Amelia Hart" in section and f"/practitioner/bookings/{first.id}" in section

    response = browser.post(
        "/practitioner/activity/seen",
        data={"csrf_token": csrf_token_from(page), "until": utcnow().isoformat().replace("+00:00", "Z")},
    )
    assert response.status_code == 302
    section = browser.get("/practitioner/").get_data(as_text=True).split('id="what-happened"')[1].split("</section>")[0]
    assert "Amelia Hart" not in section and "Nothing new" in section

    respond(amelia, "gad7", total=3)
    page = browser.get("/practitioner/").get_data(as_text=True)
    section = page.split('id="what-happened"')[1].split("</section>")[0]
    assert "New answers" in section and f"/practitioner/clients/{amelia.id}" in section
    everything = browser.get("/practitioner/activity").get_data(as_text=True)
    assert "New booking" in everything and "New answers" in everything  # the page keeps what was seen


def test_marking_seen_never_moves_past_now_nor_back(app, practice, team):
    jonah = team[0]
    later = utcnow() + timedelta(days=3)
    activity.mark_seen(jonah, later)
    assert activity.seen_at(jonah) <= utcnow()
    before = activity.seen_at(jonah)
    activity.mark_seen(jonah, before - timedelta(days=1))
    assert activity.seen_at(jonah) == before


def test_a_page_at_a_time_newest_first(app, practice, team):
    jonah, gut_review, _, _, amelia = team
    made = [book(amelia, gut_review, in_days=days) for days in range(2, 9)]
    first = activity.what_happened(jonah, scope_of(jonah), limit=4, clinical=True)
    assert first.more and [h.booking_id for h in first.items] == [b.id for b in reversed(made)][:4]
    rest = activity.what_happened(jonah, scope_of(jonah), limit=4, before=first.oldest, clinical=True)
    assert not rest.more and [h.booking_id for h in rest.items] == [b.id for b in reversed(made)][4:]


def test_the_feed_reads_a_fixed_number_of_queries(app, practice, team, count_queries):
    jonah, gut_review, _, _, amelia = team
    counted = []
    for days in (2, 3, 4, 5, 6):
        booking = book(amelia, gut_review, in_days=days)
        pay(booking, 6000, method="cash")
        respond(amelia, "phq9", total=days)
        with count_queries() as queries:
            activity.what_happened(jonah, scope_of(jonah), limit=3, clinical=True)
        counted.append(queries.count)
    assert counted == [counted[0]] * 5 and counted[0] <= 5  # one a kind, and her own row reloaded after commits


@pytest.mark.parametrize("before", ["yesterday", "2026-13-01T00:00Z", "\x00", "9" * 100])
def test_a_wrong_page_link_is_not_found(app, practice, team, before):
    browser = app.test_client()
    log_in(browser, team[0].email)
    status = browser.get("/practitioner/activity", query_string={"before": before}).status_code
    assert status == (400 if before == "\x00" else 404)  # a control character is refused before any view


def test_a_stale_or_forged_seen_form_changes_nothing(app, practice, team):
    jonah = team[0]
    browser = app.test_client()
    log_in(browser, jonah.email)
    token = csrf_token_from(browser.get("/practitioner/").get_data(as_text=True))
    response = browser.post("/practitioner/activity/seen", data={"csrf_token": token, "until": "soon"})
    assert response.status_code == 302 and db.session.get(ActivitySeen, jonah.id) is None
