"""The diary page with the journal, meal photos behind their access check, and the trigger list page."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from portal.extensions import db
from portal.journal.meals import DayJournal, MealInput, save_day, saved_day
from portal.journal.photos import clean_photo
from portal.models import AuditEvent, DiaryEntry, DiaryMealPhoto, Role, TriggerTag
from tests.conftest import csrf_token_from, log_in
from tests.journal.conftest import picture
from tests.questionnaires.test_diary_pages import today_for


def post_day(client, fields: dict, url="/me/diary/"):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(
        url, data={"headache": "none", **fields, "csrf_token": token}, content_type="multipart/form-data"
    )


def test_the_form_offers_the_trigger_list_as_chips_in_groups(client, client_user):
    log_in(client, client_user.email)
    page = client.get("/me/diary/").get_data(as_text=True)
    for words in ("Foods", "FODMAP groups", "Habits", "Aged cheese", "Skipped a meal", "I logged all my meals today"):
        assert words in page
    assert re.search(r'<label class="chip"><input type="checkbox" name="meals-0-tags" value="aged_cheese"', page)
    assert "Triptan, e.g. sumatriptan" in page


def test_a_richer_day_is_saved_from_the_form_with_a_photo(client, client_user):
    log_in(client, client_user.email)
    response = post_day(
        client,
        {
            "meals-0-id": "",
            "meals-0-kind": "lunch",
            "meals-0-description": "Cheese toastie",
            "meals-0-tags": ["aged_cheese", "gluten"],
            "meals-0-photo": (io.BytesIO(picture(exif=True)), "lunch.jpg"),
            "day_tags": ["skipped_meal"],
            "all_meals_logged": "y",
            "water": "5",
            "sleep_hours": "330",
            "sleep_quality": "3",
            "stress": "8",
            "period": "yes",
        },
    )
    assert response.status_code == 302
    entry = db.session.execute(db.select(DiaryEntry)).scalar_one()
    assert (entry.water_glasses, entry.sleep_minutes, entry.sleep_quality, entry.stress, entry.period) == (
        5,
        330,
        3,
        8,
        True,
    )
    assert entry.all_meals_logged and entry.bloating is None and entry.intensity is None
    saved = saved_day(entry)
    assert [t.code for t in saved.meals[0].tags] == ["aged_cheese", "gluten"] and saved.day_tags == {"skipped_meal"}
    photo = db.session.execute(db.select(DiaryMealPhoto)).scalar_one()
    assert not Image.open(io.BytesIO(photo.content)).getexif()
    page = client.get("/me/diary/").get_data(as_text=True)
    assert "Cheese toastie" in page and f"/diary/photos/{photo.id}" in page
    assert 'name="meals-1-kind"' in page  # a fresh "add a meal" block after the saved one


def test_a_refused_photo_keeps_everything_typed_and_saves_nothing(client, client_user):
    log_in(client, client_user.email)
    response = post_day(
        client,
        {
            "meals-0-kind": "dinner",
            "meals-0-description": "Curry with lentils",
            "meals-0-tags": ["gos"],
            "meals-0-photo": (io.BytesIO(b"not a picture at all"), "dinner.jpg"),
            "stress": "4",
            "note": "Long day",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not a photo the portal can read" in page and "Nothing was saved yet" in page
    assert "Curry with lentils" in page and "Long day" in page
    assert re.search(r'value="gos" id="[^"]*" checked', page)
    assert re.search(r'<input checked[^>]*name="stress"[^>]*value="4"', page)
    assert db.session.execute(db.select(DiaryEntry)).first() is None


def test_a_scale_left_alone_is_not_answered_and_shown_as_such(client, client_user):
    log_in(client, client_user.email)
    assert post_day(client, {"headache": "migraine"}).status_code == 302
    entry = db.session.execute(db.select(DiaryEntry)).scalar_one()
    assert (entry.headache, entry.intensity, entry.headache_minutes, entry.bloating, entry.abdominal_pain) == (
        "migraine",
        None,
        None,
        None,
        None,
    )
    page = client.get("/me/diary/").get_data(as_text=True)
    assert not re.search(r'<input checked[^>]*name="(intensity|bloating|abdominal_pain)"', page)


def test_supplement_ticks_from_the_form(client, client_user, supplements):
    magnesium, riboflavin = supplements
    log_in(client, client_user.email)
    page = client.get("/me/diary/").get_data(as_text=True)
    assert "Magnesium glycinate" in page and "Riboflavin" in page and "CoQ10" not in page
    assert (
        post_day(client, {f"supplement-{magnesium.id}": "taken", f"supplement-{riboflavin.id}": "odd"}).status_code
        == 302
    )
    assert saved_day(db.session.execute(db.select(DiaryEntry)).scalar_one()).supplements == {magnesium.id: True}


def test_a_past_day_loads_its_meals_and_saves_its_correction(client, client_user):
    from datetime import timedelta

    day = today_for(client_user) - timedelta(days=3)
    save_day(
        client_user,
        day,
        today_for(client_user),
        DayJournal(meals=(MealInput(None, "breakfast", "Porridge"),)),
        **_calm(),
    )
    log_in(client, client_user.email)
    url = f"/me/diary/?day={day.isoformat()}"
    page = client.get(url).get_data(as_text=True)
    assert "Porridge" in page
    meal_id = re.search(r'name="meals-0-id" type="hidden" value="(\d+)"', page).group(1)
    response = post_day(
        client,
        {
            "meals-0-id": meal_id,
            "meals-0-kind": "breakfast",
            "meals-0-description": "Porridge with honey",
            "meals-0-tags": "excess_fructose",
        },
        url,
    )
    assert response.status_code == 302
    meal = saved_day(db.session.execute(db.select(DiaryEntry)).scalar_one()).meals[0]
    assert (meal.description, [t.code for t in meal.tags]) == ("Porridge with honey", ["excess_fructose"])


def _calm():
    return {
        "headache": "none",
        "intensity": None,
        "headache_minutes": None,
        "medication": set(),
        "stool_types": [],
        "bloating": None,
        "abdominal_pain": None,
        "note": "",
    }


@pytest.fixture
def photo_id(client_user, make_booking, practice) -> int:
    make_booking(client_user)  # Maya, the practice's practitioner, is on her care team
    today = today_for(client_user)
    entry = save_day(
        client_user,
        today,
        today,
        DayJournal(meals=(MealInput(None, "lunch", "Salad", photo=clean_photo(picture())),)),
        **_calm(),
    )
    return saved_day(entry).photo_ids[saved_day(entry).meals[0].id]


def test_she_and_her_care_team_see_the_photo_audited(app, client, client_user, practice, photo_id):
    log_in(client, client_user.email)
    response = client.get(f"/diary/photos/{photo_id}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "private, no-store"
    clinician = app.test_client()
    log_in(clinician, practice.practitioner.email)
    assert clinician.get(f"/diary/photos/{photo_id}").status_code == 200
    views = db.session.execute(db.select(AuditEvent).filter_by(what="diary_meal_photo")).scalars().all()
    assert [(e.action, e.what_id) for e in views] == [("view", photo_id), ("view", photo_id)]


@pytest.mark.parametrize("role", [Role.CLIENT, Role.ASSISTANT, Role.PRACTITIONER])
def test_anyone_else_gets_404(client, make_user, photo_id, role):
    other = make_user(role)  # another client; the assistant; a practitioner off her care team
    log_in(client, other.email)
    assert client.get(f"/diary/photos/{photo_id}").status_code == 404
    assert client.get(f"/diary/photos/{photo_id + 1000}").status_code == 404


def test_the_practitioner_adds_renames_and_archives_a_tag(client, practitioner):
    log_in(client, practitioner.email)
    page = client.get("/practitioner/journal/tags").get_data(as_text=True)
    assert "Aged cheese" in page and "built in" in page
    token = csrf_token_from(page)
    assert (
        client.post(
            "/practitioner/journal/tags", data={"label": "Red wine", "group": "food", "csrf_token": token}
        ).status_code
        == 302
    )
    tag = db.session.execute(db.select(TriggerTag).filter_by(label="Red wine")).scalar_one()
    refused = client.post("/practitioner/journal/tags", data={"label": "dairy", "group": "food", "csrf_token": token})
    assert refused.status_code == 422 and "already on the list" in refused.get_data(as_text=True)
    bad = client.post(f"/practitioner/journal/tags/{tag.id}/rename", data={"label": "Gluten", "csrf_token": token})
    assert bad.status_code == 422 and 'value="Gluten"' in bad.get_data(as_text=True)
    client.post(f"/practitioner/journal/tags/{tag.id}/rename", data={"label": "Wine", "csrf_token": token})
    client.post(f"/practitioner/journal/tags/{tag.id}/archive", data={"csrf_token": token})
    db.session.expire_all()
    assert tag.label == "Wine" and tag.archived_at is not None


def test_the_tag_page_is_for_clinicians_only(app, client_user, make_user):
    for user in (client_user, make_user(Role.ASSISTANT)):
        visitor = app.test_client()
        log_in(visitor, user.email)
        assert visitor.get("/practitioner/journal/tags").status_code == 404
