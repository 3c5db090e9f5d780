"""Package payments wherever payments are shown or listed: the practice's list, totals, monthly report and CSV,
receipts (e-mail, page, PDF), who may open them, refunds, the dashboard's feed, the case file and the export."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime, time

import pytest

from portal.booking import lifecycle
from portal.db_types import utcnow
from portal.extensions import db
from portal.home import activity
from portal.access import visible_clients
from portal.models import (
    PackageCredit,
    PackageInstalment,
    PackagePurchase,
    Payment,
    PaymentMethod,
    PromoCode,
    Role,
    Service,
)
from portal.packages import catalogue, promo, purchases
from portal.payments import ledger, receipts, refunds
from portal.payments.ledger import Period
from portal.practice import settings
from portal.practice.team import join_care_team
from portal.records import export
from tests.conftest import csrf_token_from, log_in
from tests.handouts.conftest import pdf_text
from tests.packages.conftest import terms


@pytest.fixture
def app(app_factory, smtp_server):
    """No Stripe keys (sessions are paid at the session); mail through the loopback SMTP server."""
    app = app_factory(MAIL_SERVER=smtp_server.host, MAIL_PORT=str(smtp_server.port), MAIL_SECURITY="none")
    with app.app_context():
        yield app


@pytest.fixture
def clara(make_user):
    return make_user(Role.CLIENT, email="clara@example.com", name="Clara Client")


@pytest.fixture
def lena(make_user):
    """A second practitioner, with her own follow-up and hours; not on Clara's care team."""
    lena = make_user(Role.PRACTITIONER, email="lena@example.com", name="Lena Practitioner")
    settings.save_service(
        None,
        lena,
        name="Lena's review",
        description="",
        duration_minutes=45,
        price_minor=7000,
        currency="GBP",
        active=True,
    )
    for weekday in range(7):
        settings.add_working_range(lena, weekday, time(9), time(17))
    db.session.commit()
    return lena


def _package(practice, **changes):
    return catalogue.publish(catalogue.create(practice.practitioner, terms(practice, **changes)))


def _buy(practice, version, client, code: str = "", now: datetime | None = None) -> PackagePurchase:
    now = now or utcnow()
    quote = purchases.quote(version, client, code, now.date())
    paid_by = ledger.package_paid_by_hand(PaymentMethod.CASH, "", practice.practitioner)
    return purchases.record_purchase(quote, client, practice.practitioner, now, paid_by=paid_by)


def _pay_instalment(purchase, number: int, *, at: datetime | None = None, method: str = "cash") -> Payment:
    """The payment of one instalment of the purchase's plan, as a row (the card flow makes these). The first one
    record_purchase made already: it is given this method and time."""
    instalment = db.session.execute(
        db.select(PackageInstalment).filter_by(purchase_id=purchase.id, number=number)
    ).scalar_one()
    recorded = db.session.scalars(db.select(Payment).filter_by(instalment_id=instalment.id)).one_or_none()
    if recorded is not None:
        recorded.method, recorded.succeeded_at = method, at or recorded.succeeded_at
        db.session.commit()
        return recorded
    payment = Payment(
        instalment_id=instalment.id,
        client_id=purchase.client_id,
        method=method,
        status="succeeded",
        amount_minor=instalment.amount_minor,
        currency=purchase.currency,
        succeeded_at=at or utcnow(),
    )
    db.session.add(payment)
    db.session.commit()
    return payment


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def _package_code(practice, code: str = "SPRING", amount_minor: int = 4000) -> PromoCode:
    found = PromoCode(
        practitioner_id=practice.practitioner.id,
        code=code,
        kind="fixed",
        amount_minor=amount_minor,
        currency="GBP",
        all_packages=True,
        all_services=True,
    )
    db.session.add(found)
    db.session.commit()
    return found


# The ledger ----------------------------------------------------------------------------------------------------


def test_her_payments_include_her_packages_and_not_another_practitioners(
    practice, clara, lena, make_booking, make_payment
):
    purchase = _buy(practice, _package(practice), clara)
    paid = _pay_instalment(purchase, 1)
    session = make_payment(make_booking(clara))
    lenas_service = db.session.execute(db.select(Service).filter_by(practitioner_id=lena.id)).scalar_one()
    lenas = make_payment(make_booking(clara, lenas_service))
    ids = lambda who: {p.id for p in ledger.practice_payments(who)}  # noqa: E731
    assert ids(practice.practitioner.id) == {paid.id, session.id}
    assert ids(lena.id) == {lenas.id}
    assert ids(None) == {paid.id, session.id, lenas.id}
    assert {p.id for p in ledger.client_payments(clara.id)} == {paid.id, session.id, lenas.id}


