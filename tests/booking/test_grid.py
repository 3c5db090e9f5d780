"""The agenda's calendar: the grid as a pure function (booking/grid.py), and the day and week pages in her zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from portal.booking import lifecycle
from portal.booking.grid import build_grid
from portal.booking.slots import TimeOff, WorkingRange
from portal.extensions import db
from portal.models import Role
from portal.practice import settings
from tests.conftest import PRACTICE_TZ, log_in

LONDON = ZoneInfo(PRACTICE_TZ)
MONDAY = date(2027, 3, 15)
NINE_TO_FIVE = [WorkingRange(weekday, time(9), time(17)) for weekday in range(7)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def session(start: datetime, minutes: int, status: str = "confirmed", before: int = 0, after: int = 15):
    end = start + timedelta(minutes=minutes)
    return SimpleNamespace(
        starts_at=start,
        ends_at=end,
        blocked_from=start - timedelta(minutes=before),
        blocked_until=end + timedelta(minutes=after),
        status=status,
    )


def bands(items) -> list[tuple[int, int]]:
    return [(b.start, b.end) for b in items]


def test_a_day_shows_hours_sessions_buffers_and_the_free_gaps_between():
    booked = session(at(MONDAY, 10), 45, before=10)
    grid = build_grid([MONDAY], PRACTICE_TZ, NINE_TO_FIVE, [], [booked], at(MONDAY, 7), timedelta(minutes=15))
    day = grid.days[0]
    assert bands(day.open) == [(540, 1020)] and bands(day.sessions) == [(600, 645)]
    assert bands(day.buffers) == [(590, 600), (645, 660)]
    assert bands(day.free) == [(540, 590), (660, 1020)] and day.free[0].starts_at == at(MONDAY, 9)
    assert (grid.first_minute, grid.last_minute) == (480, 1080)


def test_free_gaps_start_after_now_and_are_at_least_the_shortest_service():
    booked = session(at(MONDAY, 12), 60, after=0)
    now = at(MONDAY, 11, 33)
    grid = build_grid([MONDAY], PRACTICE_TZ, NINE_TO_FIVE, [], [booked], now, timedelta(minutes=30))
    assert bands(grid.days[0].free) == [(780, 1020)]  # 11:35-12:00 is shorter than 30 minutes
    shorter = build_grid([MONDAY], PRACTICE_TZ, NINE_TO_FIVE, [], [booked], now, timedelta(minutes=15))
    assert bands(shorter.days[0].free) == [(695, 720), (780, 1020)]


def test_time_off_shades_the_day_and_offers_nothing():
    off = [TimeOff(MONDAY, MONDAY)]
    grid = build_grid(
        [MONDAY, MONDAY + timedelta(days=1)], PRACTICE_TZ, NINE_TO_FIVE, off, [], at(MONDAY, 7), timedelta(minutes=15)
    )
    monday, tuesday = grid.days
    assert monday.time_off and monday.open == [] and monday.free == []
    assert not tuesday.time_off and bands(tuesday.free) == [(540, 1020)]


def test_sessions_that_no_longer_hold_their_time_are_left_to_the_list():
    cancelled = session(at(MONDAY, 10), 45, status="cancelled")
    grid = build_grid([MONDAY], PRACTICE_TZ, NINE_TO_FIVE, [], [cancelled], at(MONDAY, 7), timedelta(minutes=15))
    assert grid.days[0].sessions == [] and bands(grid.days[0].free) == [(540, 1020)]


def test_the_window_widens_to_early_hours_and_a_late_session():
    hours = [WorkingRange(0, time(7, 30), time(12))]
    late = session(at(MONDAY, 20, 15), 60)
    grid = build_grid([MONDAY], PRACTICE_TZ, hours, [], [late], at(MONDAY, 6), timedelta(minutes=15))
    assert (grid.first_minute, grid.last_minute) == (420, 1320)
    assert grid.rows(grid.days[0].sessions[0]) == ((1215 - 420) // 5 + 1, (1275 - 420) // 5 + 1)


def test_the_week_the_clocks_go_forward_keeps_wall_clock_places():
    """London, Sunday 28 March 2027: 01:00 GMT becomes 02:00 BST. A session at 10:00 sits at 10:00 on both sides of
    it, and an early range 00:00-03:00 that day is drawn 00:00-03:00 but is two hours of real free time."""
    week = [date(2027, 3, 22) + timedelta(days=i) for i in range(7)]
    hours = [*NINE_TO_FIVE, WorkingRange(6, time(0), time(3))]
    sessions = [session(at(date(2027, 3, 22), 10), 45), session(at(date(2027, 3, 28), 10), 45)]
    grid = build_grid(week, PRACTICE_TZ, hours, [], sessions, datetime(2027, 3, 1, tzinfo=UTC), timedelta(minutes=15))
    monday, sunday = grid.days[0], grid.days[6]
    assert bands(monday.sessions) == bands(sunday.sessions) == [(600, 645)]
    assert sunday.sessions[0].booking.starts_at == datetime(2027, 3, 28, 9, 0, tzinfo=UTC)
    early = sunday.free[0]
    assert (early.start, early.end, early.length) == (0, 180, timedelta(hours=2))
    assert grid.first_minute == 0


def test_the_week_the_clocks_go_back_has_a_longer_night():
    sunday = date(2027, 10, 31)
    grid = build_grid(
        [sunday],
        PRACTICE_TZ,
        [WorkingRange(6, time(0), time(3))],
        [],
        [],
        datetime(2027, 10, 1, tzinfo=UTC),
        timedelta(minutes=15),
    )
    assert grid.days[0].free[0].length == timedelta(hours=4)


# The pages --------------------------------------------------------------------------------------------------------


def _grid_rules(html: str) -> str:
    return re.search(r'<style nonce="([^"]+)">(.*?)</style>', html, re.S).group(2)


def test_the_day_calendar_shows_her_session_by_status_and_free_gaps_to_book(client, practice, client_user):
    day = datetime.now(UTC).astimezone(LONDON).date() + timedelta(days=7)
    booked = lifecycle.book_for_client(client_user, practice.follow_up, at(day, 10), practice.practitioner).booked[0]
    log_in(client, practice.practitioner.email)
    response = client.get(f"/practitioner/agenda?view=day&date={day.isoformat()}")
    html = response.get_data(as_text=True)
    nonce = re.search(r'<style nonce="([^"]+)">', html).group(1)
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
    assert f'href="/practitioner/bookings/{booked.id}"' in html and 'class="cal__status">Confirmed<' in html
    assert "10:00–10:45" in html and "Clara Client" in html
    assert f'href="/practitioner/book?start={at(day, 9):%Y-%m-%dT%H:%MZ}">' in html  # 09:00-10:00 is free
    assert "#cal-0-session-1 { grid-row: 25 / 34; }" in _grid_rules(html)  # 10:00-10:45 from 08:00, 5-minute rows
    assert 'class="agenda-day' in html  # the list a phone shows


def test_the_week_calendar_has_seven_columns_and_moves_by_weeks(client, practice):
    log_in(client, practice.practitioner.email)
    html = client.get("/practitioner/agenda?view=week&date=2027-03-24").get_data(as_text=True)
    assert html.count('class="cal__col') == 7 and "Mon 22 Mar" in html and "Sun 28 Mar" in html
    assert "date=2027-03-15" in html and "date=2027-03-29" in html  # previous and next week


def test_the_calendar_is_in_her_practice_zone(client, practice):
    practice.rules.timezone = "America/New_York"
    db.session.commit()
    log_in(client, practice.practitioner.email)
    html = client.get("/practitioner/agenda?date=2027-03-16").get_data(as_text=True)
    assert "Times in Eastern US – New York." in html


def test_the_assistant_keeps_the_practice_list(client, practice, make_user):
    desk = make_user(Role.ASSISTANT, email="desk@example.com")
    log_in(client, desk.email)
    response = client.get("/practitioner/agenda")
    html = response.get_data(as_text=True)
    assert (
        'class="cal ' not in html
        and 'class="agenda-day' in html
        and "nonce-" not in response.headers["Content-Security-Policy"]
    )


def test_time_off_shows_on_the_calendar(client, practice):
    settings.add_time_off(practice.practitioner, date(2027, 3, 16), date(2027, 3, 16), "")
    log_in(client, practice.practitioner.email)
    html = client.get("/practitioner/agenda?view=week&date=2027-03-16").get_data(as_text=True)
    assert html.count("cal__col--off") == 1 and 'class="cal__off-label">Time off<' in html
