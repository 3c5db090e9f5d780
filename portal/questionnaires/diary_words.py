"""The diary's conclusions in plain sentences, the same on the client's page, the practitioner's, the case file
and a note's pre-filled context. Each sentence names the days it rests on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.numbers import format_number
from portal.questionnaires.diary import (
    MONTH_DAYS,
    OVERUSE_DAYS,
    SEVERAL_CLASSES_DAYS,
    WINDOW_DAYS,
    Comparison,
    GutMigraineLink,
    Overuse,
    StoolPattern,
    Window,
    days_needed,
)
from portal.triggers.words import likelihood

CLASS_NAMES = {
    "triptan": "triptans",
    "ergot": "ergots",
    "opioid": "opioids",
    "combination": "combination painkillers",
    "simple": "simple painkillers (paracetamol, aspirin, ibuprofen and other NSAIDs)",
}
PATTERNS = {
    "IBS-C": "more than a quarter were hard (Bristol 1–2) and under a quarter loose",
    "IBS-D": "more than a quarter were loose (Bristol 6–7) and under a quarter hard",
    "IBS-M": "more than a quarter were hard and more than a quarter loose",
    "IBS-U": "no clear pattern of hard or loose stools",
}
# The Rome IV subtypes as the practitioner reads them (her pages; the client's say the pattern in words only).
PATTERN_NAMES = {
    "IBS-C": "IBS pattern, constipation-predominant (Rome IV)",
    "IBS-D": "IBS pattern, diarrhoea-predominant (Rome IV)",
    "IBS-M": "IBS pattern, mixed (Rome IV)",
    "IBS-U": "IBS pattern, unclassified (Rome IV)",
}


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def filled_in(window: Window) -> str:
    return f"{window.recorded_days} of {window.length} days filled in"


def rate(window: Window) -> str:
    """'5.6 migraine days per 28 days (5 on 25 of 28 days filled in)'; a full period needs no rate."""
    if window.recorded_days == window.length == WINDOW_DAYS:
        return f"{window.migraine_days} migraine days ({filled_in(window)})"
    per_28 = format_number(window.migraine_rate, 1)
    return f"{per_28} migraine days per 28 days ({window.migraine_days} on {filled_in(window)})"


def comparison_sentence(c: Comparison, whose: str = "your") -> str:
    """Whether the last 28 days at least halved the migraine rate of the first 28 diary days, or why not known."""
    b, now = c.baseline, c.current
    if c.outcome == "no_diary" or b is None:
        return ""
    first = f"{whose} first 28 diary days ({_day(b.first_day)} to {_day(b.last_day)})"
    if c.outcome == "too_soon":
        return (
            f"The last 28 days still overlap {first}: the comparison with them can be made from "
            f"{_day(c.next_possible)}."
            if c.next_possible
            else ""
        )
    if c.outcome == "current_incomplete":
        return (
            f"Not enough diary days to compare with {first}: in the last 28 days {filled_in(now)}, at least "
            f"{days_needed(WINDOW_DAYS)} needed."
        )
    if c.outcome == "baseline_incomplete":
        return (
            f"Not enough diary days in {first} to compare with: {filled_in(b)}, at least "
            f"{days_needed(WINDOW_DAYS)} needed. Last 28 days: {rate(now)}."
        )
    if c.outcome == "no_baseline_migraines":
        return f"No migraine days in {first} ({filled_in(b)}), so there is nothing to halve."
    fall = c.fall
    change = (
        ""
        if fall is None
        else f"{format_number(abs(fall) * 100, 0)}% fewer"
        if fall > 0
        else "no fewer"
        if fall == 0
        else f"{format_number(-fall * 100, 0)}% more"
    )
    verdict = "at least half as many migraine days" if c.outcome == "responder" else "not yet half as many"
    return f"Last 28 days: {rate(now)}; {first}: {rate(b)}. That is {change} per 28 days: {verdict}."


def overuse_sentence(o: Overuse, for_client: bool = False) -> str:
    """Overuse found, ruled out, or not possible to rule out, over the last 30 days; the ICHD-3 section is cited
    for the practitioner, not the client."""
    period = f"the last {MONTH_DAYS} days ({o.recorded_days} of {MONTH_DAYS} filled in)"
    if o.overused == ("several",):
        kinds = [CLASS_NAMES[k] for k, n in o.medication_days.items() if n]
        return (
            f"Pain medication on {_days(o.any_medication_days)} in {period}, of more than one kind "
            f"({', '.join(kinds)}): {SEVERAL_CLASSES_DAYS} or more days a month of mixed kinds is overuse"
            f"{'' if for_client else ' (ICHD-3 8.2.6)'}."
        )
    if o.overused:
        parts = [
            f"{CLASS_NAMES[k]} on {_days(o.medication_days[k])} (overuse from {OVERUSE_DAYS[k]})" for k in o.overused
        ]
        return f"In {period}: {'; '.join(parts)}{'' if for_client else ' (ICHD-3 8.2)'}."
    if o.ruled_out:
        return f"No medication overuse in {period}: pain medication on {_days(o.any_medication_days)}."
    return (
        f"Too few diary days to rule out medication overuse: {period}, at least {days_needed(MONTH_DAYS)} "
        f"needed. Pain medication on {_days(o.any_medication_days)} of those filled in."
    )


def stool_sentence(p: StoolPattern, for_client: bool = False) -> str:
    """The stool pattern in words; the practitioner's sentence also names the Rome IV subtype it matches."""
    if p.subtype is None:
        return ""
    named = "" if for_client else f": the {PATTERN_NAMES[p.subtype]}, which describes IBS only once IBS is diagnosed"
    if p.abnormal_days == 0:
        return f"Stools in these 28 days: none hard or loose on {_days(p.stool_days)} with stools recorded{named}."
    return (
        f"Stools in these 28 days: on the {_days(p.abnormal_days)} with a hard or loose stool "
        f"({p.stools_counted} stools), {PATTERNS[p.subtype]}{named}."
    )