def test_a_package_payment_says_which_payment_of_its_plan_it_is(practice, clara):
    plan = _buy(practice, _package(practice), clara)
    second = _pay_instalment(plan, 2)
    one_go = _buy(practice, _package(practice, name="Migraine reset", instalments=1), clara)
    whole = _pay_instalment(one_go, 1)
    by_id = {p.id: receipts.paid_for(p) for p in ledger.practice_payments(None)}
    assert (by_id[second.id].name, by_id[second.id].plan, by_id[second.id].kind) == (
        "3-month gut reset",
        "2 of 3",
        "package",
    )
    assert (by_id[whole.id].name, by_id[whole.id].plan) == ("Migraine reset", "")
    assert by_id[second.id].words("Europe/London") == "3-month gut reset, payment 2 of 3"
    assert by_id[whole.id].words("Europe/London") == "Migraine reset"


def test_still_to_pay_is_not_thrown_by_package_payments(practice, clara, make_booking):
    _pay_instalment(_buy(practice, _package(practice), clara), 1)
    unpaid = make_booking(clara, in_days=3)
    owed, count = ledger.still_to_pay(practice.practitioner.id)
    assert [row.booking.id for row in owed] == [unpaid.id] and count == 1


def test_the_list_with_its_lines_and_report_reads_a_fixed_number_of_queries(
    practice, clara, make_user, make_booking, make_payment, count_queries
):
    _package_code(practice)
    version = _package(practice)
    _pay_instalment(_buy(practice, version, clara, code="spring"), 1)
    make_payment(make_booking(clara, in_days=2))

    def counted() -> int:
        db.session.expire_all()
        with count_queries() as queries:
            received = ledger.practice_payments(practice.practitioner.id)
            lines = ledger.payment_lines(received)
            ledger.monthly_report(received, "Europe/London")
            for line in lines:
                line.paid_for.words("Europe/London")
                _ = line.payment.client.name, line.payment.refunds
        return queries.count

    few = counted()
    for n in range(4):
        other = make_user(Role.CLIENT, name=f"Client {n}")
        purchase = _buy(practice, version, other)
        _pay_instalment(purchase, 1)
        _pay_instalment(purchase, 2)
        make_payment(make_booking(other, in_days=3 + n))
    assert counted() == few
    assert few <= 11


# The payments page and the CSV ---------------------------------------------------------------------------------


def test_the_page_says_what_each_payment_was_for_with_its_code_and_discount(
    client, practice, clara, make_booking, make_payment
):
    _package_code(practice)
    purchase = _buy(practice, _package(practice), clara, code="spring")  # £400 less £40: 12000 each
    first, second = _pay_instalment(purchase, 1), _pay_instalment(purchase, 2)
    booking = make_booking(clara, in_days=2)
    make_payment(booking)
    log_in(client, practice.practitioner.email)
    page = client.get("/practitioner/payments").get_data(as_text=True)
    assert page.count(f'href="/practitioner/clients/{clara.id}/packages"') == 2
    assert f'href="/practitioner/bookings/{booking.id}#payments"' in page
    assert '3-month gut reset <span class="muted">(package, payment 1 of 3)</span>' in page
    assert "(package, payment 2 of 3)" in page
    assert page.count("code SPRING, £40.00 off") == 1  # on the first instalment's payment only
    lines = {line.payment.id: line for line in ledger.payment_lines(ledger.practice_payments(None))}
    assert (lines[first.id].promo_code, lines[first.id].discount_minor) == ("SPRING", 4000)
    assert (lines[second.id].promo_code, lines[second.id].discount_minor) == ("", 0)


