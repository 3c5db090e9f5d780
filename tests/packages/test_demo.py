"""The demo practice sells the 3-month gut reset, has a welcome code, and Sophie holds the package; seeding
twice adds nothing."""

from __future__ import annotations

from portal.accounts import users
from portal.db_types import utcnow
from portal.demo import seed_demo
from portal.extensions import db
from portal.models import PackagePurchase, PromoCode
from portal.packages import purchases


def test_the_demo_has_a_package_a_code_and_a_client_holding_it(app):
    seed_demo("Europe/London", "GBP")
    seed_demo("Europe/London", "GBP")
    sophie = users.find_user_by_email("sophie@example.com")
    assert db.session.scalar(db.select(db.func.count(PackagePurchase.id))) == 1
    assert db.session.scalar(db.select(PromoCode.uses)) == 1
    [holding] = purchases.holdings(sophie.id, utcnow())
    assert holding.name == "3-month gut reset" and holding.services[0].left == 5
    assert holding.purchase.discount_minor == holding.purchase.list_price_minor // 10
