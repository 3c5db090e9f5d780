"""Every page that draws a conclusion from the diary draws the same one, with the days it rests on: her diary,
the practitioner's view of it, the dashboard, the case file and a new note's pre-filled context."""

from __future__ import annotations

import html
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.cases.casefile import note_context
from portal.db_types import utcnow
from portal.models import Role
from portal.questionnaires import diary_entries
from tests.conftest import log_in


@pytest.fixture
def sophie(make_user):
    """A complete first month with 8 migraines; then she stopped filling in during a bad spell: 12 of the last
    28 days, 3 of them migraines, a triptan on 6 of them and ibuprofen on 6 others."""
    sophie = make_user(Role.CLIENT, email="sophie@example.com", name="Sophie Turner")
    today = utcnow().astimezone(ZoneInfo(sophie.timezone)).date()
    first = today - timedelta(days=69)
    for n in range(28):
        diary_entries.save_entry(
            sophie,
            first + timedelta(days=n),
            today,
            headache="migraine" if n % 7 < 2 else "none",
            intensity=6,
            headache_minutes=300,
            medication=set(),
            stool_types=[4],
            bloating=1,
            abdominal_pain=0,
            note="",
        )
    for n in range(12):
        diary_entries.save_entry(
            sophie,
            today - timedelta(days=n),
            today,
            headache="migraine" if n < 3 else "headache",
            intensity=7,
            headache_minutes=240,
            medication={"triptan" if n % 2 else "simple"},
            stool_types=[4],
            bloating=2,
            abdominal_pain=1,
            note="",
        )
    return sophie


def words_of(client) -> diary_entries.DiaryWords:
    today = utcnow().astimezone(ZoneInfo(client.timezone)).date()
    return diary_entries.overview(client.id, today).words("her")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_conclusions_read_gaps_as_gaps(sophie):
    words = words_of(sophie)
    assert words.comparison.startswith("Not enough diary days to compare with her first 28 diary days")
    assert "12 of 28 days filled in" in words.comparison and "at least 21 needed" in words.comparison
    assert "Pain medication on 12 days in the last 30 days (12 of 30 filled in)" in words.overuse
    assert "ICHD-3 8.2.6" in words.overuse


def test_every_page_shows_the_same_conclusions(app, sophie, make_user):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com", name="Maya")
    her, ours = app.test_client(), app.test_client()
    log_in(her, sophie.email)
    log_in(ours, maya.email)
    words = words_of(sophie)
    own = text_of(her.get("/me/diary/"))
    assert words.comparison.replace("her first", "your first") in own
    today = utcnow().astimezone(ZoneInfo(sophie.timezone)).date()
    assert diary_entries.overview(sophie.id, today).words("your").overuse in own and "Medication overuse:" in own
    assert "ICHD" not in own and words.overuse not in own  # her page says it without the classification's section
    home = text_of(her.get("/me/"))
    assert "Pain medication on more days than is safe" in home
    for page in (
        text_of(ours.get(f"/practitioner/clients/{sophie.id}/diary")),
        text_of(ours.get(f"/practitioner/clients/{sophie.id}")),
    ):
        assert words.comparison in page and words.overuse in page
    assert "Medication overuse: pain medication on 12 of the last 30 days (12 filled in)" in text_of(
        ours.get("/practitioner/")
    )
    context = note_context(sophie, utcnow().astimezone(ZoneInfo(sophie.timezone)).date(), maya.timezone)
    assert words.comparison in context and words.overuse in context and "12 of 28 days filled in" in context
    for text in (own, context, text_of(ours.get(f"/practitioner/clients/{sophie.id}"))):
        assert "half as many migraine days" not in text
