"""Fifty attempts at the same moment, each in its own process with its own connection: her last credit goes to
exactly one booking, and a code's use limit holds."""

from __future__ import annotations

import multiprocessing
import os
from datetime import timedelta

from sqlalchemy import func, select

from portal import create_app
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import (
    Booking,
    PackageCredit,
    PackageInstalment,
    PackagePurchase,
    PackageVersion,
    PromoCode,
    PromoRedemption,
    User,
)
from portal.packages import catalogue, promo, purchases
from tests import factories
from tests.conftest import base_environ
from tests.packages.conftest import terms

ATTEMPTS = 50


def _race(environ, work, arguments: list[tuple]) -> list[tuple[str, str]]:
    db.session.remove()
    db.engine.dispose()  # children must not share the parent's connections
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(len(arguments)), context.Queue()

    def attempt(*args) -> None:
        try:
            app = create_app(environ)
            with app.app_context():
                prepared = work.prepare(*args)
                barrier.wait(timeout=60)
                results.put(work.run(prepared))
        except Exception as error:  # noqa: BLE001 - the parent reports it
            results.put(("crashed", repr(error)))
        finally:
            results.close()
            results.join_thread()
            os._exit(0)

    processes = [context.Process(target=attempt, args=args) for args in arguments]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(10)
    return outcomes


class SpendLastCredit:
    @staticmethod
    def prepare(booking_id):
        return db.session.get_one(Booking, booking_id)

    @staticmethod
    def run(booking):
        try:
            credit = purchases.spend_credit(booking, utcnow())
            db.session.commit()
        except Exception as error:  # noqa: BLE001 - a refusal by the database counts as not spent
            db.session.rollback()
            return ("error", type(error).__name__)
        return ("spent", "") if credit is not None else ("none left", "")


class RedeemCode:
    @staticmethod
    def prepare(client_id, version_id):
        client = db.session.get_one(User, client_id)
        version = db.session.get_one(PackageVersion, version_id)
        return client, version, purchases.quote(version, client, "SPRING", utcnow().date())

    @staticmethod
    def run(prepared):
        client, version, quote = prepared
        try:
            purchases.record_purchase(quote, client, client, utcnow())
        except promo.PromoError as error:
            db.session.rollback()
            return ("refused", str(error))
        return ("bought", "")


def test_fifty_bookings_racing_for_her_last_credit_leave_it_on_exactly_one(
    practice, client_user, tmp_path, migrated_database
):
    single = catalogue.publish(
        catalogue.create(practice.practitioner, terms(practice, instalments=1, sessions={practice.follow_up.id: 1}))
    )
    purchases.record_purchase(
        purchases.quote(single, client_user, "", utcnow().date()), client_user, practice.practitioner, utcnow()
    )
    starts = practice.free(practice.follow_up)[::4][:ATTEMPTS]
    bookings = [factories.book(client_user, practice.follow_up, start=start).id for start in starts]
    assert len(bookings) == ATTEMPTS
    client_id, service_id = client_user.id, practice.follow_up.id

    environ = base_environ(migrated_database, tmp_path / "racers")
    outcomes = _race(environ, SpendLastCredit, [(b,) for b in bookings])

    assert [o for o in outcomes if o[0] == "crashed"][:1] == []
    assert sum(1 for o in outcomes if o[0] == "spent") == 1
    assert (
        db.session.scalar(select(func.count()).select_from(PackageCredit).where(PackageCredit.booking_id.is_not(None)))
        == 1
    )
    assert purchases.credits_left(client_id, service_id, utcnow()) == 0


def test_fifty_clients_racing_for_a_code_with_ten_uses_get_ten(
    practice, gut_reset, make_user, tmp_path, migrated_database
):
    db.session.add(
        PromoCode(
            practitioner_id=practice.practitioner.id,
            code="SPRING",
            kind="percent",
            percent=20,
            currency="GBP",
            max_uses=10,
            all_packages=True,
        )
    )
    db.session.commit()
    clients = [make_user(email=f"racer{n}@example.com").id for n in range(ATTEMPTS)]

    environ = base_environ(migrated_database, tmp_path / "racers")
    outcomes = _race(environ, RedeemCode, [(c, gut_reset.id) for c in clients])

    assert [o for o in outcomes if o[0] == "crashed"][:1] == []
    assert sum(1 for o in outcomes if o[0] == "bought") == 10
    assert {message for kind, message in outcomes if kind == "refused"} == {"That code has just been used up."}
    assert db.session.scalar(select(PromoCode.uses)) == 10
    assert db.session.scalar(select(func.count()).select_from(PromoRedemption)) == 10


class PayOrCancel:
    """A card payment arriving for a purchase's first instalment (payments.card.fulfil's step), or the job
    cancelling every purchase whose hold ran out, at the same moment."""

    @staticmethod
    def prepare(kind, instalment_id):
        return kind, instalment_id

    @staticmethod
    def run(prepared):
        kind, instalment_id = prepared
        try:
            if kind == "cancel":
                return ("cancelled", str(purchases.cancel_unpaid(utcnow() + timedelta(minutes=31))))
            paid = purchases.instalment_paid_by_card(instalment_id, utcnow())
            db.session.commit()
        except Exception as error:  # noqa: BLE001 - a deadlock or any error is a failure of the test
            db.session.rollback()
            return ("error", repr(error))
        return ("paid", "") if paid else ("too late", "")


def test_payments_arriving_while_the_job_cancels_unpaid_purchases_never_deadlock_or_half_happen(
    practice, gut_reset, make_user, tmp_path, migrated_database
):
    firsts = []
    for n in range(ATTEMPTS // 5):
        client = make_user(email=f"buyer{n}@example.com")
        quote = purchases.quote(gut_reset, client, "", utcnow().date())
        purchase = purchases.buy_online(quote, client, utcnow(), timedelta(minutes=30))
        firsts.append(db.session.scalar(select(PackageInstalment.id).filter_by(purchase_id=purchase.id, number=1)))

    environ = base_environ(migrated_database, tmp_path / "racers")
    outcomes = _race(environ, PayOrCancel, [("cancel", 0)] + [("pay", i) for i in firsts])

    assert [o for o in outcomes if o[0] in ("crashed", "error")] == []
    db.session.expire_all()
    states = {
        (p.status, tuple(i.status for i in db.session.scalars(select(PackageInstalment).filter_by(purchase_id=p.id))))
        for p in db.session.scalars(select(PackagePurchase))
    }
    assert states <= {("active", ("paid", "due", "due")), ("cancelled", ("cancelled", "cancelled", "cancelled"))}
    paid = sum(1 for o in outcomes if o[0] == "paid")
    assert paid == db.session.scalar(select(func.count()).select_from(PackagePurchase).filter_by(status="active"))
    assert db.session.scalar(select(func.count()).select_from(PackageCredit)) == paid * 5
