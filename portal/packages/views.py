"""Package pages: hers (the packages she sells and her promo codes), the team's (a client's packages:
recording a purchase, an instalment paid, ending one with a refund) and the client's (what she holds, buying one
online and paying its instalments by card)."""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.access import (
    clinical_required,
    client_required,
    get_client_or_404,
    get_own_or_404,
    sees_every_client,
    staff_required,
)
from portal.db_types import utcnow
from portal.extensions import db
from portal.links import absolute_url
from portal.models import (
    InstalmentStatus,
    Package,
    PackageInstalment,
    PackageItem,
    PackagePurchase,
    PackageVersion,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PurchaseStatus,
    User,
    VersionStatus,
)
from portal.money import format_money, money_input, parse_money
from portal.packages import catalogue, promo, purchases
from portal.packages.forms import (
    BlockingForm,
    BuyForm,
    EndPurchaseForm,
    InstalmentPaidForm,
    PackageForm,
    PromoCodeForm,
    RecordPurchaseForm,
)
from portal.payments import card, gateway, ledger, refunds
from portal.payments.forms import TestCardForm
from portal.payments.ledger import PaymentError
from portal.payments.views import charge_test_card
from portal.practice import settings
from portal.security import card_page

bp = Blueprint("packages", __name__)
Row = TypeVar("Row", PackagePurchase, PackageInstalment)


def _own_version_or_404(version_id: int) -> PackageVersion:
    version = db.session.scalar(
        select(PackageVersion)
        .join(Package)
        .where(PackageVersion.id == version_id, Package.practitioner_id == current_user.id)
        .options(selectinload(PackageVersion.items))
    )
    if version is None:
        abort(404)
    return version


def _currency() -> str:
    return current_app.config["PRACTICE_CURRENCY"]


# Her packages and codes ----------------------------------------------------------------------------------------


@bp.get("/practitioner/packages/")
@clinical_required
def catalogue_page():
    versions = db.session.scalars(
        select(PackageVersion)
        .join(Package)
        .where(Package.practitioner_id == current_user.id, PackageVersion.status != VersionStatus.RETIRED)
        .options(selectinload(PackageVersion.items).joinedload(PackageItem.service))
        .order_by(PackageVersion.name, PackageVersion.version)
    ).all()
    return render_template("packages/catalogue.html", versions=versions, codes=promo.codes_of(current_user.id))


def _package_page(form: PackageForm, version: PackageVersion | None):
    services = [s for s in settings.services_of(current_user) if s.active or version]
    chosen = {item.service_id: item.sessions for item in version.items} if version else {}
    if form.is_submitted():
        chosen = {}
        for service in services:
            raw = request.form.get(f"sessions-{service.id}", "").strip()
            chosen[service.id] = int(raw) if raw.isdigit() and len(raw) <= 3 else 0
    problem = ""
    if form.validate_on_submit():
        try:
            price_minor = parse_money(form.price.data, _currency())
        except ValueError as error:
            form.price.errors.append(str(error))
        else:
            terms = catalogue.Terms(
                name=form.name.data,
                description=form.description.data or "",
                price_minor=price_minor,
                valid_days=form.valid_days.data,
                online=form.online.data,
                instalments=form.instalments.data,
                instalment_every_months=form.instalment_every_months.data,
                sessions=chosen,
            )
            try:
                saved = (
                    catalogue.edit(version, current_user, terms) if version else catalogue.create(current_user, terms)
                )
            except catalogue.PackageError as error:
                problem = str(error)
            else:
                note = (
                    " as a new version (the one on sale stays as it was until you publish)"
                    if (version and saved.id != version.id)
                    else ""
                )
                flash(f"“{saved.name}” is saved{note}.", "success")
                return redirect(url_for("packages.catalogue_page"))
    page = render_template(
        "packages/package_form.html",
        form=form,
        version=version,
        services=services,
        chosen=chosen,
        problem=problem,
        currency=_currency(),
    )
    return page, 422 if form.is_submitted() else 200


@bp.route("/practitioner/packages/new", methods=["GET", "POST"])
@clinical_required
def new_package():
    return _package_page(PackageForm(), None)


@bp.route("/practitioner/packages/<int:version_id>", methods=["GET", "POST"])
@clinical_required
def edit_package(version_id: int):
    version = _own_version_or_404(version_id)
    form = PackageForm(obj=version)
    if not form.is_submitted():
        form.price.data = money_input(version.price_minor, version.currency)
    return _package_page(form, version)


@bp.post("/practitioner/packages/<int:version_id>/publish")
@clinical_required
def publish_package(version_id: int):
    version = _own_version_or_404(version_id)
    try:
        catalogue.publish(version)
    except catalogue.PackageError as error:
        flash(str(error), "error")
    else:
        flash(f"“{version.name}” is on sale.", "success")
    return redirect(url_for("packages.catalogue_page"))