def test_a_sessions_code_is_shown_on_its_first_payment(practice, clara, make_booking, make_payment):
    code = _package_code(practice, "WELCOME", 1000)
    booking = make_booking(clara, in_days=2)
    applied = promo.check(
        practice.practitioner.id,
        "welcome",
        clara,
        list_price_minor=8500,
        currency="GBP",
        today=utcnow().date(),
        service_id=practice.follow_up.id,
    )
    promo.redeem(applied, clara, booking_id=booking.id)
    db.session.commit()
    first, second = make_payment(booking, 5000), make_payment(booking, 2500)
    lines = {line.payment.id: line for line in ledger.payment_lines(ledger.practice_payments(None))}
    assert (lines[first.id].promo_code, lines[first.id].discount_minor) == (code.code, 1000)
    assert lines[second.id].promo_code == ""
    # The period holds the second payment alone: the code stays with the first, outside it.
    only_second = [p for p in ledger.practice_payments(None) if p.id == second.id]
    assert ledger.payment_lines(only_second)[0].promo_code == ""


def test_the_csv_has_what_kind_for_instalment_code_and_discount_and_runs_no_formula(
    client, practice, clara, make_booking, make_payment
):
    _package_code(practice, "SPRING")
    version = _package(practice, name='=HYPERLINK("http://evil.example","x")')
    purchase = _buy(practice, version, clara, code="spring")
    _pay_instalment(purchase, 1, at=_at(2026, 1, 5))
    _pay_instalment(purchase, 2, at=_at(2026, 2, 5))
    make_payment(make_booking(clara, in_days=2), 8500)
    log_in(client, practice.practitioner.email)
    rows = list(csv.reader(io.StringIO(client.get("/practitioner/payments?format=csv").get_data(as_text=True))))
    header, body = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert header == [
        "payment id",
        "paid at (UTC)",
        "client",
        "kind",
        "for",
        "instalment",
        "session start (UTC)",
        "method",
        "currency",
        "amount",
        "refunded",
        "net",
        "promo code",
        "discount",
        "stripe payment intent",
    ]
    session, second, first = body  # newest first
    assert (session["kind"], session["for"], session["instalment"], session["promo code"]) == (
        "session",
        "Follow-up",
        "",
        "",
    )
    assert session["session start (UTC)"] != ""
    assert (first["kind"], first["instalment"], first["session start (UTC)"]) == ("package instalment", "1 of 3", "")
    assert first["for"] == '\'=HYPERLINK("http://evil.example","x")'
    assert (first["promo code"], first["discount"], first["amount"]) == ("SPRING", "40.00", "120.00")
    assert (second["instalment"], second["promo code"], second["discount"]) == ("2 of 3", "", "")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_a_package_paid_in_one_go_is_a_package_in_the_csv(client, practice, clara):
    _pay_instalment(_buy(practice, _package(practice, instalments=1), clara), 1)
    log_in(client, practice.practitioner.email)
    rows = list(csv.reader(io.StringIO(client.get("/practitioner/payments?format=csv").get_data(as_text=True))))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["kind"], row["for"], row["instalment"], row["amount"]) == ("package", "3-month gut reset", "", "400.00")


# The monthly report ----------------------------------------------------------------------------------------------


def test_the_monthly_report_nets_each_service_and_package_per_month_refunds_in_their_month(
    client, practice, clara, make_booking, make_payment
):
    purchase = _buy(practice, _package(practice), clara)  # 13334, 13333, 13333
    jan = _pay_instalment(purchase, 1, at=_at(2026, 1, 10))
    _pay_instalment(purchase, 2, at=_at(2026, 2, 10))
    booking = make_booking(clara, in_days=2)
    make_payment(booking, 8500, at=_at(2026, 1, 20))
    make_payment(booking, 2000, at=_at(2026, 2, 3))
    refund = refunds.refund_payment(jan, 1334, "Changed her plan", practice.practitioner)
    refund.created_at = _at(2026, 2, 15)  # refunded in February, for a January payment
    db.session.commit()
    received = ledger.practice_payments(None, Period(date(2026, 1, 1), date(2026, 2, 28)), "Europe/London")
    report = ledger.monthly_report(received, "Europe/London")
    as_numbers = [
        (
            m.month,
            [(line.kind, line.name, line.received_minor, line.refunded_minor, line.net_minor) for line in m.lines],
        )
        for m in report
    ]
    assert as_numbers == [
        (
            date(2026, 2, 1),
            [("session", "Follow-up", 2000, 0, 2000), ("package", "3-month gut reset", 13333, 1334, 11999)],
        ),
        (
            date(2026, 1, 1),
            [("session", "Follow-up", 8500, 0, 8500), ("package", "3-month gut reset", 13334, 0, 13334)],
        ),
    ]
    totals = {t.month: t.net_minor for t in ledger.monthly_totals(received, "Europe/London")}
    assert totals == {m.month: sum(line.net_minor for line in m.lines) for m in report}
    log_in(client, practice.practitioner.email)
    page = client.get("/practitioner/payments?from=2026-01-01&to=2026-02-28").get_data(as_text=True)
    assert "Each month by service and package" in page and "£119.99" in page and "£133.34" in page


