"""The practitioner's settings: services, weekly hours, time off and booking rules, through her pages."""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from portal.extensions import db
from portal.models import BookingRules, Role, Service, TimeOff, WorkingHours
from portal.practice import settings
from tests.conftest import csrf_token_from, log_in, submit_form


@pytest.fixture
def maya(make_user, client):
    user = make_user(Role.PRACTITIONER, email="maya@example.com", name="Maya Practitioner")
    log_in(client, user.email)
    return user


def input_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else None


def post_settings(client, path: str, prefix: str, data: dict, follow_redirects=True):
    token = csrf_token_from(client.get("/practitioner/settings/").get_data(as_text=True))
    return client.post(
        f"/practitioner/settings/{path}",
        follow_redirects=follow_redirects,
        data={f"{prefix}-csrf_token": token, **{f"{prefix}-{k}": v for k, v in data.items()}},
    )


def test_she_adds_and_edits_a_service(client, maya):
    response = submit_form(
        client,
        "/practitioner/services/new",
        {
            "name": "Initial consultation",
            "description": "The full story.",
            "duration_minutes": "75",
            "price": "150",
            "active": "y",
        },
        follow_redirects=True,
    )
    assert "Initial consultation" in response.get_data(as_text=True) and "£150.00" in response.get_data(as_text=True)
    service = db.session.execute(db.select(Service)).scalar_one()
    assert (service.duration_minutes, service.price_minor, service.currency, service.active) == (75, 15000, "GBP", True)
    edit_url = f"/practitioner/services/{service.id}"
    assert 'value="150.00"' in client.get(edit_url).get_data(as_text=True)
    submit_form(client, edit_url, {"name": "Initial consultation", "duration_minutes": "90", "price": "0"})
    db.session.refresh(service)
    assert (service.duration_minutes, service.price_minor, service.active) == (90, 0, False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "12.345", "at most 2 decimal places"),
        ("price", "-5", "0 or more"),
        ("price", "a lot", "Enter an amount like 75"),
        ("duration_minutes", "0", "from 5 to 480"),
        ("duration_minutes", "forty", "Enter a number"),
        ("name", "x" * 121, "at most 120 characters"),
        ("name", "", "Give the service a name"),
    ],
)
def test_bad_service_input_is_explained_and_kept(client, maya, field, value, message):
    data = {"name": "Follow-up", "duration_minutes": "45", "price": "85", "active": "y", field: value}
    response = submit_form(client, "/practitioner/services/new", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body
    assert "Follow-up" in body or field == "name"  # what she typed is still there
    assert db.session.scalar(db.select(db.func.count()).select_from(Service)) == 0


def test_she_can_not_edit_another_practitioners_service(client, maya, make_user):
    other = make_user(Role.PRACTITIONER)
    theirs = settings.save_service(
        None, other, name="Theirs", description="", duration_minutes=30, price_minor=100, currency="GBP", active=True
    )
    assert client.get(f"/practitioner/services/{theirs.id}").status_code == 404


def test_weekly_hours_several_ranges_a_day_and_no_overlaps(client, maya):
    post_settings(client, "hours", "hours", {"weekday": "0", "start": "09:00", "end": "12:30"})
    post_settings(client, "hours", "hours", {"weekday": "0", "start": "14:00", "end": "00:00"})
    overlap = post_settings(client, "hours", "hours", {"weekday": "0", "start": "12:00", "end": "15:00"})
    assert overlap.status_code == 422 and "overlaps hours you already have" in overlap.get_data(as_text=True)
    backwards = post_settings(client, "hours", "hours", {"weekday": "1", "start": "17:00", "end": "09:00"})
    assert "The end must be after the start." in backwards.get_data(as_text=True)
    rows = settings.working_hours_of(maya)
    assert [(h.weekday, h.start_minute, h.end_minute) for h in rows] == [(0, 540, 750), (0, 840, 1440)]
    page = client.get("/practitioner/settings/").get_data(as_text=True)
    assert [input_value(page, f"hours-{h.id}-{end}") for h in rows for end in ("start", "end")] == [
        "09:00",
        "12:30",
        "14:00",
        "00:00",
    ]
    post_settings(client, f"hours/{rows[0].id}/delete", "x", {})
    assert len(settings.working_hours_of(maya)) == 1


def test_time_off_single_days_and_ranges(client, maya):
    post_settings(client, "time-off", "off", {"first_day": "2031-08-01", "last_day": "2031-08-14", "note": "Holiday"})
    post_settings(client, "time-off", "off", {"first_day": "2031-09-03"})
    bad = post_settings(client, "time-off", "off", {"first_day": "2031-09-10", "last_day": "2031-09-01"})
    assert bad.status_code == 422 and "be before the first day" in bad.get_data(as_text=True)
    rows = settings.time_off_of(maya, date(2031, 1, 1))
    assert [(t.first_day, t.last_day, t.note) for t in rows] == [
        (date(2031, 8, 1), date(2031, 8, 14), "Holiday"),
        (date(2031, 9, 3), date(2031, 9, 3), ""),
    ]
    post_settings(client, f"time-off/{rows[0].id}/delete", "x", {})
    assert db.session.scalar(db.select(db.func.count()).select_from(TimeOff)) == 1


def test_she_can_not_delete_another_practitioners_hours(client, maya, make_user):
    other = make_user(Role.PRACTITIONER)
    theirs = settings.add_working_range(other, 2, time(9), time(10))
    assert post_settings(client, f"hours/{theirs.id}/delete", "x", {}).status_code == 404
    assert db.session.get(WorkingHours, theirs.id) is not None


def test_booking_rules_are_saved_within_limits(client, maya):
    values = {
        "timezone": "America/New_York",
        "buffer_before_minutes": "5",
        "buffer_after_minutes": "10",
        "min_notice_hours": "24",
        "horizon_days": "30",
        "slot_step_minutes": "30",
        "cancellation_window_hours": "48",
        "hold_minutes": "20",
        "reminder_hours": "6",
    }
    post_settings(client, "rules", "rules", values)
    rules = db.session.get(BookingRules, maya.id)
    db.session.refresh(rules)
    assert (rules.timezone, rules.min_notice_minutes, rules.cancellation_window_hours, rules.reminder_hours) == (
        "America/New_York",
        1440,
        48,
        6,
    )
    bad = post_settings(client, "rules", "rules", {**values, "horizon_days": "999", "timezone": "Mars/Olympus"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "from 1 to 365" in body and "Choose a time zone from the list" in body
    db.session.refresh(rules)
    assert rules.horizon_days == 30


def test_notice_is_entered_in_hours_and_shown_in_hours(client, maya):
    rules = db.session.get(BookingRules, maya.id)
    page = client.get("/practitioner/settings/").get_data(as_text=True)
    assert "Minimum notice (hours)" in page and input_value(page, "rules-min_notice_hours") == "12"
    too_long = post_settings(client, "rules", "rules", {"min_notice_hours": "721", "timezone": "Europe/London"})
    assert too_long.status_code == 422 and "Enter a number from 0 to 720." in too_long.get_data(as_text=True)
    db.session.refresh(rules)
    assert rules.min_notice_minutes == 720


def test_she_edits_a_range_of_hours_in_place(client, maya):
    monday = settings.add_working_range(maya, 0, time(9), time(12))
    settings.add_working_range(maya, 0, time(14), time(17))
    done = post_settings(
        client, f"hours/{monday.id}", f"hours-{monday.id}", {"weekday": "1", "start": "08:30", "end": "00:00"}
    )
    assert done.status_code == 200 and "Changed to Tuesday 08:30–00:00." in done.get_data(as_text=True)
    db.session.refresh(monday)
    assert (monday.id, monday.weekday, monday.start_minute, monday.end_minute) == (monday.id, 1, 510, 1440)
    page = client.get("/practitioner/settings/").get_data(as_text=True)
    assert input_value(page, f"hours-{monday.id}-end") == "00:00"


def test_an_edit_that_overlaps_says_so_beside_the_row_and_changes_nothing(client, maya):
    morning = settings.add_working_range(maya, 0, time(9), time(12))
    settings.add_working_range(maya, 0, time(14), time(17))
    refused = post_settings(
        client, f"hours/{morning.id}", f"hours-{morning.id}", {"weekday": "0", "start": "09:00", "end": "15:00"}
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f'id="hours-{morning.id}-end-error"' in html and "overlaps hours" in html
    assert input_value(html, f"hours-{morning.id}-end") == "15:00"  # what she typed stays
    db.session.refresh(morning)
    assert (morning.start_minute, morning.end_minute) == (540, 720)


def test_she_can_not_edit_another_practitioners_hours(client, maya, make_user):
    theirs = settings.add_working_range(make_user(Role.PRACTITIONER), 2, time(9), time(10))
    edit = post_settings(
        client, f"hours/{theirs.id}", f"hours-{theirs.id}", {"weekday": "2", "start": "06:00", "end": "07:00"}
    )
    assert edit.status_code == 404
    db.session.refresh(theirs)
    assert theirs.start_minute == 540


def test_clients_can_not_reach_settings(client, make_user):
    make_user(email="c@example.com")
    log_in(client, "c@example.com")
    assert client.get("/practitioner/settings/").status_code == 404
    assert client.get("/practitioner/services/").status_code == 404
