"""The e-mails a payment plan causes: a note a few days before each later instalment falls due, and one
reminder once it is overdue. `flask jobs run` sends them, each exactly once (portal/jobs/runner.py `once`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.extensions import db
from portal.models import InstalmentStatus, PackageInstalment, PackagePurchase, PackageVersion, PurchaseStatus, User

DAYS_BEFORE = 3  # the note goes this many days before the due date, in her zone


@dataclass(frozen=True)
class Due:
    instalment: PackageInstalment
    client: User
    package_name: str
    parts: int
    currency: str
    kind: str  # "due" (coming up) or "overdue"


def instalments_to_mention(now: datetime) -> list[Due]:
    """Later instalments of active plans due within DAYS_BEFORE days of her today, or already overdue."""
    rows = db.session.execute(
        select(PackageInstalment, User, PackageVersion.name, PackageVersion.instalments, PackagePurchase.currency)
        .join(PackagePurchase, PackagePurchase.id == PackageInstalment.purchase_id)
        .join(PackageVersion, PackageVersion.id == PackagePurchase.version_id)
        .join(User, User.id == PackageInstalment.client_id)
        .where(
            PackageInstalment.status == InstalmentStatus.DUE,
            PackageInstalment.number > 1,
            PackagePurchase.status == PurchaseStatus.ACTIVE,
            PackageInstalment.due_on <= (now + timedelta(days=DAYS_BEFORE + 1)).date(),
            User.deactivated_at.is_(None),
        )
        .order_by(PackageInstalment.due_on, PackageInstalment.id)
    ).all()
    found = []
    for instalment, client, name, parts, currency in rows:
        today = now.astimezone(ZoneInfo(client.timezone)).date()
        if instalment.due_on < today:
            found.append(Due(instalment, client, name, parts, currency, "overdue"))
        elif instalment.due_on <= today + timedelta(days=DAYS_BEFORE):
            found.append(Due(instalment, client, name, parts, currency, "due"))
    return found


def days_overdue(due_on: date, today: date) -> int:
    return max(0, (today - due_on).days)