# Sessions on credits ---------------------------------------------------------------------------------------------


def test_sessions_on_credits_are_counted_per_package_and_service_in_the_period(client, practice, clara, make_user):
    _buy(practice, _package(practice), clara)
    amelia = make_user(Role.CLIENT, name="Amelia Hart")
    _buy(practice, _package(practice, name="Migraine reset", instalments=1), amelia)
    taken = [
        lifecycle.book(
            who, practice.follow_up, practice.free(practice.follow_up)[0], needs_payment=False, use_credit=True
        )
        for who in (clara, clara, clara, amelia)
    ]
    assert all(purchases.credit_of(b.id) is not None for b in taken)
    lifecycle.cancel(taken[2], practice.practitioner, reason="Away")  # a cancelled session counts no more
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(PackageCredit.id)).filter(PackageCredit.booking_id.is_not(None)))
    counts = [(c.package, c.service, c.sessions) for c in ledger.sessions_on_credits(practice.practitioner.id)]
    assert counts == [("3-month gut reset", "Follow-up", 2), ("Migraine reset", "Follow-up", 1)]
    first_day = taken[0].starts_at.astimezone(UTC).date()
    before = Period(None, date(first_day.year - 1, 1, 1))
    assert ledger.sessions_on_credits(None, before, "Europe/London") == []
    log_in(client, practice.practitioner.email)
    page = client.get("/practitioner/payments").get_data(as_text=True)
    assert "Sessions on package credits" in page
    assert '<th scope="row">3-month gut reset</th><td>Follow-up</td><td class="num">2</td>' in page


# Receipts -------------------------------------------------------------------------------------------------------


def receipts_to(smtp_server, address: str) -> list:
    return [m for m in smtp_server.messages if m["To"] == address and m["Subject"].startswith("Your receipt")]


def test_a_package_payments_receipt_says_the_package_and_which_payment(practice, clara, smtp_server):
    payment = _pay_instalment(_buy(practice, _package(practice), clara), 1)  # recording it queued the receipt
    (mail,) = receipts_to(smtp_server, clara.email)
    assert "For: 3-month gut reset, payment 1 of 3" in mail.get_body(("plain",)).get_content()
    assert "3-month gut reset, payment 1 of 3" in mail.get_body(("html",)).get_content()
    text = pdf_text(receipts.receipt_pdf(receipts.load_paid(payment.id)))
    assert "3-month gut reset, payment 1 of 3" in text and "£133.34" in text


def test_a_package_paid_in_one_go_has_its_name_alone_on_the_receipt(practice, clara, smtp_server):
    payment = _pay_instalment(_buy(practice, _package(practice, instalments=1), clara), 1)
    (mail,) = receipts_to(smtp_server, clara.email)
    assert "For: 3-month gut reset" in mail.get_body(("plain",)).get_content().splitlines()
    assert "payment 1 of" not in pdf_text(receipts.receipt_pdf(receipts.load_paid(payment.id)))


def test_she_sees_her_package_payment_in_her_list_and_its_receipt(app, practice, clara, make_booking, make_payment):
    payment = _pay_instalment(_buy(practice, _package(practice), clara), 1)
    make_payment(make_booking(clara, in_days=2))
    browser = app.test_client()
    log_in(browser, clara.email)
    mine = browser.get("/me/payments/").get_data(as_text=True)
    assert "3-month gut reset, payment 1 of 3" in mine and "Follow-up on" in mine
    page = browser.get(f"/me/payments/{payment.id}").get_data(as_text=True)
    assert "<dd>3-month gut reset, payment 1 of 3</dd>" in page
    pdf = browser.get(f"/me/payments/{payment.id}/receipt.pdf")
    assert pdf.status_code == 200 and "payment 1 of 3" in pdf_text(pdf.data)


# Who may open a package payment, and its refund ------------------------------------------------------------------


