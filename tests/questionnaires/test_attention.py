"""The practitioner's "needs your attention" list, from stored scores and the diary."""

from __future__ import annotations

from datetime import timedelta

from portal.db_types import utcnow
from portal.models import Role
from portal.questionnaires import diary_entries
from portal.questionnaires.attention import needs_attention
from tests.conftest import csrf_token_from, log_in


def test_alerts_worse_and_better_bands_improvement_overuse_and_new_answers(make_user, make_response):
    amy, bea, cat = make_user(name="Amy"), make_user(name="Bea"), make_user(name="Cat")
    make_response(amy, "phq9", total=6, days_ago=30)  # mild
    make_response(amy, "phq9", total=11, answers={"9": 1}, days_ago=2)  # moderate, and item 9 above 0
    make_response(bea, "ibs_sss", total=280, days_ago=40)  # moderate
    make_response(bea, "ibs_sss", total=220, days_ago=3)  # down 60 points: meaningful although the band is the same
    make_response(cat, "gad7", total=12, days_ago=20)  # moderate
    make_response(cat, "gad7", total=6, days_ago=1)  # mild
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


def test_answers_before_the_last_session_are_not_new(make_user, make_booking, make_response):
    dana = make_user(name="Dana")
    make_response(dana, "gad7", total=4, days_ago=10)
    make_booking(dana, in_days=-2, status="completed")
    assert [f for f in needs_attention(utcnow()) if f.kind == "new"] == []
    make_response(dana, "gad7", total=5)
    assert [f.client_name for f in needs_attention(utcnow()) if f.kind == "new"] == ["Dana"]


def test_her_home_page_lists_the_flags(client, make_user, make_response):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    amy = make_user(name="Amy Example")
    make_response(amy, "phq9", total=3, answers={"9": 1}, days_ago=1)  # none-minimal, but item 9 above 0
    log_in(client, maya.email)
    page = client.get("/practitioner/").get_data(as_text=True)
    assert "Amy Example" in page and "item 9 answered above 0" in page
    assert f"/practitioner/clients/{amy.id}/diary" in page
    assert csrf_token_from(page)
