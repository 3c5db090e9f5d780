"""The client fills in and corrects her diary; she and the practitioner see what it shows."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import DiaryEntry, Role
from portal.questionnaires import diary_entries
from portal.questionnaires.diary_entries import DiaryError
from tests.conftest import csrf_token_from, log_in


def today_for(user):
    return utcnow().astimezone(ZoneInfo(user.timezone)).date()


def save(client, day=None, **fields):
    url = "/me/diary/" + (f"?day={day.isoformat()}" if day else "")
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    data = {
        "headache": "none",
        "intensity": "0",
        "hours": "0",
        "bloating": "0",
        "abdominal_pain": "0",
        **fields,
        "csrf_token": token,
    }
    return client.post(url, data=data, follow_redirects=True)


def test_she_fills_in_today_and_corrects_it(client, client_user):
    log_in(client, client_user.email)
    page = save(
        client,
        headache="migraine",
        intensity="8",
        hours="5.5",
        medication=["triptan", "simple"],
        stool_types=["1", "4"],
        bloating="7",
        abdominal_pain="3",
        note="Red wine last night",
    )
    assert "Saved your diary" in page.get_data(as_text=True)
    entry = db.session.execute(db.select(DiaryEntry)).scalar_one()
    assert (entry.day, entry.headache, entry.intensity, entry.headache_minutes) == (
        today_for(client_user),
        "migraine",
        8,
        330,
    )
    assert (entry.took_triptan, entry.took_simple, entry.took_opioid) == (True, True, False)
    assert (entry.stool_types, entry.bloating, entry.note) == ([1, 4], 7, "Red wine last night")
    form = client.get("/me/diary/").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="migraine"', form) and "Red wine last night" in form
    save(client, headache="none", intensity="6", hours="3")  # no headache after all: intensity is dropped
    db.session.expire_all()
    entry = db.session.execute(db.select(DiaryEntry)).scalar_one()
    assert (entry.headache, entry.intensity, entry.headache_minutes) == ("none", None, None)  # not recorded


def test_past_days_can_be_filled_in_but_not_future_ones(client, client_user):
    log_in(client, client_user.email)
    yesterday = today_for(client_user) - timedelta(days=1)
    save(client, yesterday, headache="headache", intensity="4")
    assert db.session.execute(db.select(DiaryEntry)).scalar_one().day == yesterday
    tomorrow = today_for(client_user) + timedelta(days=1)
    refused = save(client, tomorrow, headache="headache", intensity="4")
    assert "happened yet" in refused.get_data(as_text=True)
    with pytest.raises(DiaryError, match="more than a year"):
        diary_entries.save_entry(
            client_user,
            yesterday - timedelta(days=400),
            today_for(client_user),
            headache="none",
            intensity=0,
            headache_minutes=0,
            medication=set(),
            stool_types=[],
            bloating=0,
            abdominal_pain=0,
            note="",
        )
    assert db.session.scalar(db.select(db.func.count()).select_from(DiaryEntry)) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("intensity", "11", "Choose from 0 to 10"),
        ("hours", "25", "between 0 and 24"),
        ("headache", "awful", "valid"),
        ("stool_types", "8", "not a valid choice"),
        ("note", "x" * 1001, "at most 1,000"),
    ],
)
def test_bad_answers_are_explained_and_nothing_is_saved(client, client_user, field, value, message):
    log_in(client, client_user.email)
    page = save(client, **{field: value}).get_data(as_text=True)
    assert message.lower() in page.lower()
    assert db.session.scalar(db.select(db.func.count()).select_from(DiaryEntry)) == 0


def _fill(client_user, days: int):
    today = today_for(client_user)
    for n in range(days):
        day = today - timedelta(days=n)
        diary_entries.save_entry(
            client_user,
            day,
            today,
            headache="migraine" if n % 3 == 0 else "none",
            intensity=7,
            headache_minutes=240,
            medication={"triptan"} if n % 3 == 0 else set(),
            stool_types=[1] if n % 3 == 2 else [4],
            bloating=2,
            abdominal_pain=1,
            note="",
        )


def test_her_page_shows_the_28_day_figures_and_the_gut_migraine_link(client, client_user):
    log_in(client, client_user.email)
    assert "Not enough data yet" in client.get("/me/diary/").get_data(as_text=True)
    _fill(client_user, 30)
    page = client.get("/me/diary/").get_data(as_text=True)
    assert '10</span><span class="figure__label">migraine days' in page
    assert "After a bad gut day, a migraine followed within 48 hours" in page
    assert "Medication overuse" in page  # triptans on 10 of the last 28 days
    assert "more than a quarter were hard (Bristol 1–2)" in page  # every stool of her days with an abnormal one was 1
    for clinical in ("Rome IV", "IBS-C", "ICHD"):  # plain words on her page: no rule names
        assert clinical not in page


def test_the_practitioner_sees_a_clients_diary_and_other_clients_see_nothing(client, client_user, make_user):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    _fill(client_user, 5)
    log_in(client, maya.email)
    page = client.get(f"/practitioner/clients/{client_user.id}/diary").get_data(as_text=True)
    assert client_user.name in page and "Not enough data yet" in page
    assert client.get(f"/practitioner/clients/{maya.id}/diary").status_code == 404
    other = make_user(email="other@example.com")
    client.post("/account/logout", data={"csrf_token": csrf_token_from(page)})
    log_in(client, other.email)
    assert client.get(f"/practitioner/clients/{client_user.id}/diary").status_code == 404
    own = client.get("/me/diary/").get_data(as_text=True)
    assert '0</span><span class="figure__label">migraine days' in own and "No diary days in the last two weeks" in own


def test_the_time_line_can_show_a_longer_span_and_ignores_a_span_it_does_not_offer(client, client_user):
    log_in(client, client_user.email)
    _fill(client_user, 120)
    four_weeks = client.get("/me/diary/").get_data(as_text=True)
    assert "for 28 days from" in four_weeks and four_weeks.count('class="head ') <= 28
    three_months = client.get("/me/diary/?span=91").get_data(as_text=True)
    assert "for 91 days from" in three_months and three_months.count('class="head ') > 28
    assert 'aria-current="true">3 months' in three_months
    assert "for 28 days from" in client.get("/me/diary/?span=1000").get_data(as_text=True)


def test_her_home_page_shows_her_diary_and_asks_for_today(client, client_user):
    log_in(client, client_user.email)
    empty = client.get("/me/").get_data(as_text=True)
    assert "Fill in today&#39;s diary" in empty and "takes under a minute" in empty
    _fill(client_user, 30)
    home = client.get("/me/").get_data(as_text=True).split('id="diary"')[1]
    assert '10</span><span class="figure__label">migraine days' in home
    assert "Migraine and gut time line" in home and "Today is filled in" in home


def test_each_bristol_type_is_shown_with_its_own_drawing_and_words(client, client_user):
    log_in(client, client_user.email)
    page = client.get("/me/diary/").get_data(as_text=True)
    assert page.count('class="bristol-icon"') == 7
    assert "1 · separate hard lumps" in page and "7 · watery, no solid pieces" in page


def test_the_practitioner_reads_her_notes_on_food_and_triggers_beside_the_last_two_weeks(
    client, client_user, make_user
):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    today = today_for(client_user)
    diary_entries.save_entry(
        client_user,
        today - timedelta(days=1),
        today,
        headache="migraine",
        intensity=6,
        headache_minutes=120,
        medication=set(),
        stool_types=[6],
        bloating=6,
        abdominal_pain=2,
        note="Pizza and red wine at a party",
    )
    log_in(client, maya.email)
    page = client.get(f"/practitioner/clients/{client_user.id}/diary").get_data(as_text=True)
    assert '<tr class="table__note"><td colspan="5">Pizza and red wine at a party</td></tr>' in page
