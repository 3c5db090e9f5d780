"""The same races as test_races.py, over HTTP: fifty requests at the same moment through the client's booking
flow, against the portal served by gunicorn on PostgreSQL. Her last credit goes to exactly one booking, and a
code with one use left is used once.

gunicorn runs 4 worker processes of 13 threads each: 52 requests in hand at once, so all 50 are inside the app
(each in its own transaction on its own connection) together, and the 2 cores are both busy. Sync workers would
need 50 processes for the same overlap. How many requests really overlapped shows in the answers: a request that
read her credit (or the code) as free before the winner committed is refused by the database's guard (409); one
that started after it sees nothing to spend (a booking paid at the session, or "used up" on the page).
"""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, make_url, select

from portal.accounts import passwords
from portal.booking.pages import iso
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, BookingEvent, BookingStatus, PackageCredit, PromoCode, PromoRedemption
from portal.packages import catalogue, promo, purchases
from portal.practice import team
from tests.conftest import TEST_PASSWORD, base_environ, csrf_token_from
from tests.packages.conftest import terms
from tests.served import Answer, Browser, all_at_once, gunicorn

ATTEMPTS = 50
NO_CREDIT_LEFT = "You have no sessions of this kind left in your packages."
CODE_TAKEN = "That code has just been used up."  # refused by the conditional UPDATE, in lifecycle.book
CODE_USED_UP = "That code has been used up."  # refused by promo.check, before anything is written
ALERT = re.compile(r'role="alert">(?:<p>)?([^<]*)<')


@pytest.fixture
def portal_url(app, migrated_database, tmp_path):
    """The portal under gunicorn on the test's database; PostgreSQL only."""
    if make_url(migrated_database).get_backend_name() != "postgresql":
        pytest.skip("the issue asks for PostgreSQL behind gunicorn; test_races.py runs the race on SQLite too")
    environ = {
        **base_environ(migrated_database, tmp_path / "gunicorn"),
        # Fifty log-ins from one address (and fifty to one account) in a few seconds are the test, not an attack.
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": "1000 per minute",
    }
    with gunicorn(environ, tmp_path / "gunicorn.log", workers=4, threads=13) as url:
        yield url


@pytest.fixture
def one_hash(monkeypatch):
    """Accounts made in this test share one scrypt hash of TEST_PASSWORD, worked out once: fifty clients in
    milliseconds instead of seconds. Logging in still checks it in full, on the server."""
    hashed = passwords.hash_password(TEST_PASSWORD)
    monkeypatch.setattr("portal.accounts.users.hash_password", lambda password: hashed)


def _fifty_starts(practice) -> list:
    """Fifty free times an hour apart (none overlaps another), the first an hour after the earliest she may book:
    the earliest falls inside her minimum notice as the clock passes its quarter hour during the test."""
    starts = practice.free(practice.follow_up)[4::4][:ATTEMPTS]
    assert len(starts) == ATTEMPTS
    return starts


def _logged_in(base_url: str, emails: list[str]) -> list[Browser]:
    """A browser logged in for each address, eight logging in at a time (each log-in is a full scrypt check)."""

    def log_in(email: str) -> Browser:
        browser = Browser(base_url)
        browser.log_in(email)
        return browser

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(log_in, emails))


def _confirm_form(browser: Browser, path: str, start, code: str = "") -> tuple[Answer, dict[str, str]]:
    """The confirm page for that time, as she opens it from the slot page, and the fields its form posts."""
    query = f"?start={iso(start)}" + (f"&code={code}" if code else "")
    page = browser.get(path + query)
    assert page.status == 200, page.body[-500:]
    fields = {"start": iso(start), "csrf_token": csrf_token_from(page.body)}
    return page, {**fields, "code": code} if code else fields


def _alerts(answers: list[Answer]) -> Counter[str]:
    """What the pages said, by how many: the text of each one's alert (an error notice or a field's error)."""
    return Counter(match for answer in answers for match in ALERT.findall(answer.body))


def _booking_id(answer: Answer) -> int:
    assert answer.location.rsplit("/", 1)[0].endswith("/me/bookings"), answer.location
    return int(answer.location.rsplit("/", 1)[1])


