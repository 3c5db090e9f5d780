"""Saving a whole diary day with its journal: meals and tags, habits, sleep and the rest, supplement ticks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.journal import tags
from portal.journal.meals import DayJournal, JournalError, MealInput, current_supplements, save_day, saved_day
from portal.journal.photos import clean_photo
from portal.models import AuditEvent, DiaryEntry, DiaryMeal, DiaryMealPhoto, Role, SupplementDose
from portal.questionnaires.diary_entries import DiaryError, days_since
from tests.journal.conftest import picture

TODAY = date(2026, 12, 3)
CALM = {
    "headache": "none",
    "intensity": None,
    "headache_minutes": None,
    "medication": set(),
    "stool_types": [],
    "bloating": None,
    "abdominal_pain": None,
    "note": "",
}


def save(client, journal=None, day=TODAY, **diary):
    return save_day(client, day, TODAY, journal or DayJournal(), **(CALM | diary))


def test_a_day_left_alone_answers_nothing(client_user):
    entry = save(client_user)
    assert (entry.intensity, entry.headache_minutes, entry.bloating, entry.abdominal_pain) == (None,) * 4
    assert (entry.water_glasses, entry.sleep_minutes, entry.sleep_quality, entry.stress, entry.period) == (None,) * 5
    assert entry.all_meals_logged is False
    day = days_since(client_user.id, TODAY)[0]
    assert (day.intensity, day.bloating, day.abdominal_pain) == (None, None, None)
    assert not day.gut_recorded and not day.bad_gut


def test_zero_is_kept_as_an_answer(client_user):
    entry = save(client_user, DayJournal(stress=0, sleep_quality=0, water_glasses=0), bloating=0)
    assert (entry.stress, entry.sleep_quality, entry.water_glasses, entry.bloating) == (0, 0, 0, 0)
    assert days_since(client_user.id, TODAY)[0].gut_recorded


def test_no_headache_records_no_intensity_hours_or_medication(client_user):
    entry = save(client_user, headache="none", intensity=6, headache_minutes=120, medication={"simple"})
    assert (entry.intensity, entry.headache_minutes, entry.took_simple) == (None, None, False)


def test_the_day_its_meals_and_tags_are_saved_and_read_back(client_user):
    journal = DayJournal(
        water_glasses=6,
        sleep_minutes=330,
        sleep_quality=3,
        stress=7,
        period=True,
        all_meals_logged=True,
        day_tags=frozenset({"ate_late"}),
        meals=(
            MealInput(None, "lunch", "Cheese toastie", frozenset({"aged_cheese", "gluten"})),
            MealInput(None, "drink", "Coffee", frozenset({"caffeine"})),
            MealInput(None),  # the blank "add a meal" block: ignored
        ),
    )
    entry = save(client_user, journal, headache="migraine", intensity=7, headache_minutes=240)
    assert (entry.water_glasses, entry.sleep_minutes, entry.sleep_quality, entry.stress, entry.period) == (
        6,
        330,
        3,
        7,
        True,
    )
    saved = saved_day(entry)
    assert [(m.kind, m.description, [t.code for t in m.tags]) for m in saved.meals] == [
        ("lunch", "Cheese toastie", ["aged_cheese", "gluten"]),
        ("drink", "Coffee", ["caffeine"]),
    ]
    assert saved.day_tags == {"ate_late"}


def test_a_past_day_is_corrected_a_meal_changed_and_one_removed(client_user):
    day = TODAY - timedelta(days=5)
    first = DayJournal(
        meals=(MealInput(None, "lunch", "Pasta", frozenset({"gluten"})), MealInput(None, "snack", "Apple"))
    )
    entry = save(client_user, first, day=day)
    lunch, snack = saved_day(entry).meals
    corrected = DayJournal(
        stress=2,
        meals=(
            MealInput(lunch.id, "dinner", "Pasta with parmesan", frozenset({"gluten", "aged_cheese"})),
            MealInput(snack.id, "snack", "Apple", remove=True),
            MealInput(None, "drink", "Red wine", frozenset({"alcohol"})),
        ),
    )
    save(client_user, corrected, day=day)
    db.session.expire_all()
    meals = saved_day(db.session.get(DiaryEntry, entry.id)).meals
    assert [(m.id == lunch.id, m.kind, m.description, {t.code for t in m.tags}) for m in meals] == [
        (True, "dinner", "Pasta with parmesan", {"gluten", "aged_cheese"}),
        (False, "drink", "Red wine", {"alcohol"}),
    ]
    assert db.session.get(DiaryEntry, entry.id).stress == 2


def test_a_meal_of_another_day_cannot_be_changed(client_user, make_user):
    other = make_user(Role.CLIENT)
    theirs = saved_day(save(other, DayJournal(meals=(MealInput(None, "lunch", "Soup"),)))).meals[0]
    with pytest.raises(JournalError, match="no longer in this day"):
        save(client_user, DayJournal(meals=(MealInput(theirs.id, "lunch", "Mine now"),)))
    assert db.session.get(DiaryMeal, theirs.id).description == "Soup"


@pytest.mark.parametrize(
    ("journal", "message"),
    [
        (DayJournal(stress=11), "0 to 10"),
        (DayJournal(sleep_quality=-1), "0 to 10"),
        (DayJournal(water_glasses=41), "0 to 40"),
        (DayJournal(sleep_minutes=24 * 60 + 30), "24 hours"),
        (DayJournal(day_tags=frozenset({"no_such_tag"})), "no longer on the list"),
        (DayJournal(meals=(MealInput(None, "brunch", "Eggs"),)), "breakfast, lunch"),
        (DayJournal(meals=(MealInput(None, "", "Eggs"),)), "breakfast, lunch"),
        (DayJournal(meals=(MealInput(None, "lunch", "x" * 501),)), "500 characters"),
        (DayJournal(meals=(MealInput(None, "lunch", "Eggs", frozenset({"ate_late"})),)), "no longer on the list"),
        (DayJournal(meals=tuple(MealInput(None, "snack", f"n{n}") for n in range(13))), "at most 12"),
    ],
)
def test_a_bad_day_is_refused_and_nothing_is_written(client_user, journal, message):
    with pytest.raises(JournalError, match=message):
        save(client_user, journal)
    db.session.rollback()
    assert db.session.execute(db.select(DiaryEntry)).first() is None


def test_the_edges_are_taken(client_user):
    meals = tuple(MealInput(None, "snack", "x" * 500) for _ in range(12))
    entry = save(
        client_user, DayJournal(stress=10, sleep_quality=10, water_glasses=40, sleep_minutes=1440, meals=meals)
    )
    assert len(saved_day(entry).meals) == 12


def test_a_future_day_is_refused(client_user):
    with pytest.raises(DiaryError):
        save(client_user, day=TODAY + timedelta(days=1))


def test_an_archived_tag_stays_on_a_meal_that_has_it_but_is_not_offered_for_a_new_one(client_user, practitioner):
    own = tags.add_tag("Red wine", "food", practitioner)
    entry = save(client_user, DayJournal(meals=(MealInput(None, "dinner", "Wine", frozenset({own.code})),)))
    meal = saved_day(entry).meals[0]
    tags.set_archived(own, True)
    save(client_user, DayJournal(meals=(MealInput(meal.id, "dinner", "Wine", frozenset({own.code})),)))
    with pytest.raises(JournalError, match="no longer on the list"):
        save(client_user, DayJournal(meals=(MealInput(None, "dinner", "More", frozenset({own.code})),)))


def test_supplements_come_from_the_latest_published_protocol_only(client_user, supplements):
    assert [line.title for line in current_supplements(client_user.id)] == ["Magnesium glycinate", "Riboflavin"]


def test_a_client_without_a_handout_has_no_supplements_to_tick(client_user):
    assert current_supplements(client_user.id) == []


def test_supplement_ticks_taken_not_taken_and_not_answered(client_user, supplements):
    magnesium, riboflavin = supplements
    entry = save(client_user, DayJournal(supplements={magnesium.id: True, riboflavin.id: False}))
    assert saved_day(entry).supplements == {magnesium.id: True, riboflavin.id: False}
    save(client_user, DayJournal(supplements={magnesium.id: None, riboflavin.id: True}))  # magnesium: untick
    assert saved_day(entry).supplements == {riboflavin.id: True}
    assert db.session.execute(db.select(db.func.count()).select_from(SupplementDose)).scalar_one() == 1


def test_a_supplement_of_an_older_protocol_is_refused(client_user, supplements):
    from portal.models import ProtocolLine

    lines = db.session.execute(db.select(ProtocolLine).filter_by(category="supplement")).scalars()
    coq10 = next(line for line in lines if line.title == "CoQ10")  # titles are encrypted: found in Python
    with pytest.raises(JournalError, match="no longer on your protocol"):
        save(client_user, DayJournal(supplements={coq10.id: True}))


def test_a_photo_is_stored_encrypted_replaced_and_removed(client_user):
    photo = clean_photo(picture())
    entry = save(client_user, DayJournal(meals=(MealInput(None, "lunch", "Salad", photo=photo),)))
    meal = saved_day(entry).meals[0]
    stored = db.session.execute(db.select(DiaryMealPhoto)).scalar_one()
    assert (stored.meal_id, stored.content, stored.size, stored.content_type) == (
        meal.id,
        photo,
        len(photo),
        "image/jpeg",
    )
    raw = db.session.execute(db.text("SELECT content FROM diary_meal_photos")).scalar_one()
    assert bytes(raw) != photo and photo not in bytes(raw)  # encrypted at rest
    save(client_user, DayJournal(meals=(MealInput(meal.id, "lunch", "Salad", remove_photo=True),)))
    assert db.session.execute(db.select(DiaryMealPhoto)).first() is None


def test_removing_a_meal_removes_its_photo(client_user):
    entry = save(client_user, DayJournal(meals=(MealInput(None, "lunch", "Salad", photo=clean_photo(picture())),)))
    meal = saved_day(entry).meals[0]
    save(client_user, DayJournal(meals=(MealInput(meal.id, "lunch", remove=True),)))
    db.session.expire_all()
    assert db.session.execute(db.select(DiaryMealPhoto)).first() is None
    assert db.session.execute(db.select(DiaryMeal)).first() is None


def test_saving_a_day_is_audited_without_its_content(client_user):
    entry = save(client_user, DayJournal(meals=(MealInput(None, "lunch", "Cheese toastie"),)))
    save(client_user)
    events = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    assert [(e.action, e.what, e.what_id) for e in events] == [
        ("create", "diary_entry", entry.id),
        ("change", "diary_entry", entry.id),
    ]
