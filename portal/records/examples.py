"""Demo data: a filled-in profile with one later change, so the practitioner's pages have something to show."""

from __future__ import annotations

from datetime import date

from portal.extensions import db
from portal.models import User
from portal.records import profiles

DEMO_PROFILE = {
    "phone": "07700 900461",
    "date_of_birth": date(1989, 6, 14),
    "conditions": "Migraine without aura since her teens, worse around her period. IBS with constipation.",
    "medication": (
        "Sumatriptan 50 mg when a migraine starts (about 8 days a month). Ibuprofen 400 mg on other bad days."
    ),
    "supplements": "Magnesium citrate 200 mg at night.",
    "allergies": "None known. Bloats after onions and garlic.",
    "goals": "Fewer migraine days, less reliance on painkillers, and a calmer gut.",
    "gp_name": "Dr Helen Okafor",
    "gp_practice": "Riverside Medical Centre, 12 Mill Lane, Bristol BS1 4QA",
}


def seed_demo_profile(client: User) -> None:
    """Her profile as she filled it in, then a supplement the practitioner added (skipped if she has one)."""
    if profiles.profile_for(client.id) is not None:
        return
    profiles.save_profile(client.id, client.id, DEMO_PROFILE, 0)
    profiles.save_profile(
        client.id, client.id, {"supplements": "Magnesium citrate 200 mg at night. Riboflavin 400 mg in the morning."}, 1
    )
    db.session.commit()