@bp.post("/practitioner/packages/<int:version_id>/withdraw")
@clinical_required
def withdraw_package(version_id: int):
    version = _own_version_or_404(version_id)
    try:
        catalogue.withdraw(version)
    except catalogue.PackageError as error:
        flash(str(error), "error")
    else:
        flash(f"“{version.name}” is no longer on sale; what clients bought stays valid.", "success")
    return redirect(url_for("packages.catalogue_page"))


@bp.route("/practitioner/promo-codes/new", methods=["GET", "POST"])
@clinical_required
def new_code():
    form = PromoCodeForm()
    services = settings.services_of(current_user)
    packages = catalogue.on_sale(current_user.id)
    problem = ""
    if form.validate_on_submit():
        try:
            amount = parse_money(form.amount.data, _currency()) if form.kind.data == "fixed" else None
            if form.kind.data == "fixed" and not form.amount.data:
                raise promo.PromoError("Enter the amount the code takes off.")
            code = promo.create_code(
                current_user,
                form.code.data,
                currency=_currency(),
                percent=form.percent.data if form.kind.data == "percent" else None,
                amount_minor=amount,
                valid_from=form.valid_from.data,
                valid_until=form.valid_until.data,
                max_uses=form.max_uses.data,
                per_client_limit=form.per_client_limit.data,
                first_booking_only=form.first_booking_only.data,
                all_services=form.all_services.data,
                all_packages=form.all_packages.data,
                service_ids=tuple(_ids("service")),
                package_ids=tuple(_ids("package")),
            )
        except (promo.PromoError, ValueError) as error:
            problem = str(error)
        else:
            flash(f"The code {code.code} is ready.", "success")
            return redirect(url_for("packages.catalogue_page"))
    page = render_template(
        "packages/code_form.html",
        form=form,
        services=services,
        packages=packages,
        problem=problem,
        currency=_currency(),
    )
    return page, 422 if form.is_submitted() else 200


def _ids(kind: str) -> list[int]:
    return [int(v) for v in request.form.getlist(kind)[:100] if v.isdigit() and len(v) <= 9]


@bp.post("/practitioner/promo-codes/<int:code_id>/active")
@clinical_required
def toggle_code(code_id: int):
    code = next((c for c in promo.codes_of(current_user.id) if c.id == code_id), None)
    if code is None:
        abort(404)
    promo.set_active(code, not code.active)
    flash(f"The code {code.code} is {'on' if code.active else 'off'}.", "success")
    return redirect(url_for("packages.catalogue_page"))


# A client's packages, for the team ------------------------------------------------------------------------------


def _sellable() -> list[PackageVersion]:
    """What the desk may record for a client: the owner and the assistant, every practitioner's packages."""
    everyone = sees_every_client(current_user) or not current_user.is_practitioner
    return catalogue.on_sale(None if everyone else current_user.id)


def _client_page(client, form: RecordPurchaseForm, status: int = 200, problem: str = ""):
    audit.record("view", client.id, "packages")
    db.session.commit()
    return render_template(
        "packages/client_packages.html",
        client=client,
        form=form,
        problem=problem,
        holdings=purchases.holdings(client.id, utcnow()),
        end_form=EndPurchaseForm(formdata=None),
        paid_form=InstalmentPaidForm,
        blocking_form=BlockingForm,
    ), status


def _record_form() -> RecordPurchaseForm:
    form = RecordPurchaseForm()
    form.version_id.choices = [(v.id, v.name) for v in _sellable()]
    return form


@bp.route("/practitioner/clients/<int:client_id>/packages", methods=["GET", "POST"])
@staff_required
def client_packages(client_id: int):
    client = get_client_or_404(client_id)
    form = _record_form()
    if not form.is_submitted():
        return _client_page(client, form)
    if not form.validate_on_submit():
        return _client_page(client, form, 422)
    version = db.session.get(PackageVersion, form.version_id.data)
    assert version is not None  # among the form's choices
    now = utcnow()
    try:
        quote = purchases.quote(version, client, form.code.data or "", now.date())
        purchase = purchases.record_purchase(
            quote,
            client,
            current_user,
            now,
            paid_by=ledger.package_paid_by_hand(PaymentMethod(form.method.data), "", current_user),
            block_when_overdue=form.block_when_overdue.data,
        )
    except (promo.PromoError, purchases.PurchaseError) as error:
        db.session.rollback()
        return _client_page(client, form, 422, str(error))
    audit.record("create", client.id, "package purchase", purchase.id)
    db.session.commit()
    flash(f"{client.name} now holds “{version.name}”.", "success")
    return redirect(url_for("packages.client_packages", client_id=client.id))


