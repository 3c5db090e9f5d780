"""The package pages end to end in the app: she defines and publishes a package and a code, the desk records a
purchase, the client sees her sessions left and books on a credit."""

from __future__ import annotations

from sqlalchemy import select

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, BookingStatus, PackageVersion, PromoCode, Role
from portal.packages import purchases
from portal.packages.examples import seed_demo_package
from tests.booking.test_views import book_via_pages, confirm_url
from tests.conftest import log_in, submit_form

PACKAGE = {
    "name": "3-month gut reset",
    "description": "Five follow-ups.",
    "price": "400.00",
    "valid_days": "120",
    "instalments": "3",
    "instalment_every_months": "1",
    "online": "y",
}


def test_she_defines_publishes_and_edits_a_package_as_a_new_version(client, practice):
    log_in(client, practice.practitioner.email)
    saved = submit_form(client, "/practitioner/packages/new", {**PACKAGE, f"sessions-{practice.follow_up.id}": "5"})
    assert saved.status_code == 302
    version = db.session.scalar(select(PackageVersion))
    assert (version.name, version.price_minor, version.status) == ("3-month gut reset", 40000, "draft")
    listing = client.get("/practitioner/packages/").get_data(as_text=True)
    assert "Draft" in listing and "5 × Follow-up" in listing and "in 3 payments a month apart" in listing
    submit_form(client, f"/practitioner/packages/{version.id}/publish", {}, form_url="/practitioner/packages/")
    edited = submit_form(
        client,
        f"/practitioner/packages/{version.id}",
        {**PACKAGE, "price": "450", f"sessions-{practice.follow_up.id}": "6"},
    )
    assert edited.status_code == 302
    db.session.expire_all()
    versions = db.session.scalars(select(PackageVersion).order_by(PackageVersion.version)).all()
    assert [(v.version, v.status, v.price_minor) for v in versions] == [(1, "published", 40000), (2, "draft", 45000)]


