"""The client's pages speak plain words: no setting names, rule names, classification codes, hashes or zone ids."""

from __future__ import annotations

import html
from datetime import timedelta
from zoneinfo import ZoneInfo

from portal.db_types import utcnow
from portal.models import Role
from portal.questionnaires import diary_entries, responses
from tests.conftest import log_in

NOT_FOR_CLIENTS = ("Rome IV", "IBS-C", "IBS-U", "ICHD", "MOH", "LICENSED_CONTENT", "SHA-256", "Europe/London", "PHQ9")


def _hard_stools_and_triptans(client) -> None:
    today = utcnow().astimezone(ZoneInfo(client.timezone)).date()
    for n in range(30):
        diary_entries.save_entry(
            client,
            today - timedelta(days=n),
            today,
            headache="migraine" if n % 2 else "none",
            intensity=6 if n % 2 else 0,
            headache_minutes=240 if n % 2 else 0,
            medication={"triptan"} if n % 2 else set(),
            stool_types=[1] if n % 3 == 0 else [4],
            bloating=3,
            abdominal_pain=1,
            note="",
        )


def test_her_pages_carry_no_rule_or_setting_names(app, client, client_user, make_user):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    _hard_stools_and_triptans(client_user)
    responses.assign(client_user, "phq9", None, utcnow().date(), maya)
    log_in(client, client_user.email)
    for url in ("/me/", "/me/diary/", "/me/diary/?span=365", "/account/", "/me/payments/", "/me/handouts/"):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        page = html.unescape(response.get_data(as_text=True))
        for word in NOT_FOR_CLIENTS:
            assert word not in page, (url, word)
    diary = html.unescape(client.get("/me/diary/").get_data(as_text=True))
    assert "more than a quarter were hard" in diary and "Medication overuse" in diary  # said, in words
    home = html.unescape(client.get("/me/").get_data(as_text=True))
    assert "UK time – London" in home and "Mood check" in home


def test_her_practitioner_reads_the_rule_by_its_plain_clinical_name(app, client_user, make_user):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    _hard_stools_and_triptans(client_user)
    practitioner = app.test_client()
    log_in(practitioner, maya.email)
    page = html.unescape(practitioner.get(f"/practitioner/clients/{client_user.id}/diary").get_data(as_text=True))
    assert "IBS pattern, constipation-predominant (Rome IV)" in page and "ICHD-3 8.2" in page
    assert "Rome IV IBS-C pattern" not in page and "LICENSED_CONTENT" not in page
