"""The agenda's calendar: one practitioner's day or week as columns of wall-clock time in a zone, with her working
hours (the open background), time off and buffers (shaded), the free gaps she can book a client into, and her
sessions by status. A pure function of her hours, time off, bookings and now; the page only draws it.

Positions are wall-clock minutes after local midnight (0-1440), so a day when the clocks change draws its hours as
the clock on the wall shows them: the hour that is skipped in spring holds nothing, and in autumn the repeated hour
is drawn once (a session in its second run is drawn where the clock shows it, and listed under the grid as always).
Free gaps are computed in real time (UTC), so they are exact on those days too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.booking.slots import TimeOff, WorkingRange, local_instant
from portal.models import BLOCKING_STATUSES, Booking

DAY_MINUTES = 1440
ROW_MINUTES = 5  # the grid's resolution: a row every five minutes
DEFAULT_WINDOW = (8 * 60, 18 * 60)  # shown at least 08:00-18:00, widened to what the days hold
GAP_ROUNDING = timedelta(minutes=5)


@dataclass(frozen=True)
class Band:
    """A stretch of one day's column, in wall-clock minutes [start, end)."""

    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class FreeGap(Band):
    starts_at: datetime  # the instant the gap begins, for "Book here"
    length: timedelta  # its real length (it differs from `minutes` across a clock change)


@dataclass(frozen=True)
class Session(Band):
    booking: Booking


@dataclass
class Day:
    day: date
    time_off: bool = False
    open: list[Band] = field(default_factory=list)
    buffers: list[Band] = field(default_factory=list)
    free: list[FreeGap] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)


@dataclass
class Grid:
    days: list[Day]
    first_minute: int  # the window drawn, on the hour
    last_minute: int

    @property
    def hours(self) -> list[int]:
        return list(range(self.first_minute // 60, self.last_minute // 60))

    def rows(self, band: Band) -> tuple[int, int]:
        """The band's CSS grid rows (1-based, end exclusive), clipped to the window; at least one row high."""
        start = max(band.start, self.first_minute)
        end = max(min(band.end, self.last_minute), start + ROW_MINUTES)
        first_row = (start - self.first_minute) // ROW_MINUTES + 1
        return first_row, max(first_row + 1, -(-(end - self.first_minute) // ROW_MINUTES) + 1)

    @property
    def row_count(self) -> int:
        return (self.last_minute - self.first_minute) // ROW_MINUTES


def _wall_minute(instant: datetime, day: date, zone: ZoneInfo) -> int:
    """Where `instant` falls in `day`'s column: its wall-clock minute, or 0 / 1440 when it is before / after it."""
    local = instant.astimezone(zone)
    if local.date() < day:
        return 0
    if local.date() > day:
        return DAY_MINUTES
    return local.hour * 60 + local.minute


def _subtract(ranges: list[tuple[datetime, datetime]], busy: list[tuple[datetime, datetime]]):
    """Parts of `ranges` not covered by any busy interval."""
    free = []
    for start, end in ranges:
        pieces = [(start, end)]
        for b_start, b_end in busy:
            pieces = [
                part
                for p_start, p_end in pieces
                for part in ((p_start, min(p_end, b_start)), (max(p_start, b_end), p_end))
                if part[0] < part[1]
            ]
        free.extend(pieces)
    return free


def _round_up(instant: datetime, step: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    return epoch + -((epoch - instant) // step) * step


def build_grid(
    days: list[date],
    tz: str,
    hours: list[WorkingRange],
    time_off: list[TimeOff],
    bookings: list[Booking],
    now: datetime,
    min_gap: timedelta,
) -> Grid:
    """Her `days` in zone `tz`. `bookings` are hers around those days (any status; those that no longer hold
    their time are left to the list); a free gap is working time, not past, not held by a session or its buffers,
    at least `min_gap` long (her shortest service)."""
    zone = ZoneInfo(tz)
    holding = [b for b in bookings if b.status in {s.value for s in BLOCKING_STATUSES}]
    busy = [(b.blocked_from, b.blocked_until) for b in holding]
    earliest = _round_up(now, GAP_ROUNDING)
    columns = []
    for day in days:
        column = Day(day=day, time_off=any(off.first_day <= day <= off.last_day for off in time_off))
        day_start, day_end = local_instant(day, time(0), zone), local_instant(day, time.max, zone)
        ranges = (
            []
            if column.time_off
            else sorted(
                (local_instant(day, r.start, zone), local_instant(day, r.end, zone))
                for r in hours
                if r.weekday == day.weekday()
            )
        )
        for start, end in ranges:
            column.open.append(Band(_wall_minute(start, day, zone), _wall_minute(end, day, zone)))
        for start, end in _subtract([(max(s, earliest), e) for s, e in ranges if e > earliest], busy):
            if end - start >= min_gap:
                column.free.append(
                    FreeGap(_wall_minute(start, day, zone), _wall_minute(end, day, zone), start, end - start)
                )
        for booking in sorted(holding, key=lambda b: b.starts_at):
            if booking.blocked_until <= day_start or booking.blocked_from >= day_end:
                continue
            if booking.starts_at < day_end and booking.ends_at > day_start:
                column.sessions.append(
                    Session(
                        _wall_minute(booking.starts_at, day, zone), _wall_minute(booking.ends_at, day, zone), booking
                    )
                )
            for start, end in ((booking.blocked_from, booking.starts_at), (booking.ends_at, booking.blocked_until)):
                band = Band(_wall_minute(start, day, zone), _wall_minute(end, day, zone))
                if band.minutes > 0:
                    column.buffers.append(band)
        columns.append(column)
    drawn = [band for c in columns for band in (*c.open, *c.sessions)]
    first = min([DEFAULT_WINDOW[0], *(b.start for b in drawn)]) // 60 * 60
    last = min(DAY_MINUTES, -(-max([DEFAULT_WINDOW[1], *(b.end for b in drawn)]) // 60) * 60)
    return Grid(days=columns, first_minute=first, last_minute=last)
