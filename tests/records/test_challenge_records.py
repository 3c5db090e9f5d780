"""Challenges and her daily answers are her records: in both exports decrypted, removed by erasure, encrypted
at rest and re-encrypted by `flask rotate-keys`."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from portal.extensions import db
from portal.models import Challenge, ChallengeDay, TriggerTag, User
from portal.records import erasure, export
from portal.records.rotation import encrypted_columns, rotate_all

CONCLUSION = "Dairy bloats her within a day; keep it out and try goat's cheese later."


def _challenge(clara) -> Challenge:
    dairy = db.session.execute(db.select(TriggerTag).filter_by(code="dairy")).scalar_one()
    challenge = Challenge(
        client_id=clara.client.id,
        practitioner_id=clara.booking.practitioner_id,
        tag_id=dairy.id,
        title="dairy",
        eliminate_days=21,
        reintroduce_days=3,
        watch_days=4,
        starts_on=date(2026, 10, 1),
        status="ended",
        conclusion=CONCLUSION,
    )
    db.session.add(challenge)
    db.session.flush()
    db.session.add(ChallengeDay(challenge_id=challenge.id, client_id=clara.client.id, day=date(2026, 10, 2), ate=True))
    db.session.commit()
    return challenge


def _tables(client: User, for_practitioner: bool) -> dict:
    archive = export.build_archive(client, for_practitioner=for_practitioner)
    return json.loads(zipfile.ZipFile(io.BytesIO(archive.content)).read("records.json"))["tables"]


def test_both_exports_hold_her_challenges_decrypted_and_her_answers(app, clara):
    _challenge(clara)
    for for_practitioner in (True, False):
        tables = _tables(clara.client, for_practitioner)
        assert tables["challenges"][0]["conclusion"] == CONCLUSION and tables["challenges"][0]["title"] == "dairy"
        assert tables["challenge_days"][0]["ate"] is True


def test_erasure_removes_her_challenges_and_answers(app, clara):
    _challenge(clara)
    removed = erasure.erase_client(clara.client)
    db.session.commit()
    assert removed["challenges"] == 1 and removed["challenge_days"] == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Challenge)) == 0


def test_the_title_and_conclusion_are_encrypted_columns_and_rotation_covers_them(app, clara):
    challenge = _challenge(clara)
    found = {item.table.name: item.columns for item in encrypted_columns()}
    assert found["challenges"] == ("title", "conclusion")
    assert rotate_all()["challenges"] == 1
    db.session.expire_all()
    assert db.session.get(Challenge, challenge.id).conclusion == CONCLUSION