def _clients_or_404(model: type[Row], row_id: int, client_id: int) -> tuple[User, Row]:
    """The client (if the team member may see her) and one of her purchases or instalments; 404 otherwise."""
    client = get_client_or_404(client_id)
    row = db.session.get(model, row_id)
    if row is None or row.client_id != client.id:
        abort(404)
    return client, row


@bp.post("/practitioner/clients/<int:client_id>/packages/instalments/<int:instalment_id>/paid")
@staff_required
def instalment_paid(client_id: int, instalment_id: int):
    client, instalment = _clients_or_404(PackageInstalment, instalment_id, client_id)
    form = InstalmentPaidForm(prefix=f"paid-{instalment.id}")
    if not form.validate_on_submit():
        flash("Choose how she paid.", "error")
        return redirect(url_for("packages.client_packages", client_id=client.id))
    try:
        purchases.record_instalment_paid(
            instalment, utcnow(), paid_by=ledger.package_paid_by_hand(PaymentMethod(form.method.data), "", current_user)
        )
    except (purchases.PurchaseError, PaymentError) as error:
        flash(str(error), "error")
    else:
        audit.record("change", client.id, "package instalment", instalment.id)
        db.session.commit()
        flash("The payment is recorded.", "success")
    return redirect(url_for("packages.client_packages", client_id=client.id))


@bp.post("/practitioner/clients/<int:client_id>/packages/<int:purchase_id>/end")
@staff_required
def end_purchase(client_id: int, purchase_id: int):
    client, purchase = _clients_or_404(PackagePurchase, purchase_id, client_id)
    form = EndPurchaseForm()
    if not form.validate_on_submit():
        flash("Choose how much to refund.", "error")
        return redirect(url_for("packages.client_packages", client_id=client.id))
    try:
        done = refunds.refund_package(purchase, full=form.how.data == "full", actor=current_user, now=utcnow())
    except purchases.PurchaseError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        audit.record("change", client.id, "package purchase", purchase.id)
        db.session.commit()
        flash(*_ended_message(done, purchase.currency))
    return redirect(url_for("packages.client_packages", client_id=client.id))


def _ended_message(done: refunds.PackageRefund, currency: str) -> tuple[str, str]:
    money = lambda minor: format_money(minor, currency)  # noqa: E731
    parts = [f"The package is ended; {done.ending.credits_refunded} unused sessions are gone."]
    if done.to_card_minor:
        parts.append(f"{money(done.to_card_minor)} is on its way back to her card.")
    if done.by_hand_minor:
        parts.append(f"Give her back {money(done.by_hand_minor)} the way she paid (recorded as refunded).")
    if not done.ending.refund_minor:
        parts.append("Nothing is refunded.")
    if done.problem:
        parts.append(done.problem)
    return " ".join(parts), "error" if done.problem else "success"


@bp.post("/practitioner/clients/<int:client_id>/packages/<int:purchase_id>/blocking")
@staff_required
def purchase_blocking(client_id: int, purchase_id: int):
    client, purchase = _clients_or_404(PackagePurchase, purchase_id, client_id)
    form = BlockingForm(prefix=f"block-{purchase.id}")
    if form.validate_on_submit():
        purchases.set_blocking(purchase, form.block.data)
        audit.record("change", client.id, "package purchase", purchase.id)
        db.session.commit()
        flash(
            "While a payment of this plan is overdue she cannot book."
            if form.block.data
            else "She can book while a payment of this plan is overdue.",
            "success",
        )
    return redirect(url_for("packages.client_packages", client_id=client.id))


# Hers -----------------------------------------------------------------------------------------------------------

HOLD = timedelta(minutes=30)  # an online purchase waits this long for its first payment, holding its code


@bp.get("/me/packages/")
@client_required
def mine():
    return render_template(
        "packages/mine.html", holdings=purchases.holdings(current_user.id, utcnow()), pay_online=gateway.enabled()
    )


def _online_or_404(version_id: int) -> PackageVersion:
    version = next((v for v in catalogue.on_sale(None, online_only=True) if v.id == version_id), None)
    if version is None:
        abort(404)
    return version


@bp.get("/packages/<int:version_id>/")
def package(version_id: int):
    """A package on sale online, for anyone: what it holds, its price and plan."""
    version = _online_or_404(version_id)
    return render_template("packages/package.html", version=version, pay_online=gateway.enabled())


