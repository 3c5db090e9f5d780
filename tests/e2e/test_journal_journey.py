"""A richer diary day on a phone in a few taps: meals with trigger tags, habits, sleep, water, stress, period
and her supplements; "no headache" hides what only a headache needs; the practitioner's trigger list."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.journal.meals import saved_day
from portal.models import DiaryEntry, Role
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in
from tests.journal.conftest import supplements  # noqa: F401 (a fixture)

# A richer day with every section opened and answered: at about two seconds a tap, under a minute.
MOST_TAPS = 24


class Taps:
    """Counts what she does: a tap, or typing into one field."""

    def __init__(self, page: Page) -> None:
        self.page, self.count = page, 0

    def tap(self, locator) -> None:
        locator.click()
        self.count += 1

    def type(self, locator, text: str) -> None:
        locator.fill(text)
        self.count += 1

    def choose(self, locator, label: str) -> None:  # a phone's select: open it, pick one
        locator.select_option(label=label)
        self.count += 2


def test_a_richer_day_on_a_phone_in_a_few_taps(new_page, client_user, supplements):  # noqa: F811
    page = new_page(PHONE)
    page.goto("/account/login")
    log_in(page, client_user.email)
    page.goto("/me/diary/")
    form = page.locator("form.diary-form")
    intensity = page.get_by_role("group", name="At its worst")
    expect(intensity).to_be_hidden()  # nothing chosen yet: no headache questions
    screenshot(page, "journal-calm-375")
    assert_fits_phone(page)
    # The whole calm day stays about two phone screens (812 px each) with its sections folded.
    assert form.bounding_box()["height"] < 2 * 812

    you = Taps(page)
    you.tap(page.get_by_role("group", name="Headache today").get_by_text("None"))
    you.tap(page.get_by_text("Tummy", exact=True))
    you.tap(page.get_by_text("4 · smooth, soft sausage"))
    you.tap(page.get_by_role("group", name="Bloating").get_by_text("2", exact=True))
    you.tap(page.get_by_text("Meals and drinks", exact=True))
    meal = page.get_by_role("group", name="Add a meal, snack or drink")
    you.tap(meal.get_by_text("Lunch", exact=True))
    you.type(meal.get_by_label("What it was, in your words"), "Cheese toastie and an orange")
    you.tap(meal.get_by_text("Aged cheese"))
    you.tap(meal.get_by_text("Gluten", exact=True))
    you.tap(meal.get_by_text("Citrus fruit"))
    you.tap(page.get_by_role("group", name="Habits today").get_by_text("Ate late"))
    you.tap(page.get_by_text("I logged all my meals today"))
    you.tap(page.get_by_text("Sleep, water, stress, period", exact=True))
    you.choose(page.get_by_label("Sleep last night"), "6½ hours")
    you.tap(page.get_by_role("group", name="How well you slept").get_by_text("4", exact=True))
    you.choose(page.get_by_label("Water today", exact=True), "6 glasses")
    you.tap(page.get_by_role("group", name="Stress").get_by_text("7", exact=True))
    you.tap(page.get_by_role("group", name="Period today").get_by_text("No", exact=True))
    you.tap(page.get_by_text("Supplements", exact=True))
    you.tap(page.get_by_role("group", name="Magnesium glycinate").get_by_text("Taken", exact=True))
    you.tap(page.get_by_role("group", name="Riboflavin").get_by_text("Not taken"))
    save = page.get_by_role("button", name="Save this day")
    expect(save).to_be_in_viewport()  # always in reach, however far down she is
    assert_fits_phone(page)
    you.tap(save)
    expect(page.get_by_text("Saved your diary")).to_be_visible()
    assert you.count <= MOST_TAPS, you.count
    print(f"a richer day: {you.count} taps")

    entry = db.session.execute(db.select(DiaryEntry)).scalar_one()
    assert (entry.headache, entry.intensity, entry.bloating, entry.abdominal_pain) == ("none", None, 2, None)
    assert (entry.sleep_minutes, entry.sleep_quality, entry.water_glasses, entry.stress, entry.period) == (
        390,
        4,
        6,
        7,
        False,
    )
    assert entry.all_meals_logged
    saved = saved_day(entry)
    assert [t.code for t in saved.meals[0].tags] == ["aged_cheese", "citrus", "gluten"]
    assert saved.day_tags == {"ate_late"}
    magnesium, riboflavin = supplements
    assert saved.supplements == {magnesium.id: True, riboflavin.id: False}
    expect(page.locator("#meals > summary")).to_contain_text("1 logged · all logged")


def test_choosing_no_headache_hides_intensity_hours_and_medication(new_page, client_user):
    page = new_page(PHONE)
    page.goto("/account/login")
    log_in(page, client_user.email)
    page.goto("/me/diary/")
    headache = page.get_by_role("group", name="Headache today")
    asked = [
        page.get_by_role("group", name="At its worst"),
        page.get_by_label("How many hours"),
        page.get_by_role("group", name="Medication taken for it"),
    ]
    headache.get_by_text("Migraine").click()
    for question in asked:
        expect(question).to_be_visible()
    expect(page.get_by_text("Triptan, e.g. sumatriptan")).to_be_visible()
    page.get_by_role("group", name="At its worst").get_by_text("8", exact=True).click()
    screenshot(page, "journal-migraine-375")
    headache.get_by_text("None").click()
    for question in asked:
        expect(question).to_be_hidden()


def test_the_diary_form_and_the_trigger_list_on_a_desktop(new_page, client_user, make_user):
    page = new_page(DESKTOP)
    page.goto("/account/login")
    log_in(page, client_user.email)
    page.goto("/me/diary/")
    screenshot(page, "journal-calm-1280")
    page.get_by_role("group", name="Headache today").get_by_text("Migraine").click()
    page.get_by_text("Meals and drinks", exact=True).click()
    screenshot(page, "journal-migraine-1280")

    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    for device, name in ((DESKTOP, "journal-tags-1280"), (PHONE, "journal-tags-375")):
        desk = new_page(device)
        desk.goto("/account/login")
        log_in(desk, maya.email)
        desk.goto("/practitioner/journal/tags")
        if name.endswith("1280"):
            desk.get_by_label("Tag name").fill("Red wine")
            desk.get_by_role("button", name="Add the tag").click()
            expect(desk.get_by_text("Added “Red wine” to the trigger list.")).to_be_visible()
        else:
            assert_fits_phone(desk)
        expect(desk.locator(".tag-list__label", has_text="Red wine")).to_be_visible()
        screenshot(desk, name)
