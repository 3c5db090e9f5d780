"""The client's profile: contact, date of birth, health background and GP, with a history of changes.

Each save that changes something adds a ProfileChange naming the fields, with the old and new values kept
encrypted, and an audit row. A save made from an older copy of the form is refused (StaleProfile), so two
tabs or two people never silently overwrite each other.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import joinedload

from portal import audit
from portal.db_types import utcnow
from portal.extensions import db
from portal.models.records import ClientProfile, ProfileChange


@dataclass(frozen=True)
class ProfileField:
    name: str
    label: str
    max_length: int
    health: bool  # medical free text: encrypted at rest


FIELDS: tuple[ProfileField, ...] = (
    ProfileField("phone", "Phone", 40, False),
    ProfileField("date_of_birth", "Date of birth", 10, False),
    ProfileField("conditions", "Health conditions", 2000, True),
    ProfileField("medication", "Current medication", 2000, True),
    ProfileField("supplements", "Supplements", 2000, True),
    ProfileField("allergies", "Allergies and intolerances", 1000, True),
    ProfileField("goals", "Goals", 2000, True),
    ProfileField("gp_name", "GP's name", 120, True),
    ProfileField("gp_practice", "GP practice (name, address, phone)", 500, True),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
LABELS = {f.name: f.label for f in FIELDS}


class StaleProfile(Exception):
    """The profile was saved by someone else after this form was opened."""


def profile_for(client_id: int) -> ClientProfile | None:
    return db.session.execute(db.select(ClientProfile).filter_by(client_id=client_id)).scalar_one_or_none()


def profile_changes(client_id: int) -> list[ProfileChange]:
    """Her profile's changes, newest first, each with who made it."""
    return list(
        db.session.execute(
            db.select(ProfileChange)
            .options(joinedload(ProfileChange.actor))
            .filter_by(client_id=client_id)
            .order_by(ProfileChange.at.desc(), ProfileChange.id.desc())
        ).scalars()
    )


def change_values(change: ProfileChange) -> dict[str, tuple[str, str]]:
    """The old and new value of each field a change touched."""
    return {name: (old, new) for name, (old, new) in json.loads(change.changes or "{}").items()}


def _as_text(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def save_profile(
    client_id: int, actor_id: int | None, values: Mapping[str, object], expected_version: int | None
) -> ProfileChange | None:
    """Apply the given fields to her profile (created on first save); None when nothing changed.

    `expected_version` is the version the form was opened on (None: do not check); the caller commits.
    """
    unknown = set(values) - set(FIELD_NAMES)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    profile = db.session.execute(
        db.select(ClientProfile).filter_by(client_id=client_id).with_for_update()
    ).scalar_one_or_none()
    created = profile is None
    if profile is None:
        profile = ClientProfile(
            client_id=client_id,
            phone="",
            date_of_birth=None,
            conditions="",
            medication="",
            supplements="",
            allergies="",
            goals="",
            gp_name="",
            gp_practice="",
            version=0,
        )
        db.session.add(profile)
    elif expected_version is not None and profile.version != expected_version:
        raise StaleProfile()

    changed = {}
    for name, new in values.items():
        new = new.strip() if isinstance(new, str) else new
        old = getattr(profile, name)
        if _as_text(old) != _as_text(new):
            changed[name] = (_as_text(old), _as_text(new))
            setattr(profile, name, new)
    if not changed:
        if created:
            db.session.expunge(profile)
        return None

    now = utcnow()
    profile.version += 1
    profile.updated_at = now
    change = ProfileChange(
        client_id=client_id,
        at=now,
        actor_id=actor_id,
        fields=",".join(n for n in FIELD_NAMES if n in changed),
        changes=json.dumps(changed, ensure_ascii=False),
    )
    db.session.add(change)
    db.session.flush()
    audit.record("create" if created else "change", client_id, "profile", profile.id)
    return change