@bp.route("/me/packages/buy/<int:version_id>", methods=["GET", "POST"])
@client_required
def buy(version_id: int):
    """What she would pay (worked out on the server from the package and the code she typed: nothing else from the
    page counts), then the purchase and its first payment by card. "Apply code" (a GET) only shows the price."""
    version = _online_or_404(version_id)
    form = BuyForm()
    typed = ((request.form if request.method == "POST" else request.args).get("code") or "")[:60].strip()
    now = utcnow()
    today = now.astimezone(ZoneInfo(current_user.timezone)).date()
    problem = ""
    try:
        quote = purchases.quote(version, current_user, typed, today)
    except (promo.PromoError, purchases.PurchaseError) as error:
        problem, quote = str(error), purchases.quote(version, current_user, "", today)
    if request.method == "POST" and not problem:
        if not form.validate_on_submit():
            problem = " ".join(e for errors in form.errors.values() for e in errors) or "Please try again."
        elif not gateway.enabled() and quote.price_minor > 0:
            problem = "Packages can't be paid online at the moment. Please contact the practice to buy this one."
        elif started := purchases.waiting_first_payment(current_user.id, version.id, now):
            return redirect(url_for("packages.pay_instalment", instalment_id=started.id))
        else:
            try:
                purchase = purchases.buy_online(quote, current_user, now, HOLD)
            except (promo.PromoError, purchases.PurchaseError) as error:
                db.session.rollback()
                problem = str(error)
            else:
                return _bought(purchase, version)
    page = render_template(
        "packages/buy.html",
        version=version,
        form=form,
        quote=quote,
        typed_code=typed[:30],
        problem=problem,
        pay_online=gateway.enabled(),
    )
    return page, 422 if problem else 200


def _bought(purchase: PackagePurchase, version: PackageVersion):
    audit.record("create", current_user.id, "package purchase", purchase.id)
    db.session.commit()
    if purchase.status == PurchaseStatus.ACTIVE:  # nothing to pay
        flash(f"“{version.name}” is yours.", "success")
        return redirect(url_for("packages.mine"))
    first = db.session.scalar(
        select(PackageInstalment).where(PackageInstalment.purchase_id == purchase.id, PackageInstalment.number == 1)
    )
    assert first is not None  # a purchase with a price has a plan
    return redirect(url_for("packages.pay_instalment", instalment_id=first.id))


@bp.get("/me/packages/instalments/<int:instalment_id>/pay")
@client_required
def pay_instalment(instalment_id: int):
    instalment = get_own_or_404(PackageInstalment, instalment_id, "client_id")
    purchase = db.session.get_one(PackagePurchase, instalment.purchase_id)
    version = db.session.get_one(PackageVersion, purchase.version_id)
    if instalment.status != InstalmentStatus.DUE or not gateway.enabled():
        return redirect(url_for("packages.instalment_status", instalment_id=instalment.id))
    try:
        payment = card.card_payment_for_instalment(instalment)
    except (PaymentError, gateway.GatewayError) as error:
        flash(str(error), "error")
        return redirect(url_for("packages.mine"))
    test_cards = current_app.config["STRIPE_TEST_CARDS"]
    html = render_template(
        "packages/pay.html",
        instalment=instalment,
        purchase=purchase,
        version=version,
        payment=payment,
        test_cards=test_cards,
        form=TestCardForm(),
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        return_url=absolute_url("packages.instalment_status", instalment_id=instalment.id),
        test_card_action=url_for("packages.pay_instalment_with_test_card", instalment_id=instalment.id),
    )
    return card_page(html, test_cards)


@bp.post("/me/packages/instalments/<int:instalment_id>/pay/test-card")
@client_required
def pay_instalment_with_test_card(instalment_id: int):
    if not current_app.config["STRIPE_TEST_CARDS"]:
        abort(404)
    instalment = get_own_or_404(PackageInstalment, instalment_id, "client_id")
    return charge_test_card(
        lambda: card.card_payment_for_instalment(instalment),
        url_for("packages.pay_instalment", instalment_id=instalment.id),
        url_for("packages.instalment_status", instalment_id=instalment.id),
    )


@bp.get("/me/packages/instalments/<int:instalment_id>/payment")
@client_required
def instalment_status(instalment_id: int):
    """Where Stripe sends her back: what the portal knows, looking again until the webhook lands."""
    instalment = get_own_or_404(PackageInstalment, instalment_id, "client_id")
    purchase = db.session.get_one(PackagePurchase, instalment.purchase_id)
    latest = db.session.scalar(
        select(Payment).where(Payment.instalment_id == instalment.id).order_by(Payment.id.desc()).limit(1)
    )
    return render_template(
        "packages/payment_status.html",
        instalment=instalment,
        purchase=purchase,
        version=db.session.get_one(PackageVersion, purchase.version_id),
        payment=latest,
        waiting=instalment.status == InstalmentStatus.DUE
        and latest is not None
        and latest.status == PaymentStatus.PENDING
        and not latest.failure_message,
    )
