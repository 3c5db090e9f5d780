"""The demo's package: a 3-month gut reset of five follow-ups in three monthly payments, bought by a client
with a welcome code, and the code itself."""

from __future__ import annotations

from dataclasses import dataclass

from portal.db_types import utcnow
from portal.models import PackagePurchase, PackageVersion, PromoCode, Service, User
from portal.packages import catalogue, promo, purchases


@dataclass(frozen=True)
class DemoPackage:
    version: PackageVersion
    code: PromoCode
    purchase: PackagePurchase


def seed_demo_package(
    practitioner: User, client: User, follow_up: Service, paid_by: purchases.PaidBy | None = None
) -> DemoPackage:
    """`paid_by` records the first payment (payments.ledger.package_paid_by_hand)."""
    version = catalogue.publish(
        catalogue.create(
            practitioner,
            catalogue.Terms(
                name="3-month gut reset",
                description="Five follow-ups over three months, each with its handout, to calm the gut and "
                "find what sets your migraines off.",
                price_minor=follow_up.price_minor * 5 * 9 // 10,
                valid_days=120,
                online=True,
                instalments=3,
                instalment_every_months=1,
                sessions={follow_up.id: 5},
            ),
        )
    )
    code = promo.create_code(
        practitioner,
        "WELCOME10",
        currency=follow_up.currency,
        percent=10,
        per_client_limit=1,
        all_packages=True,
    )
    now = utcnow()
    quote = purchases.quote(version, client, "WELCOME10", now.date())
    purchase = purchases.record_purchase(quote, client, practitioner, now, paid_by=paid_by)
    return DemoPackage(version, code, purchase)