def test_only_her_team_opens_a_package_payments_receipt_and_refunds_it(app, practice, clara, lena, make_user):
    payment = _pay_instalment(_buy(practice, _package(practice), clara), 1)
    outsider = app.test_client()
    log_in(outsider, lena.email)  # not on Clara's care team
    assert outsider.get(f"/practitioner/payments/{payment.id}/receipt.pdf").status_code == 404
    token = csrf_token_from(outsider.get("/practitioner/payments").get_data(as_text=True))
    refused = outsider.post(
        f"/practitioner/payments/{payment.id}/refund",
        data={"csrf_token": token, f"refund-{payment.id}-amount": "10", f"refund-{payment.id}-reason": "No"},
    )
    assert refused.status_code == 404
    db.session.refresh(payment)
    assert payment.refunded_minor == 0
    another = make_user(Role.CLIENT, email="amelia@example.com")
    as_client = app.test_client()
    log_in(as_client, another.email)
    assert as_client.get(f"/practitioner/payments/{payment.id}/receipt.pdf").status_code == 404
    assert as_client.get(f"/me/payments/{payment.id}/receipt.pdf").status_code == 404
    join_care_team(lena.id, clara.id)
    db.session.commit()
    assert outsider.get(f"/practitioner/payments/{payment.id}/receipt.pdf").status_code == 200
    desk = app.test_client()
    log_in(desk, make_user(Role.ASSISTANT, email="desk@example.com").email)
    assert desk.get(f"/practitioner/payments/{payment.id}/receipt.pdf").status_code == 200


def test_refunding_a_package_payment_goes_back_to_her_packages(client, practice, clara):
    payment = _pay_instalment(_buy(practice, _package(practice), clara), 1)
    log_in(client, practice.practitioner.email)
    token = csrf_token_from(client.get("/practitioner/payments").get_data(as_text=True))
    url = f"/practitioner/payments/{payment.id}/refund"
    fields = lambda amount: {  # noqa: E731
        "csrf_token": token,
        f"refund-{payment.id}-amount": amount,
        f"refund-{payment.id}-reason": "Moved away",
    }
    done = client.post(url, data=fields("20"))
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/practitioner/clients/{clara.id}/packages")
    db.session.refresh(payment)
    assert payment.refunded_minor == 2000
    too_much = client.post(url, data=fields("500"))
    assert too_much.status_code == 302 and too_much.headers["Location"].endswith(f"/clients/{clara.id}/packages")
    db.session.refresh(payment)
    assert payment.refunded_minor == 2000
    no_token = client.post(url, data={f"refund-{payment.id}-amount": "1", f"refund-{payment.id}-reason": "x"})
    assert no_token.status_code in (302, 400)
    db.session.refresh(payment)
    assert payment.refunded_minor == 2000


# Elsewhere: the dashboard's feed, the case file, her export -------------------------------------------------------


def test_the_feed_names_the_package_and_links_to_her_packages(app, practice, clara, lena):
    payment = _pay_instalment(_buy(practice, _package(practice), clara), 1)
    refunds.refund_payment(payment, 500, "Goodwill", None)
    feed = activity.what_happened(lena, lambda c: visible_clients(c, practice.practitioner), limit=10, clinical=True)
    paid = [(h.kind, h.package, h.booking_id) for h in feed.items if h.kind in ("paid", "refunded")]
    assert sorted(paid) == [("paid", "3-month gut reset", None), ("refunded", "3-month gut reset", None)]
    db.session.commit()
    join_care_team(lena.id, clara.id)
    db.session.commit()
    browser = app.test_client()
    log_in(browser, lena.email)
    home = browser.get("/practitioner/").get_data(as_text=True)
    assert f'href="/practitioner/clients/{clara.id}/packages"' in home and "· 3-month gut reset" in home


def test_the_case_file_and_her_export_hold_package_payments(app, practice, clara, make_booking, make_payment):
    payment = _pay_instalment(_buy(practice, _package(practice), clara), 1)
    make_payment(make_booking(clara, in_days=2))
    browser = app.test_client()
    log_in(browser, practice.practitioner.email)
    assert browser.get(f"/practitioner/clients/{clara.id}").status_code == 200
    for for_practitioner in (True, False):
        archive = export.build_archive(clara, for_practitioner=for_practitioner)
        document = json.loads(zipfile.ZipFile(io.BytesIO(archive.content)).read("records.json"))
        rows = {row["id"]: row for row in document["tables"]["payments"]}
        assert rows[payment.id]["instalment_id"] == payment.instalment_id and rows[payment.id]["booking_id"] is None
        assert len(rows) == 2
