"""Packages are drafts until published; a published version is never changed under its buyers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import PackageItem, PackageVersion, Role, VersionStatus
from portal.packages import catalogue, purchases
from tests.packages.conftest import terms


def test_a_new_package_is_a_draft_and_is_not_on_sale_until_published(practice):
    draft = catalogue.create(practice.practitioner, terms(practice))
    assert (draft.version, draft.status, draft.currency) == (1, VersionStatus.DRAFT, "GBP")
    assert catalogue.on_sale(practice.practitioner.id) == []
    catalogue.publish(draft)
    assert [v.id for v in catalogue.on_sale(practice.practitioner.id)] == [draft.id]
    assert draft.published_at is not None


def test_a_draft_is_edited_in_place(practice):
    draft = catalogue.create(practice.practitioner, terms(practice))
    edited = catalogue.edit(draft, practice.practitioner, terms(practice, price_minor=45000))
    assert edited.id == draft.id and edited.price_minor == 45000
    assert db.session.scalar(select(db.func.count()).select_from(PackageVersion)) == 1


def test_editing_a_published_package_makes_a_new_version_and_leaves_the_bought_one_alone(
    practice, gut_reset, client_user
):
    bought = purchases.record_purchase(
        purchases.quote(gut_reset, client_user, "", utcnow().date()), client_user, practice.practitioner, utcnow()
    )
    change = terms(practice, price_minor=48000, sessions={practice.follow_up.id: 6})
    new = catalogue.edit(gut_reset, practice.practitioner, change)
    assert (new.version, new.status) == (2, VersionStatus.DRAFT)
    db.session.refresh(gut_reset)
    sessions = db.session.scalar(select(PackageItem.sessions).where(PackageItem.version_id == gut_reset.id))
    assert (gut_reset.status, gut_reset.price_minor, sessions) == ("published", 40000, 5)
    # A second edit of the published version changes the same draft, not a third version.
    again = catalogue.edit(gut_reset, practice.practitioner, terms(practice, price_minor=47000))
    assert again.id == new.id and again.price_minor == 47000
    catalogue.publish(new)
    db.session.refresh(gut_reset)
    assert gut_reset.status == VersionStatus.RETIRED
    assert [v.id for v in catalogue.on_sale(practice.practitioner.id)] == [new.id]
    assert bought.version_id == gut_reset.id and len(purchases.holdings(client_user.id, utcnow())[0].services) == 1
    assert purchases.holdings(client_user.id, utcnow())[0].services[0].total == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": " "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"price_minor": -1}, "negative"),
        ({"valid_days": 0}, "valid"),
        ({"instalments": 25}, "payments"),
        ({"instalments": 3, "price_minor": 2}, "penny"),
        ({"sessions": {}}, "at least one session"),
        ({"sessions": {"follow_up": 53}}, "1 to 52"),
        ({"description": "x" * 2001}, "description"),
    ],
)
def test_a_package_that_cannot_be_sold_is_refused_with_a_reason(practice, change, message):
    if change.get("sessions") == {"follow_up": 53}:
        change = {"sessions": {practice.follow_up.id: 53}}
    with pytest.raises(catalogue.PackageError, match=message):
        catalogue.create(practice.practitioner, terms(practice, **change))


def test_a_package_holds_only_her_own_services(practice, make_user):
    other = make_user(Role.PRACTITIONER, email="other@example.com")
    with pytest.raises(catalogue.PackageError, match="your own services"):
        catalogue.create(other, terms(practice))


def test_only_a_draft_is_published_and_only_a_published_version_withdrawn(practice, gut_reset):
    with pytest.raises(catalogue.PackageError):
        catalogue.publish(gut_reset)
    catalogue.withdraw(gut_reset)
    assert catalogue.on_sale(practice.practitioner.id) == []
    with pytest.raises(catalogue.PackageError):
        catalogue.withdraw(gut_reset)