def test_a_package_form_with_mistakes_keeps_what_was_typed_and_says_what_is_wrong(client, practice):
    log_in(client, practice.practitioner.email)
    bad = submit_form(client, "/practitioner/packages/new", {**PACKAGE, "price": "lots", "valid_days": "0"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'value="3-month gut reset"' in page and "Enter a number from 1 to 1095." in page
    none_chosen = submit_form(client, "/practitioner/packages/new", PACKAGE)
    assert none_chosen.status_code == 422 and "Choose at least one session" in none_chosen.get_data(as_text=True)
    assert db.session.scalar(select(PackageVersion)) is None


def test_she_makes_a_code_and_a_mistaken_one_is_refused_with_its_reason(client, practice):
    log_in(client, practice.practitioner.email)
    fields = {"code": "spring10", "kind": "percent", "percent": "10", "all_packages": "y"}
    assert submit_form(client, "/practitioner/promo-codes/new", fields).status_code == 302
    assert db.session.scalar(select(PromoCode.code)) == "SPRING10"
    again = submit_form(client, "/practitioner/promo-codes/new", fields)
    assert again.status_code == 422 and "already have a code" in again.get_data(as_text=True)
    nothing = submit_form(client, "/practitioner/promo-codes/new", {**fields, "code": "X1", "all_packages": ""})
    assert nothing.status_code == 422 and "Choose what the code is for" in nothing.get_data(as_text=True)
    wrong_dates = submit_form(
        client,
        "/practitioner/promo-codes/new",
        {**fields, "code": "X2", "valid_from": "2026-12-10", "valid_until": "2026-12-01"},
    )
    assert "on or after the first" in wrong_dates.get_data(as_text=True)


def test_the_desk_records_a_purchase_and_the_client_books_on_her_credit(client, practice, client_user, make_user):
    package = seed_demo_package(practice.practitioner, make_user(email="first@example.com"), practice.follow_up)
    desk = make_user(Role.ASSISTANT, email="desk@example.com")
    log_in(client, desk.email)
    page = f"/practitioner/clients/{client_user.id}/packages"
    recorded = submit_form(client, page, {"version_id": str(package.version.id), "code": "welcome10", "method": "cash"})
    assert recorded.status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert "5</strong> of 5 Follow-up sessions left" in shown and "£38.25 off with a code" in shown
    client.post("/account/logout", data={"csrf_token": ""})

    browser = client.application.test_client()
    log_in(browser, client_user.email)
    home = browser.get("/me/").get_data(as_text=True)
    assert "3-month gut reset" in home and "5 of 5 Follow-up sessions left" in home
    assert "paid £114.75 of £344.25" in home  # the first of three payments, after the welcome code
    start = practice.free(practice.follow_up)[0]
    confirm = browser.get(confirm_url(practice.follow_up, start)).get_data(as_text=True)
    assert "Uses 1 of your 5 Follow-up sessions" in confirm and "Continue to payment" not in confirm
    booked = book_via_pages(browser, practice.follow_up, start)
    assert booked.status_code == 302
    booking = db.session.scalar(select(Booking).where(Booking.client_id == client_user.id))
    assert booking.status == BookingStatus.CONFIRMED
    assert purchases.credits_left(client_user.id, practice.follow_up.id, utcnow()) == 4
    assert "4</strong> of 5 Follow-up sessions left" in browser.get("/me/packages/").get_data(as_text=True)


def test_a_code_that_does_not_apply_leaves_nothing_recorded(client, practice, client_user, make_user):
    package = seed_demo_package(practice.practitioner, make_user(email="first@example.com"), practice.follow_up)
    log_in(client, practice.practitioner.email)
    page = f"/practitioner/clients/{client_user.id}/packages"
    refused = submit_form(client, page, {"version_id": str(package.version.id), "code": "NOSUCH", "method": "cash"})
    assert refused.status_code == 422 and "not one we know" in refused.get_data(as_text=True)
    assert purchases.holdings(client_user.id, utcnow()) == []
    tampered = submit_form(client, page, {"version_id": "999999"})
    assert tampered.status_code == 422


def test_the_dashboard_lists_overdue_plan_payments_of_her_own_clients_only(client, practice, client_user, make_user):
    from datetime import timedelta

    from portal.packages import catalogue
    from tests.packages.conftest import terms

    plan = catalogue.publish(catalogue.create(practice.practitioner, terms(practice)))
    bought_at = utcnow() - timedelta(days=40)
    purchases.record_purchase(
        purchases.quote(plan, client_user, "", bought_at.date()), client_user, practice.practitioner, bought_at
    )
    db.session.commit()
    log_in(client, practice.practitioner.email)
    page = client.get("/practitioner/").get_data(as_text=True)
    assert "Package payments overdue" in page and f"{client_user.name} · 3-month gut reset, payment 2" in page
    other = make_user(Role.PRACTITIONER, email="other@example.com")
    browser = client.application.test_client()
    log_in(browser, other.email)
    assert "Package payments overdue" not in browser.get("/practitioner/").get_data(as_text=True)


def test_a_code_on_a_session_shows_the_price_charged_and_a_used_up_code_books_nothing(
    client, practice, client_user, make_user
):
    from portal.models import PromoCode

    db.session.add(
        PromoCode(
            practitioner_id=practice.practitioner.id,
            code="HALF",
            kind="percent",
            percent=50,
            currency="GBP",
            max_uses=1,
            all_services=True,
        )
    )
    db.session.commit()
    log_in(client, client_user.email)
    start = practice.free(practice.follow_up)[0]
    shown = client.get(confirm_url(practice.follow_up, start) + "&code=half").get_data(as_text=True)
    assert "£42.50" in shown and "with HALF" in shown
    wrong = client.get(confirm_url(practice.follow_up, start) + "&code=nope")
    assert wrong.status_code == 422 and "not one we know" in wrong.get_data(as_text=True)
    booked = submit_form(
        client,
        f"/book/{practice.follow_up.id}/confirm",
        {"start": start.isoformat().replace("+00:00", "Z"), "code": "HALF"},
        form_url=confirm_url(practice.follow_up, start) + "&code=half",
    )
    assert booked.status_code == 302
    booking = db.session.scalar(select(Booking).where(Booking.client_id == client_user.id))
    assert booking.price_minor == 4250
    other = make_user(email="late@example.com")
    browser = client.application.test_client()
    log_in(browser, other.email)
    later = practice.free(practice.follow_up)[3]
    used_up = browser.get(confirm_url(practice.follow_up, later) + "&code=HALF")
    assert used_up.status_code == 422 and "used up" in used_up.get_data(as_text=True)
