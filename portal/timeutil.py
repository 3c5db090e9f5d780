"""Time zones: the list people choose from, and showing UTC times in the viewer's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from markupsafe import Markup

from portal.locales import babel_locale


# Zones most clients live in, by the name people call them, with a city (one zone each; a country in one zone
# names several cities). Every other place is offered too, under "Other places". Values stay IANA names.
COMMON_ZONES: tuple[tuple[str, str], ...] = (
    ("Europe/London", "UK time – London"),
    ("Europe/Dublin", "Irish time – Dublin"),
    ("Europe/Lisbon", "Western European – Lisbon"),
    ("Europe/Paris", "Central European – Paris"),
    ("Europe/Berlin", "Central European – Berlin"),
    ("Europe/Madrid", "Central European – Madrid"),
    ("Europe/Rome", "Central European – Rome"),
    ("Europe/Amsterdam", "Central European – Amsterdam"),
    ("Europe/Brussels", "Central European – Brussels"),
    ("Europe/Zurich", "Central European – Zurich"),
    ("Europe/Stockholm", "Central European – Stockholm"),
    ("Europe/Warsaw", "Central European – Warsaw"),
    ("Europe/Athens", "Eastern European – Athens"),
    ("Europe/Helsinki", "Eastern European – Helsinki"),
    ("Europe/Kyiv", "Eastern European – Kyiv"),
    ("Europe/Istanbul", "Turkey – Istanbul"),
    ("Asia/Jerusalem", "Israel – Jerusalem"),
    ("Africa/Cairo", "Egypt – Cairo"),
    ("Africa/Johannesburg", "South Africa – Johannesburg, Cape Town"),
    ("Africa/Lagos", "West Africa – Lagos"),
    ("Africa/Nairobi", "East Africa – Nairobi"),
    ("Asia/Dubai", "Gulf – Dubai"),
    ("Asia/Karachi", "Pakistan – Karachi"),
    ("Asia/Kolkata", "India – Mumbai, Delhi, Kolkata"),
    ("Asia/Singapore", "Singapore"),
    ("Asia/Hong_Kong", "Hong Kong"),
    ("Asia/Shanghai", "China – Beijing, Shanghai"),
    ("Asia/Tokyo", "Japan – Tokyo"),
    ("Asia/Seoul", "Korea – Seoul"),
    ("Australia/Perth", "Western Australia – Perth"),
    ("Australia/Adelaide", "Central Australia – Adelaide"),
    ("Australia/Brisbane", "Queensland – Brisbane"),
    ("Australia/Sydney", "Eastern Australia – Sydney, Melbourne"),
    ("Pacific/Auckland", "New Zealand – Auckland"),
    ("America/St_Johns", "Newfoundland – St John's"),
    ("America/Halifax", "Atlantic Canada – Halifax"),
    ("America/New_York", "Eastern US – New York"),
    ("America/Toronto", "Eastern Canada – Toronto"),
    ("America/Chicago", "Central US – Chicago"),
    ("America/Mexico_City", "Mexico – Mexico City"),
    ("America/Denver", "Mountain US – Denver"),
    ("America/Phoenix", "Arizona – Phoenix"),
    ("America/Los_Angeles", "Pacific US – Los Angeles"),
    ("America/Vancouver", "Pacific Canada – Vancouver"),
    ("America/Anchorage", "Alaska – Anchorage"),
    ("Pacific/Honolulu", "Hawaii – Honolulu"),
    ("America/Sao_Paulo", "Brazil – São Paulo"),
    ("America/Argentina/Buenos_Aires", "Argentina – Buenos Aires"),
    ("America/Bogota", "Colombia – Bogotá"),
)
# Older names some browsers still report for a zone (the device says Asia/Calcutta, the list has Asia/Kolkata).
BROWSER_NAMES = {
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Asia/Rangoon": "Asia/Yangon",
    "Europe/Kiev": "Europe/Kyiv",
    "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Indianapolis": "America/Indiana/Indianapolis",
    "America/Louisville": "America/Kentucky/Louisville",
    "America/Godthab": "America/Nuuk",
    "Atlantic/Faeroe": "Atlantic/Faroe",
    "Pacific/Truk": "Pacific/Chuuk",
    "Pacific/Ponape": "Pacific/Pohnpei",
    "Pacific/Enderbury": "Pacific/Kanton",
}
COMMON_GROUP, OTHER_GROUP = "Common time zones", "Other places"


def _tab(name: str) -> list[list[str]]:
    """The rows of one of tzdata's .tab files (the pinned tzdata package, so every machine offers the same list)."""
    text = resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@lru_cache(maxsize=1)
def _places() -> dict[str, str]:
    """Every place-based zone people choose from, zone -> "City (Country)": the zones of tzdata's zone.tab (one
    or more per country), so aliases (GB, US/Eastern, Etc/GMT+5, Asia/Calcutta) are left out."""
    countries = {row[0]: row[1] for row in _tab("iso3166.tab")}
    places = {}
    for row in _tab("zone.tab"):
        country, zone = row[0], row[2]
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
        places[zone] = f"{city} ({countries.get(country, country)})"
    return places


@lru_cache(maxsize=1)
def timezone_choices() -> dict[str, list[tuple[str, str]]]:
    """The zones as select choices in two groups: the common ones by the name people use (UK time – London), then
    every other place by city and country, alphabetically. Values are IANA names."""
    places = _places()
    common = [(zone, label) for zone, label in COMMON_ZONES if zone in places]
    taken = {zone for zone, _ in common}
    others = sorted(((z, label) for z, label in places.items() if z not in taken), key=lambda pair: pair[1])
    return {COMMON_GROUP: common, OTHER_GROUP: others}


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    return {zone: label for group in timezone_choices().values() for zone, label in group}


def timezone_name(zone: str) -> str:
    """A zone as people read it: "UK time – London", "Copenhagen (Denmark)"; an unlisted name as it is."""
    return _labels().get(zone) or zone.replace("_", " ")


@lru_cache(maxsize=512)
def timezone_options(selected: str) -> Markup:
    """The <optgroup>s and <option>s of a time-zone <select> with `selected` chosen: built once per zone, as the
    slot page shows the whole list to every visitor. An option carries the older name a browser may report
    (data-also), so the page's script can put the device's zone first."""
    also = {canonical: old for old, canonical in BROWSER_NAMES.items()}
    option = Markup('<option value="{}"{}{}>{}</option>')
    chosen, nothing = Markup(" selected"), Markup("")
    groups = []
    for group, pairs in timezone_choices().items():
        options = Markup("").join(
            option.format(
                value,
                Markup(' data-also="{}"').format(also[value]) if value in also else nothing,
                chosen if value == selected else nothing,
                label,
            )
            for value, label in pairs
        )
        groups.append(Markup('<optgroup label="{}">{}</optgroup>').format(group, options))
    return Markup("").join(groups)


def is_valid_timezone(name: str) -> bool:
    """Whether `name` is one of the place-based IANA zones offered (aliases are not: they are stored as their
    place's name)."""
    return name in _places()


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
