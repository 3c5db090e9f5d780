"""A video session on a phone: the client's booking page shows the join button 15 minutes before the start, and
it opens her practitioner's room in a new tab; the practitioner's service form and the public slot page say where
sessions happen (screenshots at 375 and 1280 px)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.booking.places import ROOM, book_video_soon, video_practice
from tests.e2e.conftest import DESKTOP, PHONE, assert_fits_phone, screenshot
from tests.e2e.test_booking_journey import log_in


def _logged_in(new_page, device: dict, email: str) -> Page:
    page = new_page(device)
    page.goto("/account/login")
    log_in(page, email)
    return page


def test_her_video_session_shows_its_join_button_15_minutes_before(new_page, practice, client_user):
    place = video_practice(practice)
    booking = book_video_soon(place, client_user)  # starts within the next few minutes

    page = _logged_in(new_page, PHONE, client_user.email)
    page.goto(f"/me/bookings/{booking.id}")
    join = page.get_by_role("link", name="Join the video session")
    expect(join).to_be_visible()
    expect(join).to_have_attribute("href", ROOM)
    expect(join).to_have_attribute("target", "_blank")
    expect(join).to_have_attribute("rel", "noopener noreferrer")
    expect(page.locator("#where")).to_contain_text("By video")
    box = join.bounding_box()
    assert box is not None and box["height"] >= 44  # a large target for a tired thumb
    assert_fits_phone(page)
    screenshot(page, "video-client-booking-375")

    wide = _logged_in(new_page, DESKTOP, client_user.email)
    wide.goto(f"/me/bookings/{booking.id}")
    expect(wide.get_by_role("link", name="Join the video session")).to_be_visible()
    screenshot(wide, "video-client-booking-1280")

    hers = _logged_in(new_page, PHONE, practice.practitioner.email)
    hers.goto(f"/practitioner/bookings/{booking.id}")
    expect(hers.get_by_role("link", name="Join the video session")).to_have_attribute("href", ROOM)
    expect(hers.get_by_label("Video link for this session")).to_be_visible()
    assert_fits_phone(hers)
    screenshot(hers, "video-practitioner-booking-375")


def test_the_service_form_and_the_slot_page_say_where_it_happens(new_page, practice):
    place = video_practice(practice)
    for device, width in ((PHONE, 375), (DESKTOP, 1280)):
        page = _logged_in(new_page, device, practice.practitioner.email)
        page.goto(f"/practitioner/services/{place.video.id}")
        expect(page.get_by_label("By video", exact=False)).to_be_checked()
        expect(page.get_by_label("Video room link")).to_have_value(ROOM)
        if width == 375:
            assert_fits_phone(page)
        screenshot(page, f"video-service-form-{width}")

        visitor = new_page(device)
        visitor.goto(f"/book/{place.video.id}/")
        expect(visitor.locator(".place")).to_have_text("By video")
        assert ROOM not in visitor.content()
        if width == 375:
            assert_fits_phone(visitor)
        screenshot(visitor, f"video-slots-{width}")
