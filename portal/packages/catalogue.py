"""Packages as she edits them: a draft changes in place; a published version never does. Editing a published
package makes a new draft (the next version); publishing it retires the version before, whose buyers keep
what they bought."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Package, PackageItem, PackageVersion, Service, User, VersionStatus
from portal.models.packages import DESCRIPTION_MAX, NAME_MAX


class PackageError(ValueError):
    """The package cannot be saved or published as asked; str() is the message for her."""


@dataclass(frozen=True)
class Terms:
    """What a version says, as she typed it (already parsed to numbers)."""

    name: str
    description: str
    price_minor: int
    valid_days: int
    online: bool
    instalments: int
    instalment_every_months: int
    sessions: dict[int, int]  # service id -> how many sessions


def _checked(terms: Terms, practitioner: User) -> dict[int, Service]:
    if not terms.name.strip() or len(terms.name) > NAME_MAX:
        raise PackageError(f"Give the package a name of up to {NAME_MAX} characters.")
    if len(terms.description) > DESCRIPTION_MAX:
        raise PackageError(f"Keep the description to {DESCRIPTION_MAX} characters.")
    if terms.price_minor < 0:
        raise PackageError("The price cannot be negative.")
    if not 1 <= terms.valid_days <= 1095:
        raise PackageError("A package is valid for 1 to 1,095 days after purchase.")
    if not 1 <= terms.instalments <= 24 or not 1 <= terms.instalment_every_months <= 12:
        raise PackageError("A plan has 1 to 24 payments, 1 to 12 months apart.")
    if terms.instalments > 1 and terms.price_minor < terms.instalments:
        raise PackageError("A price paid in instalments must be at least one penny per instalment.")
    counts = {service_id: n for service_id, n in terms.sessions.items() if n}
    if not counts:
        raise PackageError("Choose at least one session for the package.")
    if any(not 1 <= n <= 52 for n in counts.values()):
        raise PackageError("A package holds 1 to 52 sessions of each service.")
    services = {
        s.id: s
        for s in db.session.scalars(
            select(Service).where(Service.id.in_(counts), Service.practitioner_id == practitioner.id)
        )
    }
    if set(services) != set(counts):
        raise PackageError("Choose sessions from your own services.")
    return services


def _write(version: PackageVersion, terms: Terms, services: dict[int, Service]) -> None:
    currencies = {s.currency for s in services.values()}
    if len(currencies) != 1:
        raise PackageError("A package's sessions must all be priced in one currency.")
    version.name, version.description = terms.name.strip(), terms.description.strip()
    version.price_minor, version.currency = terms.price_minor, currencies.pop()
    version.valid_days, version.online = terms.valid_days, terms.online
    version.instalments, version.instalment_every_months = terms.instalments, terms.instalment_every_months
    db.session.flush()
    db.session.execute(delete(PackageItem).where(PackageItem.version_id == version.id))
    db.session.add_all(
        PackageItem(version_id=version.id, service_id=sid, sessions=n) for sid, n in sorted(terms.sessions.items()) if n
    )
    db.session.flush()
    db.session.expire(version, ["items"])


def create(practitioner: User, terms: Terms) -> PackageVersion:
    """A new package, as a draft (version 1)."""
    services = _checked(terms, practitioner)
    package = Package(practitioner_id=practitioner.id)
    version = PackageVersion(package=package, version=1, status=VersionStatus.DRAFT.value)
    db.session.add_all([package, version])
    _write(version, terms, services)
    db.session.commit()
    return version


def edit(version: PackageVersion, practitioner: User, terms: Terms) -> PackageVersion:
    """Save her changes: in place on a draft; on a published or retired version, as a new draft after the
    package's newest version (an existing draft of the package is replaced by these terms)."""
    services = _checked(terms, practitioner)
    if version.status != VersionStatus.DRAFT:
        versions = db.session.scalars(
            select(PackageVersion).where(PackageVersion.package_id == version.package_id).with_for_update()
        ).all()
        drafts = [v for v in versions if v.status == VersionStatus.DRAFT]
        if drafts:
            version = drafts[0]
        else:
            version = PackageVersion(
                package_id=version.package_id,
                version=max(v.version for v in versions) + 1,
                status=VersionStatus.DRAFT.value,
            )
            db.session.add(version)
    _write(version, terms, services)
    db.session.commit()
    return version


def publish(version: PackageVersion) -> PackageVersion:
    """Make a draft the package's version on sale; the version before is retired (its buyers keep it)."""
    if version.status != VersionStatus.DRAFT:
        raise PackageError("Only a draft can be published.")
    db.session.execute(
        update(PackageVersion)
        .where(PackageVersion.package_id == version.package_id, PackageVersion.status == VersionStatus.PUBLISHED)
        .values(status=VersionStatus.RETIRED.value)
    )
    version.status, version.published_at = VersionStatus.PUBLISHED.value, utcnow()
    db.session.commit()
    return version


def withdraw(version: PackageVersion) -> PackageVersion:
    """Take a published version off sale; what was bought stays valid."""
    if version.status != VersionStatus.PUBLISHED:
        raise PackageError("Only a package on sale can be withdrawn.")
    version.status = VersionStatus.RETIRED.value
    db.session.commit()
    return version


def on_sale(practitioner_id: int | None, *, online_only: bool = False) -> list[PackageVersion]:
    """Her published versions (every practitioner's when None), with their items and services, by name."""
    query = (
        select(PackageVersion)
        .join(Package)
        .where(PackageVersion.status == VersionStatus.PUBLISHED)
        .options(selectinload(PackageVersion.items).joinedload(PackageItem.service))
        .order_by(PackageVersion.name)
    )
    if practitioner_id is not None:
        query = query.where(Package.practitioner_id == practitioner_id)
    if online_only:
        query = query.where(PackageVersion.online.is_(True))
    return list(db.session.scalars(query))
