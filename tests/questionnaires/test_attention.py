"""The practitioner's "needs your attention" list, from stored scores and the diary."""

from __future__ import annotations

from datetime import timedelta

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Booking, QuestionnaireResponse, Role
from portal.questionnaires import diary_entries
from portal.questionnaires.attention import needs_attention
from tests.conftest import csrf_token_from, log_in


def stored(client, code: str, total: float, band: str, days_ago: int, flags=()) -> None:
    db.session.add(
        QuestionnaireResponse(
            client_id=client.id,
            code=code,
            version="1",
            status="submitted",
            answers={},
            total=total,
            band=band,
            flags=list(flags),
            submitted_at=utcnow() - timedelta(days=days_ago),
        )
    )
    db.session.commit()


def test_alerts_worse_and_better_bands_improvement_overuse_and_new_answers(make_user):
    amy, bea, cat = make_user(name="Amy"), make_user(name="Bea"), make_user(name="Cat")
    stored(amy, "phq9", 6, "mild", 30)
    stored(amy, "phq9", 11, "moderate", 2, flags=["self_harm_thoughts"])
    stored(bea, "ibs_sss", 280, "moderate", 40)
    stored(bea, "ibs_sss", 220, "moderate", 3)  # down 60 points: meaningful although the band is the same
    stored(cat, "gad7", 12, "moderate", 20)
    stored(cat, "gad7", 6, "mild", 1)
    today = utcnow().date()
    for n in range(10):
        diary_entries.save_entry(
            cat,
            today - timedelta(days=n),
            today,
            headache="migraine",
            intensity=6,
            headache_minutes=120,
            medication={"triptan"},
            stool_types=[],
            bloating=0,
            abdominal_pain=0,
            note="",
        )
    flags = [(f.client_name, f.kind, f.message) for f in needs_attention(utcnow())]
    assert flags[0] == ("Amy", "alert", "PHQ-9: item 9 answered above 0")
    assert ("Cat", "overuse", "Medication overuse: pain medication on 10 of the last 30 days (10 filled in)") in flags
    assert ("Amy", "worse", "PHQ-9 mild → moderate") in flags
    assert ("Bea", "better", "IBS-SSS down 60 points (280 → 220)") in flags
    assert ("Cat", "better", "GAD-7 moderate → mild") in flags
    assert ("Amy", "new", "New answers since the last session: PHQ-9") in flags
    kinds = [kind for _, kind, _ in flags]
    assert kinds == sorted(kinds, key=["alert", "overuse", "worse", "better", "new"].index)


def test_answers_before_the_last_session_are_not_new(practice, make_user):
    dana = make_user(name="Dana")
    stored(dana, "gad7", 4, "minimal", 10)
    start = utcnow() - timedelta(days=2)
    db.session.add(
        Booking(
            practitioner_id=practice.practitioner.id,
            client_id=dana.id,
            service_id=practice.follow_up.id,
            status="completed",
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
            blocked_from=start,
            blocked_until=start + timedelta(minutes=45),
            price_minor=0,
            currency="GBP",
        )
    )
    db.session.commit()
    assert [f for f in needs_attention(utcnow()) if f.kind == "new"] == []
    stored(dana, "gad7", 5, "mild", 0)
    assert [f.client_name for f in needs_attention(utcnow()) if f.kind == "new"] == ["Dana"]


def test_her_home_page_lists_the_flags(client, make_user):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    amy = make_user(name="Amy Example")
    stored(amy, "phq9", 3, "none-minimal", 1, flags=["self_harm_thoughts"])
    log_in(client, maya.email)
    page = client.get("/practitioner/").get_data(as_text=True)
    assert "Amy Example" in page and "item 9 answered above 0" in page
    assert f"/practitioner/clients/{amy.id}/diary" in page
    assert csrf_token_from(page)