def link_sentence(link: GutMigraineLink) -> str:
    if not link.enough_data:
        return (
            f"Not enough data yet: this needs at least 28 days whose next two days are filled in too "
            f"({link.comparable_days} so far)."
        )
    if link.bad_gut_days == 0:
        return (
            f"No bad gut days (Bristol 1–2 or 6–7, or bloating 6+) among the {link.comparable_days} days whose "
            f"next two days are filled in."
        )
    if link.other_days == 0:
        return (
            f"Every one of the {link.comparable_days} days whose next two days are filled in was a bad gut day: "
            f"there are no other days to compare with."
        )
    after, other, rr = link.after_bad_gut_rate, link.other_rate, link.ratio
    assert after is not None and other is not None and rr is not None
    return (
        f"After a bad gut day, a migraine followed within 48 hours {format_number(after * 100, 0)}% of the "
        f"time ({link.bad_gut_days_followed} of {link.bad_gut_days} days), against "
        f"{format_number(other * 100, 0)}% after the other days ({link.other_days_followed} of "
        f"{link.other_days}): {likelihood(rr)}."
    )


@dataclass(frozen=True)
class DiaryWords:
    comparison: str
    overuse: str
    stools: str
    link: str


def diary_words(
    comparison: Comparison, overuse: Overuse, stools: StoolPattern, link: GutMigraineLink, whose: str = "your"
) -> DiaryWords:
    """The sentences for a page: the client's own ("your") in plain words, the practitioner's ("her") with the
    clinical names and sources."""
    for_client = whose == "your"
    return DiaryWords(
        comparison_sentence(comparison, whose),
        overuse_sentence(overuse, for_client),
        stool_sentence(stools, for_client),
        link_sentence(link),
    )
