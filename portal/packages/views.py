"""Package pages: hers (the packages she sells and her promo codes), the team's (a client's packages:
recording a purchase, an instalment paid, ending one with a refund) and the client's (what she holds)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.access import clinical_required, client_required, get_client_or_404, sees_every_client, staff_required
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import (
    Package,
    PackageInstalment,
    PackageItem,
    PackagePurchase,
    PackageVersion,
    VersionStatus,
)
from portal.money import format_money, money_input, parse_money
from portal.packages import catalogue, promo, purchases
from portal.packages.forms import EndPurchaseForm, PackageForm, PromoCodeForm, RecordPurchaseForm
from portal.practice import settings

bp = Blueprint("packages", __name__)


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
            quote, client, current_user, now, block_when_overdue=form.block_when_overdue.data
        )
    except (promo.PromoError, purchases.PurchaseError) as error:
        db.session.rollback()
        return _client_page(client, form, 422, str(error))
    audit.record("create", client.id, "package purchase", purchase.id)
    db.session.commit()
    flash(f"{client.name} now holds “{version.name}”.", "success")
    return redirect(url_for("packages.client_packages", client_id=client.id))


@bp.post("/practitioner/clients/<int:client_id>/packages/instalments/<int:instalment_id>/paid")
@staff_required
def instalment_paid(client_id: int, instalment_id: int):
    client = get_client_or_404(client_id)
    instalment = db.session.get(PackageInstalment, instalment_id)
    if instalment is None or instalment.client_id != client.id:
        abort(404)
    try:
        purchases.record_instalment_paid(instalment, utcnow())
    except purchases.PurchaseError as error:
        flash(str(error), "error")
    else:
        audit.record("change", client.id, "package instalment", instalment.id)
        db.session.commit()
        flash("The payment is recorded.", "success")
    return redirect(url_for("packages.client_packages", client_id=client.id))


@bp.post("/practitioner/clients/<int:client_id>/packages/<int:purchase_id>/end")
@staff_required
def end_purchase(client_id: int, purchase_id: int):
    client = get_client_or_404(client_id)
    purchase = db.session.get(PackagePurchase, purchase_id)
    if purchase is None or purchase.client_id != client.id:
        abort(404)
    form = EndPurchaseForm()
    if not form.validate_on_submit():
        flash("Choose how much to refund.", "error")
        return redirect(url_for("packages.client_packages", client_id=client.id))
    try:
        ending = purchases.end_with_refund(purchase, full=form.how.data == "full", now=utcnow())
    except purchases.PurchaseError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        audit.record("change", client.id, "package purchase", purchase.id)
        db.session.commit()
        flash(
            f"The package is ended: give back {format_money(ending.refund_minor, purchase.currency)} "
            f"by the way she paid; {ending.credits_refunded} unused sessions are gone.",
            "success",
        )
    return redirect(url_for("packages.client_packages", client_id=client.id))


# Hers -----------------------------------------------------------------------------------------------------------


@bp.get("/me/packages/")
@client_required
def mine():
    return render_template("packages/mine.html", holdings=purchases.holdings(current_user.id, utcnow()))
