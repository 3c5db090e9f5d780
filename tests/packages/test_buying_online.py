"""A client buys a package on the booking pages and pays by card through localstripe: the price (with her code)
is worked out on the server, the purchase starts when its first payment succeeds, later instalments are paid
from their pay links, an unpaid purchase gives its code back, and ending a package refunds through its payments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.db_types import utcnow
from portal.extensions import db
from portal.jobs.runner import send_instalment_messages
from portal.models import (
    PackageCredit,
    PackageInstalment,
    PackagePurchase,
    PaymentMethod,
    Payment,
    PromoCode,
    PromoRedemption,
    Refund,
    Role,
)
from portal.packages import catalogue, promo, purchases
from portal.practice import team
from portal.payments import card, gateway, ledger, refunds
from tests.conftest import csrf_token_from, log_in, outbox_messages
from tests.packages.conftest import terms


@pytest.fixture
def app(app_factory, stripe_settings):
    app = app_factory(**stripe_settings)
    with app.app_context():
        yield app


@pytest.fixture
def welcome_code(practice):
    return promo.create_code(
        practice.practitioner, "WELCOME25", currency="GBP", percent=25, all_packages=True, max_uses=1
    )


def _buy(client, version, code: str = "", **tampered):
    page = client.get(f"/me/packages/buy/{version.id}", query_string={"code": code} if code else None)
    assert page.status_code == 200, page.get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "action": "buy", "code": code, **tampered}
    return client.post(f"/me/packages/buy/{version.id}", data=data)


def _first(purchase_id: int) -> PackageInstalment:
    return db.session.scalar(db.select(PackageInstalment).filter_by(purchase_id=purchase_id, number=1))


def _pay(client, instalment_id: int, test_card: str = "pm_card_visa"):
    page = client.get(f"/me/packages/instalments/{instalment_id}/pay")
    assert page.status_code == 200, page.status_code
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        f"/me/packages/instalments/{instalment_id}/pay/test-card",
        data={"csrf_token": token, "card": test_card},
        follow_redirects=True,
    )


def _webhook_never_came() -> int:
    """The reconciling job asks localstripe about open payments, as it does when a webhook is lost."""
    db.session.expire_all()
    return card.reconcile_card_payments(utcnow() + timedelta(minutes=2))


def test_the_booking_pages_offer_packages_sold_online_and_only_those(client, practice, gut_reset):
    catalogue.publish(catalogue.create(practice.practitioner, terms(practice, name="Desk only", online=False)))
    draft = catalogue.create(practice.practitioner, terms(practice, name="Not yet"))
    page = client.get("/book/").get_data(as_text=True)
    assert "3-month gut reset" in page and "Desk only" not in page and "Not yet" not in page
    details = client.get(f"/packages/{gut_reset.id}/").get_data(as_text=True)
    assert "5 × Follow-up" in details and "£400.00" in details and "in 3 payments" in details
    assert "use within 120 days" in details and "Buy this package" in details
    assert client.get(f"/packages/{draft.id}/").status_code == 404
    assert client.get("/packages/999999/").status_code == 404


def test_she_buys_with_a_code_and_pays_the_first_instalment_by_card(
    app, client, practice, gut_reset, client_user, welcome_code, stripe_api
):
    log_in(client, client_user.email)
    quoted = client.get(f"/me/packages/buy/{gut_reset.id}", query_string={"code": "welcome25"}).get_data(as_text=True)
    assert "£300.00" in quoted and "with WELCOME25" in quoted and "Continue to payment: £100.00" in quoted
    # a tampered price, list price or discount on the page changes nothing: the server works it out again
    response = _buy(client, gut_reset, "welcome25", price_minor="1", discount_minor="39999", amount="0.01")
    purchase = db.session.scalars(db.select(PackagePurchase)).one()
    assert (purchase.status, purchase.list_price_minor, purchase.discount_minor) == ("pending", 40000, 10000)
    first = _first(purchase.id)
    assert response.headers["Location"].endswith(f"/me/packages/instalments/{first.id}/pay")
    assert db.session.get(PromoCode, welcome_code.id).uses == 1  # held for her while she pays
    assert [p.id for p in team.care_team_of(client_user.id)] == [practice.practitioner.id]  # she sees who bought it

    paid = _pay(client, first.id).get_data(as_text=True)
    assert "Confirming your payment" in paid or "Your package is ready" in paid
    assert _webhook_never_came() == 1
    db.session.refresh(purchase)
    assert purchase.status == "active" and purchase.valid_until is not None
    assert [i.status for i in purchase_instalments(purchase)] == ["paid", "due", "due"]
    assert sum(i.amount_minor for i in purchase_instalments(purchase)) == 30000
    payment = db.session.scalars(db.select(Payment).filter_by(instalment_id=first.id)).one()
    assert (payment.status, payment.amount_minor, payment.booking_id) == ("succeeded", 10000, None)
    intent = stripe_api.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert (intent.amount, intent.metadata["instalment_id"]) == (10000, str(first.id))
    assert purchases.credits_left(client_user.id, practice.follow_up.id, utcnow()) == 5
    (receipt,) = [m for m in outbox_messages(app) if m["Subject"] == "Your receipt for £100.00"]
    assert "For: 3-month gut reset, payment 1 of 3" in receipt.get_body(("plain",)).get_content()
    done = client.get(f"/me/packages/instalments/{first.id}/payment").get_data(as_text=True)
    assert "Your package is ready" in done
    mine = client.get("/me/packages/").get_data(as_text=True)
    assert "5</strong> of 5 Follow-up sessions left" in mine and "paid £100.00 of £300.00" in mine
    assert "Pay now" in mine  # the later payments can be paid by card


def purchase_instalments(purchase: PackagePurchase) -> list[PackageInstalment]:
    return list(db.session.scalars(db.select(PackageInstalment).filter_by(purchase_id=purchase.id).order_by("number")))


def test_a_declined_card_keeps_the_purchase_waiting_with_a_clear_message(client, practice, gut_reset, client_user):
    log_in(client, client_user.email)
    _buy(client, gut_reset)
    purchase = db.session.scalars(db.select(PackagePurchase)).one()
    page = _pay(client, _first(purchase.id).id, "pm_card_chargeCustomerFail").get_data(as_text=True)
    assert "Your card was declined." in page
    db.session.refresh(purchase)
    assert purchase.status == "pending" and purchases.credits_left(client_user.id, practice.follow_up.id, utcnow()) == 0
    _pay(client, _first(purchase.id).id)  # another card: a fresh PaymentIntent
    assert _webhook_never_came() == 1
    db.session.refresh(purchase)
    assert purchase.status == "active"
    assert sorted(p.status for p in db.session.scalars(db.select(Payment))) == ["failed", "succeeded"]


def test_a_purchase_not_paid_in_time_is_cancelled_and_gives_its_code_back(
    client, practice, gut_reset, client_user, welcome_code
):
    log_in(client, client_user.email)
    _buy(client, gut_reset, "WELCOME25")
    purchase = db.session.scalars(db.select(PackagePurchase)).one()
    assert purchases.cancel_unpaid(utcnow() + timedelta(minutes=29)) == 0  # still held
    assert purchases.cancel_unpaid(utcnow() + timedelta(minutes=31)) == 1
    db.session.expire_all()
    assert purchase.status == "cancelled"
    assert {i.status for i in purchase_instalments(purchase)} == {"cancelled"}
    assert db.session.get(PromoCode, welcome_code.id).uses == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(PromoRedemption)) == 0
    # the page says so, and the pay page does not take money for it
    gone = client.get(f"/me/packages/instalments/{_first(purchase.id).id}/pay", follow_redirects=True)
    assert "This purchase was not completed" in gone.get_data(as_text=True)


def test_money_that_arrives_for_a_cancelled_purchase_goes_back(client, practice, gut_reset, client_user, stripe_api):
    log_in(client, client_user.email)
    _buy(client, gut_reset)
    purchase = db.session.scalars(db.select(PackagePurchase)).one()
    first = _first(purchase.id)
    page = client.get(f"/me/packages/instalments/{first.id}/pay")  # the intent is started ...
    assert page.status_code == 200
    purchases.cancel_unpaid(utcnow() + timedelta(minutes=31))  # ... the hold runs out while she types ...
    payment = db.session.scalars(db.select(Payment)).one()
    intent = gateway.pay_with_test_card(payment.stripe_payment_intent_id, "pm_card_visa")  # ... and her card pays
    outcome = card.fulfil(intent.id, intent.amount, intent.currency)
    assert outcome.refunded
    db.session.expire_all()
    assert purchase.status == "cancelled" and payment.refunded_minor == payment.amount_minor
    assert purchases.credits_left(client_user.id, practice.follow_up.id, utcnow()) == 0
    refund = db.session.scalars(db.select(Refund)).one()
    assert stripe_api.v1.refunds.retrieve(refund.stripe_refund_id).amount == payment.amount_minor


def test_a_later_instalment_is_paid_from_its_pay_link(client, practice, gut_reset, client_user):
    quote = purchases.quote(gut_reset, client_user, "", utcnow().date())
    purchase = purchases.record_purchase(quote, client_user, practice.practitioner, utcnow())
    second = purchase_instalments(purchase)[1]
    log_in(client, client_user.email)
    home = client.get("/me/").get_data(as_text=True)
    assert f"/me/packages/instalments/{second.id}/pay" in home
    _pay(client, second.id)
    assert _webhook_never_came() == 1
    db.session.refresh(second)
    assert second.status == "paid" and purchases.paid_minor(purchase.id) == 26667
    # paying it again is not possible
    again = client.get(f"/me/packages/instalments/{second.id}/pay", follow_redirects=True).get_data(as_text=True)
    assert "Thank you" in again


def test_nobody_else_reaches_her_pay_page(client, practice, gut_reset, client_user, make_user):
    quote = purchases.quote(gut_reset, client_user, "", utcnow().date())
    purchase = purchases.record_purchase(quote, client_user, practice.practitioner, utcnow())
    second = purchase_instalments(purchase)[1]
    other = make_user(Role.CLIENT, email="other@example.com", name="Other Client")
    log_in(client, other.email)
    assert client.get(f"/me/packages/instalments/{second.id}/pay").status_code == 404
    assert client.get(f"/me/packages/instalments/{second.id}/payment").status_code == 404
    assert client.post(f"/me/packages/instalments/{second.id}/pay/test-card", data={}).status_code in (400, 404)
    assert not db.session.scalars(db.select(Payment).filter_by(instalment_id=second.id)).all()


def test_a_code_that_takes_everything_off_gives_her_the_package_at_once(client, practice, gut_reset, client_user):
    promo.create_code(practice.practitioner, "GIFT", currency="GBP", percent=100, all_packages=True)
    log_in(client, client_user.email)
    page = client.get(f"/me/packages/buy/{gut_reset.id}", query_string={"code": "gift"}).get_data(as_text=True)
    assert "Get this package" in page
    response = _buy(client, gut_reset, "GIFT")
    assert response.headers["Location"].endswith("/me/packages/")
    purchase = db.session.scalars(db.select(PackagePurchase)).one()
    assert purchase.status == "active" and purchase.price_minor == 0
    assert not db.session.scalars(db.select(PackageInstalment)).all()
    assert purchases.credits_left(client_user.id, practice.follow_up.id, utcnow()) == 5


def test_a_code_that_does_not_apply_is_refused_beside_the_price(client, practice, gut_reset, client_user):
    log_in(client, client_user.email)
    page = client.get(f"/me/packages/buy/{gut_reset.id}", query_string={"code": "NOPE"})
    assert page.status_code == 422 and "£400.00" in page.get_data(as_text=True)
    token = csrf_token_from(client.get(f"/me/packages/buy/{gut_reset.id}").get_data(as_text=True))
    response = client.post(f"/me/packages/buy/{gut_reset.id}", data={"csrf_token": token, "code": "x" * 5000})
    assert response.status_code == 422 and "A code is 1 to 30" in response.get_data(as_text=True)
    assert not db.session.scalars(db.select(PackagePurchase)).all()


def test_ending_a_package_paid_by_card_refunds_through_stripe(client, practice, gut_reset, client_user, stripe_api):
    log_in(client, client_user.email)
    _buy(client, gut_reset)
    purchase = db.session.scalars(db.select(PackagePurchase)).one()
    _pay(client, _first(purchase.id).id)
    _webhook_never_came()
    db.session.refresh(purchase)
    done = refunds.refund_package(purchase, full=True, actor=practice.practitioner, now=utcnow())
    assert (done.to_card_minor, done.by_hand_minor, done.problem) == (13334, 0, "")
    payment = db.session.scalars(db.select(Payment)).one()
    refund = db.session.scalars(db.select(Refund)).one()
    assert payment.refunded_minor == 13334 and refund.status == "succeeded"
    assert stripe_api.v1.refunds.retrieve(refund.stripe_refund_id).amount == 13334
    assert purchases.credits_left(client_user.id, practice.follow_up.id, utcnow()) == 0
    assert {i.status for i in purchase_instalments(purchase)[1:]} == {"cancelled"}
    with pytest.raises(purchases.PurchaseError):  # never twice
        refunds.refund_package(purchase, full=True, actor=practice.practitioner, now=utcnow())


def test_ending_a_package_in_part_keeps_the_used_sessions_share(client, practice, gut_reset, client_user, make_booking):
    quote = purchases.quote(gut_reset, client_user, "", utcnow().date())
    cash = ledger.package_paid_by_hand(PaymentMethod.CASH, "", practice.practitioner)
    purchase = purchases.record_purchase(quote, client_user, practice.practitioner, utcnow(), paid_by=cash)
    for instalment in purchase_instalments(purchase)[1:]:
        other = ledger.package_paid_by_hand(PaymentMethod.OTHER, "", practice.practitioner)
        purchases.record_instalment_paid(instalment, utcnow(), paid_by=other)
    booking = make_booking(client_user)
    assert purchases.spend_credit(booking, utcnow()) is not None
    db.session.commit()
    done = refunds.refund_package(purchase, full=False, actor=practice.practitioner, now=utcnow())
    assert done.ending.refund_minor == 32000 and done.by_hand_minor == 32000 and done.to_card_minor == 0
    paid = db.session.scalars(db.select(Payment).order_by(Payment.id)).all()
    assert [p.method for p in paid] == ["cash", "other", "other"]
    assert sum(p.refunded_minor for p in paid) == 32000  # newest first, never more than each payment
    assert all(p.refunded_minor <= p.amount_minor for p in paid)
    assert db.session.scalar(db.select(db.func.count()).select_from(PackageCredit).filter_by(refunded_at=None)) == 1


def test_the_desk_records_purchases_and_instalments_with_how_they_were_paid(client, practice, gut_reset, client_user):
    log_in(client, practice.practitioner.email)
    url = f"/practitioner/clients/{client_user.id}/packages"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "version_id": gut_reset.id, "method": "bank_transfer"})
    assert response.status_code == 302
    first = db.session.scalars(db.select(Payment)).one()
    assert (first.method, first.amount_minor) == ("bank_transfer", 13334)
    assert first.recorded_by_id == practice.practitioner.id
    page = client.get(url).get_data(as_text=True)
    second = db.session.scalars(db.select(PackageInstalment).filter_by(number=2)).one()
    token = csrf_token_from(page)
    paid_url = f"{url}/instalments/{second.id}/paid"
    assert client.post(paid_url, data={"csrf_token": token, f"paid-{second.id}-method": "card"}).status_code == 302
    db.session.refresh(second)
    assert second.status == "due"  # card is not a way to record a payment by hand
    client.post(paid_url, data={"csrf_token": token, f"paid-{second.id}-method": "cash"})
    db.session.refresh(second)
    assert second.status == "paid"
    assert db.session.scalars(db.select(Payment).filter_by(instalment_id=second.id)).one().method == "cash"
    # the plan can be set to stop her booking while a payment is overdue
    purchase = db.session.scalars(db.select(PackagePurchase)).one()
    client.post(f"{url}/{purchase.id}/blocking", data={"csrf_token": token, f"block-{purchase.id}-block": "y"})
    db.session.refresh(purchase)
    assert purchase.block_booking_when_overdue is True
    client.post(f"{url}/{purchase.id}/blocking", data={"csrf_token": token})
    db.session.refresh(purchase)
    assert purchase.block_booking_when_overdue is False


def test_the_plan_email_links_to_paying_by_card(app, practice, gut_reset, client_user):
    bought = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    quote = purchases.quote(gut_reset, client_user, "", bought.date())
    purchase = purchases.record_purchase(quote, client_user, practice.practitioner, bought)
    second = purchase_instalments(purchase)[1]
    assert send_instalment_messages(datetime(2026, 12, 31, 9, tzinfo=UTC)) == 1
    (soon,) = [m for m in outbox_messages(app) if m["Subject"] == "A payment for your package is due soon"]
    text = soon.get_body(("plain",)).get_content()
    assert f"Pay £133.33 by card: http://portal.test/me/packages/instalments/{second.id}/pay" in text
    assert f"/me/packages/instalments/{second.id}/pay" in soon.get_body(("html",)).get_content()


def test_buying_twice_in_a_row_pays_the_purchase_already_started(client, practice, gut_reset, client_user):
    log_in(client, client_user.email)
    first = _buy(client, gut_reset)
    again = _buy(client, gut_reset)
    assert again.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(db.select(db.func.count()).select_from(PackagePurchase)) == 1


def test_without_stripe_keys_the_package_is_bought_from_the_practice(app_factory, practice, client_user):
    app = app_factory()  # no Stripe keys
    with app.app_context():
        version = catalogue.publish(catalogue.create(practice.practitioner, terms(practice, name="Desk reset")))
        browser = app.test_client()
        details = browser.get(f"/packages/{version.id}/").get_data(as_text=True)
        assert "can't be paid online" in details and "Buy this package" not in details
        log_in(browser, client_user.email)
        page = browser.get(f"/me/packages/buy/{version.id}").get_data(as_text=True)
        assert "can't be paid online" in page and "Continue to payment" not in page
        refused = browser.post(
            f"/me/packages/buy/{version.id}", data={"csrf_token": csrf_token_from(page), "action": "buy"}
        )
        assert refused.status_code == 422
        assert db.session.scalar(db.select(db.func.count()).select_from(PackagePurchase)) == 0


def test_a_package_the_owner_records_puts_her_on_its_practitioners_care_team(
    practice, gut_reset, client_user, make_user
):
    owner = make_user(Role.OWNER, email="owner@example.com", name="Olive Owner")
    assert team.care_team_of(client_user.id) == []
    quote = purchases.quote(gut_reset, client_user, "", utcnow().date())
    purchases.record_purchase(quote, client_user, owner, utcnow())  # Maya's package, recorded by the owner
    assert [p.id for p in team.care_team_of(client_user.id)] == [practice.practitioner.id]


def test_the_card_payment_of_a_purchase_never_paid_is_cancelled_at_stripe(
    client, practice, gut_reset, client_user, stripe_api
):
    log_in(client, client_user.email)
    _buy(client, gut_reset)
    purchase = db.session.scalars(db.select(PackagePurchase)).one()
    assert client.get(f"/me/packages/instalments/{_first(purchase.id).id}/pay").status_code == 200  # intent started
    assert card.cancel_abandoned_intents() == 0  # still held for her
    purchases.cancel_unpaid(utcnow() + timedelta(minutes=31))
    assert card.cancel_abandoned_intents() == 1
    payment = db.session.scalars(db.select(Payment)).one()
    assert payment.status == "canceled"
    assert stripe_api.v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status == "canceled"