def test_fifty_bookings_over_http_racing_for_her_last_credit_leave_it_on_exactly_one(
    portal_url, practice, client_user, tmp_path
):
    single = catalogue.publish(
        catalogue.create(practice.practitioner, terms(practice, instalments=1, sessions={practice.follow_up.id: 1}))
    )
    purchases.record_purchase(
        purchases.quote(single, client_user, "", utcnow().date()), client_user, practice.practitioner, utcnow()
    )
    # She is on Maya's care team already, as a client who has seen her is. (A first booking writes that row, and
    # fifty first bookings at once would queue behind the first one's row and never reach the credit's guard.)
    team.join_care_team(practice.practitioner.id, client_user.id)
    starts = _fifty_starts(practice)
    client_id, service_id = client_user.id, practice.follow_up.id
    db.session.commit()  # everything above is committed, for the server's connections to see

    browsers = _logged_in(portal_url, [client_user.email] * ATTEMPTS)  # fifty log-ins of hers, as on fifty devices
    path = f"/book/{service_id}/confirm"
    forms = []
    for browser, start in zip(browsers, starts, strict=True):
        page, fields = _confirm_form(browser, path, start)
        assert "Uses 1 of your 1 Follow-up session" in page.body  # every one of them is offered her last credit
        forms.append((browser, fields))

    answers = all_at_once([lambda b=b, f=f: b.post(path, f) for b, f in forms])

    log = (tmp_path / "gunicorn.log").read_text()
    statuses = Counter(answer.status for answer in answers)
    assert set(statuses) <= {302, 409}, (statuses, log[-3000:])
    refused = [answer for answer in answers if answer.status == 409]
    assert all(NO_CREDIT_LEFT in answer.body for answer in refused), _alerts(refused)
    # The race was real: some requests read her credit as free before the winner committed, and the database's
    # conditional UPDATE (purchases.spend_credit) turned them away.
    assert refused, statuses
    assert "Traceback" not in log, log[-3000:]

    db.session.expire_all()
    on_credit = db.session.scalars(select(PackageCredit.booking_id).where(PackageCredit.booking_id.is_not(None))).all()
    assert len(on_credit) == 1
    assert purchases.credits_left(client_id, service_id, utcnow()) == 0
    booked = {_booking_id(answer) for answer in answers if answer.status == 302}
    assert on_credit[0] in booked
    rows = db.session.scalars(select(Booking).where(Booking.client_id == client_id)).all()
    assert {row.id for row in rows} == booked  # a refused request booked nothing
    events = db.session.scalars(select(BookingEvent).where(BookingEvent.booking_id.in_(booked))).all()
    told_on_credit = [e.booking_id for e in events if e.action == "created" and e.note == "on a package credit"]
    assert told_on_credit == on_credit  # booked as on her credit (nothing to pay): that one alone
    # Those that came after the winner's commit were offered no credit and booked as anyone without one does:
    # confirmed at once, the full price paid at the session (no card payments without Stripe keys).
    assert all(row.status == BookingStatus.CONFIRMED for row in rows)
    assert all(row.price_minor == practice.follow_up.price_minor for row in rows if row.id != on_credit[0])
    print(f"\ncredit race over HTTP: {dict(statuses)} (409: refused by the database; 302: booked)")


def test_fifty_clients_over_http_racing_for_a_code_with_one_use_get_one_discounted_booking(
    portal_url, practice, make_user, one_hash, tmp_path
):
    service = practice.follow_up
    promo.create_code(practice.practitioner, "LASTONE", currency="GBP", percent=20, max_uses=1, all_services=True)
    clients = [make_user(email=f"racer{n}@example.com") for n in range(ATTEMPTS)]
    emails = [client.email for client in clients]
    starts = _fifty_starts(practice)
    db.session.commit()

    browsers = _logged_in(portal_url, emails)
    path = f"/book/{service.id}/confirm"
    forms = []
    for browser, start in zip(browsers, starts, strict=True):
        page, fields = _confirm_form(browser, path, start, code="LASTONE")
        assert "with LASTONE" in page.body and "£68.00" in page.body  # 20% off £85, shown to every one of them
        forms.append((browser, fields))

    answers = all_at_once([lambda b=b, f=f: b.post(path, f) for b, f in forms])

    log = (tmp_path / "gunicorn.log").read_text()
    statuses = Counter(answer.status for answer in answers)
    assert set(statuses) <= {302, 409, 422}, (statuses, log[-3000:])
    assert statuses[302] == 1, statuses
    # Lost at the database (the code's conditional UPDATE) or, coming later, told by the check on the page.
    losers = [answer for answer in answers if answer.status != 302]
    assert set(_alerts(losers)) <= {CODE_TAKEN, CODE_USED_UP}, _alerts(losers)
    assert all(CODE_TAKEN in answer.body for answer in losers if answer.status == 409)
    assert all(CODE_USED_UP in answer.body for answer in losers if answer.status == 422)
    assert statuses[409] >= 1, statuses  # the race was real (see the module's docstring)
    assert "Traceback" not in log, log[-3000:]

    db.session.expire_all()
    [winner] = [_booking_id(answer) for answer in answers if answer.status == 302]
    assert db.session.scalar(select(PromoCode.uses)) == 1
    [redemption] = db.session.scalars(select(PromoRedemption)).all()
    assert redemption.booking_id == winner and redemption.discount_minor == 1700
    [booking] = db.session.scalars(select(Booking)).all()  # the other 49 booked nothing, discounted or not
    assert booking.id == winner and booking.price_minor == 6800 and booking.status == BookingStatus.CONFIRMED
    assert db.session.scalar(select(func.count()).select_from(PromoRedemption)) == 1
    print(f"\ncode race over HTTP: {dict(statuses)} (409: refused by the database; 422: seen used up; 302: booked)")
