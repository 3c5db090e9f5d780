"""Time zones: the list people choose from, and showing UTC times in the viewer's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_datetime
from markupsafe import Markup

from portal.locales import babel_locale


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    """Real place-based zones (Europe/London, America/New_York ...), sorted, as select choices."""
    zones = sorted(
        z
        for z in available_timezones()
        if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )
    return [(z, z.replace("_", " ")) for z in zones]


@lru_cache(maxsize=512)
def timezone_options(selected: str) -> Markup:
    """The <option>s of a time-zone <select> with `selected` chosen: built once per zone, as the slot page
    shows the whole list to every visitor."""
    option = Markup('<option value="{}"{}>{}</option>')
    chosen = Markup(" selected")
    return Markup("").join(
        option.format(value, chosen if value == selected else "", label) for value, label in timezone_choices()
    )


def is_valid_timezone(name: str) -> bool:
    return name in dict(timezone_choices())


@lru_cache(maxsize=16384)  # pure; Babel's formatting is the slow part of a page listing many sessions
def local_datetime(value: datetime, tz: str, fmt: str = "EEEE d MMMM y, HH:mm", locale: str = "en_GB") -> str:
    """An aware datetime as a person in zone `tz` reads it."""
    return format_datetime(value, fmt, tzinfo=ZoneInfo(tz), locale=babel_locale(locale))


def describe_seconds(seconds: int) -> str:
    """A setting's length in words: "24 hours", "1 hour", "90 minutes"."""
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def existing_local_instant(day: date, at: time, tz: str) -> datetime | None:
    """A wall-clock time typed in zone `tz`, as aware UTC; None when the clocks skip that time (spring forward).
    (booking.slots.local_instant, for working hours, instead takes the time after the gap.)"""
    local = datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=ZoneInfo(tz))
    instant = local.astimezone(UTC)
    return instant if instant.astimezone(ZoneInfo(tz)).replace(tzinfo=None) == local.replace(tzinfo=None) else None
