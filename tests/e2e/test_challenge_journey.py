"""The practitioner starts a dairy challenge from the case file; the client, on her phone, sees its phase on her
home page and answers her diary's question. Then both sides of an ended challenge and a protocol's effect, at
375 and 1280 px."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from portal.challenges import challenges
from portal.db_types import utcnow
from portal.extensions import db
from portal.handouts import handouts, protocols
from portal.models import ChallengeDay, DiaryEntry, Role, TriggerTag
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in


def _fits(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, (selector, box)


def test_the_practitioner_starts_a_challenge_and_the_client_sees_its_phase(new_page, practice, make_user, make_booking):
    clara = make_user(Role.CLIENT, email="clara@example.com", name="Clara Client")
    make_booking(clara, in_days=-7, status="completed")  # on Maya's care team
    today = utcnow().astimezone(ZoneInfo(clara.timezone)).date()

    desk = new_page(DESKTOP)
    desk.goto("/account/login")
    log_in(desk, practice.practitioner.email)
    desk.goto(f"/practitioner/clients/{clara.id}")
    desk.locator("#challenges").get_by_role("link", name="Start one").click()
    desk.get_by_label("What she leaves out").select_option(label="Dairy")
    expect(desk.get_by_label("Days without it")).to_have_value("21")
    desk.get_by_label("First day without it").fill(today.isoformat())
    desk.get_by_role("button", name="Start the challenge").click()
    expect(desk.get_by_text("She sees it on her home page")).to_be_visible()
    expect(desk.get_by_text("Day 1 of 21 without dairy")).to_be_visible()
    desk.goto(f"/practitioner/clients/{clara.id}#challenges")
    expect(desk.locator("#challenges")).to_contain_text("Day 1 of 21 without dairy")

    phone = new_page(PHONE)
    phone.goto("/account/login")
    log_in(phone, clara.email)
    card = phone.locator(".challenge-card")
    expect(card).to_contain_text("Day 1 of 21 without dairy")
    expect(card).to_contain_text("Leave out all dairy today.")
    assert_fits_phone(phone)
    screenshot(phone, "challenge-home-375")
    card.get_by_role("link", name="Today’s diary").click()
    question = phone.get_by_role("group", name="Did you have any dairy today?")
    question.get_by_text("No", exact=True).click()
    phone.get_by_role("button", name="Save this answer").click()
    expect(phone.get_by_text("Saved: no dairy")).to_be_visible()
    assert_fits_phone(phone)
    screenshot(phone, "challenge-diary-question-375")
    answer = db.session.execute(db.select(ChallengeDay)).scalar_one()
    assert (answer.day, answer.ate) == (today, False)
    phone.goto("/me/")
    expect(phone.locator(".challenge-card")).to_contain_text("Today’s answer is saved: none.")


def test_an_ended_challenge_and_the_protocols_effect_on_both_sides(new_page, practice, make_user, make_booking):
    clara = make_user(Role.CLIENT, email="clara@example.com", name="Clara Client")
    first = make_booking(clara, in_days=-40, status="completed")
    item = protocols.save_item(
        None, practice.practitioner, protocols.ItemText(category="supplement", title="Magnesium")
    )
    protocols.save_protocol(
        protocols.protocol_for(first), summary="", focus_points="", next_steps="", lines=[], add_items=[item]
    )
    session_day = handouts.publish_handout(handouts.load_session(first.id)).session_date
    today = utcnow().astimezone(ZoneInfo(clara.timezone)).date()
    dairy = db.session.execute(db.select(TriggerTag).filter_by(code="dairy")).scalar_one()
    challenge = challenges.start_challenge(
        clara,
        practice.practitioner,
        tag_id=dairy.id,
        protocol_line_id=None,
        title="",
        eliminate_days=21,
        reintroduce_days=3,
        watch_days=4,
        starts_on=today,
        today=today,
    )
    challenge.starts_on = today - timedelta(days=30)  # as if started a month ago
    for n in range(1, 69):
        day = today - timedelta(days=n)
        in_challenge = challenge.starts_on <= day < challenge.starts_on + timedelta(days=28)
        reintroduced = in_challenge and 21 <= (day - challenge.starts_on).days < 24
        migraine = n % (4 if day >= session_day else 2) == 0
        db.session.add(
            DiaryEntry(
                client_id=clara.id,
                day=day,
                headache="migraine" if migraine else "none",
                intensity=6 if migraine else 0,
                bloating=7 if reintroduced else 2,
                stool_types=[6] if reintroduced else [4],
            )
        )
        if in_challenge:
            db.session.add(ChallengeDay(challenge_id=challenge.id, client_id=clara.id, day=day, ate=reintroduced))
    db.session.commit()

    for device, width in ((PHONE, 375), (DESKTOP, 1280)):
        desk = new_page(device)
        desk.goto("/account/login")
        log_in(desk, practice.practitioner.email)
        desk.goto(f"/practitioner/clients/{clara.id}")
        expect(desk.locator("#effect")).to_contain_text("a response, as headache specialists define it")
        expect(desk.locator("#challenges")).to_contain_text("waiting for your conclusion")
        desk.locator("#challenges").screenshot(path=str(screenshot(desk, f"casefile-challenges-{width}")))
        desk.locator("#effect").screenshot(path=str(screenshot(desk, f"casefile-effect-{width}")))
        if width == 375:
            _fits(desk, "#challenges")
            _fits(desk, "#effect")
        desk.goto(f"/practitioner/challenges/{challenge.id}")
        if width == 1280:
            desk.get_by_label("What the challenge showed").fill("Dairy bloats you: keep it out for now.")
            desk.get_by_role("button", name="Save the conclusion").click()
            expect(desk.get_by_text("Your conclusion is saved")).to_be_visible()
        screenshot(desk, f"challenge-practitioner-{width}")

        phone = new_page(device)
        phone.goto("/account/login")
        log_in(phone, clara.email)
        phone.goto(f"/me/challenges/{challenge.id}")
        expect(phone.get_by_role("heading", name="What it showed")).to_be_visible()
        if width == 375:
            assert_fits_phone(phone)
        screenshot(phone, f"challenge-results-{width}")
    expect(phone.get_by_text("Dairy bloats you: keep it out for now.")).to_be_visible()
