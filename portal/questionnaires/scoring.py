"""Scoring of the validated instruments, exactly as published: pure functions over plain answers.

`score(code, answers)` takes a mapping of item key to the answer's points (or day counts, or 0-100 marks,
as each instrument asks) and returns a Score; impossible answers raise AnswerError with a plain message.
Licensed instruments (MIDAS, HIT-6, IBS-SSS, GSRS) are scored here without their wording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from itertools import combinations_with_replacement


class AnswerError(ValueError):
    """Answers that can't be scored; str() says which and why."""


@dataclass(frozen=True)
class Score:
    total: float
    band: str  # the published band or grade, e.g. "moderate", "Grade III"
    subscores: dict[str, float] = field(default_factory=dict)
    flags: tuple[str, ...] = ()


def _whole(answers: Mapping[str, object], key: str, low: int, high: int) -> int:
    value = answers.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerError(f"Item {key} is missing or not a whole number.")
    if not low <= value <= high:
        raise AnswerError(f"Item {key} must be from {low} to {high}.")
    return value


def _band(total: float, bands: Iterable[tuple[float, str]]) -> str:
    """The last band whose lower edge is at or below `total` ("" when there is none, as with no bands)."""
    chosen = ""
    for lower, name in bands:
        if total >= lower:
            chosen = name
    return chosen


# PHQ-9 and GAD-7 (free to use; © Pfizer Inc., no permission required) -----------------------------------------

PHQ9_BANDS = [(0, "none-minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"), (20, "severe")]
GAD7_BANDS = [(0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")]


def score_phq9(answers: Mapping[str, object]) -> Score:
    """Items 1-9 scored 0-3 (total 0-27). Any answer above 0 to item 9 raises an alert."""
    items = [_whole(answers, str(i), 0, 3) for i in range(1, 10)]
    total = sum(items)
    flags = ("self_harm_thoughts",) if items[8] > 0 else ()
    return Score(total, _band(total, PHQ9_BANDS), flags=flags)


def score_gad7(answers: Mapping[str, object]) -> Score:
    total = sum(_whole(answers, str(i), 0, 3) for i in range(1, 8))
    return Score(total, _band(total, GAD7_BANDS))


# MIDAS: migraine disability over 3 months -------------------------------------------------------------------

MIDAS_GRADES = [(0, "Grade I"), (6, "Grade II"), (11, "Grade III"), (21, "Grade IV")]
MIDAS_PERIOD_DAYS = 90


def score_midas(answers: Mapping[str, object]) -> Score:
    """Items 1-5 are day counts and are added; A (headache days) and B (pain 0-10) are kept, never added."""
    days = {str(i): _whole(answers, str(i), 0, MIDAS_PERIOD_DAYS) for i in range(1, 6)}
    if days["1"] + days["2"] > MIDAS_PERIOD_DAYS:
        raise AnswerError("Items 1 and 2 count different days of work or school: together at most 90.")
    if days["3"] + days["4"] > MIDAS_PERIOD_DAYS:
        raise AnswerError("Items 3 and 4 count different days of housework: together at most 90.")
    extra = {}
    if answers.get("A") is not None:
        extra["A"] = _whole(answers, "A", 0, MIDAS_PERIOD_DAYS)
        for key, count in days.items():
            if count > extra["A"]:
                raise AnswerError(f"Item {key} counts more days than the {extra['A']} headache days in item A.")
    if answers.get("B") is not None:
        extra["B"] = _whole(answers, "B", 0, 10)
    total = sum(days.values())
    return Score(total, _band(total, MIDAS_GRADES), subscores={k: float(v) for k, v in extra.items()})


# HIT-6: headache impact ----------------------------------------------------------------------------------------

HIT6_POINTS = (6, 8, 10, 11, 13)  # never, rarely, sometimes, very often, always
HIT6_BANDS = [(36, "little or no impact"), (50, "some impact"), (56, "substantial impact"), (60, "severe impact")]


@lru_cache(maxsize=1)
def hit6_possible_totals() -> frozenset[int]:
    """Six answers of 6, 8, 10, 11 or 13 points: 36-78, but not every number in between (37 can't occur)."""
    return frozenset(sum(combo) for combo in combinations_with_replacement(HIT6_POINTS, 6))


def score_hit6(answers: Mapping[str, object]) -> Score:
    items = []
    for i in range(1, 7):
        value = answers.get(str(i))
        if value not in HIT6_POINTS or isinstance(value, bool):
            raise AnswerError(f"Item {i} must be one of 6, 8, 10, 11 or 13 points.")
        items.append(value)
    total = sum(items)
    return Score(total, _band(total, HIT6_BANDS))


def hit6_band_for_total(total: int) -> str:
    """A total copied from a paper form: refused if six answers could not add up to it."""
    if total not in hit6_possible_totals():
        raise AnswerError(f"A HIT-6 total of {total} can't occur: six answers of 6, 8, 10, 11 or 13 points.")
    return _band(total, HIT6_BANDS)


# IBS-SSS: IBS symptom severity ---------------------------------------------------------------------------------

IBS_SSS_BANDS = [(0, "remission"), (75, "mild"), (175, "moderate"), (300, "severe")]
IBS_SSS_MEANINGFUL_DROP = 50


def score_ibs_sss(answers: Mapping[str, object]) -> Score:
    """Five items of 0-100 points (total 0-500). Pain days (out of 10) count 10 points each. Answering
    "no pain" zeroes both pain items; "no distension" zeroes the distension item."""
    has_pain = answers.get("has_pain", True)
    has_distension = answers.get("has_distension", True)
    pain = _whole(answers, "pain_severity", 0, 100) if has_pain else 0
    pain_days = _whole(answers, "pain_days", 0, 10) * 10 if has_pain else 0
    distension = _whole(answers, "distension_severity", 0, 100) if has_distension else 0
    dissatisfaction = _whole(answers, "bowel_dissatisfaction", 0, 100)
    interference = _whole(answers, "life_interference", 0, 100)
    parts = {
        "pain_severity": pain,
        "pain_days": pain_days,
        "distension_severity": distension,
        "bowel_dissatisfaction": dissatisfaction,
        "life_interference": interference,
    }
    total = sum(parts.values())
    return Score(total, _band(total, IBS_SSS_BANDS), subscores={k: float(v) for k, v in parts.items()})


def ibs_sss_meaningful_improvement(before: float, after: float) -> bool:
    return before - after >= IBS_SSS_MEANINGFUL_DROP


# GSRS: gastrointestinal symptom rating --------------------------------------------------------------------------

GSRS_DOMAINS = {
    "abdominal pain": (1, 4, 5),
    "reflux": (2, 3),
    "indigestion": (6, 7, 8, 9),
    "diarrhoea": (11, 12, 14),
    "constipation": (10, 13, 15),
}


def score_gsrs(answers: Mapping[str, object]) -> Score:
    """15 items of 1-7; each domain and the total are means (1 = no discomfort, 7 = very severe)."""
    items = {i: _whole(answers, str(i), 1, 7) for i in range(1, 16)}
    domains = {name: round(sum(items[i] for i in keys) / len(keys), 2) for name, keys in GSRS_DOMAINS.items()}
    total = round(sum(items.values()) / 15, 2)
    return Score(total, "", subscores=domains)


# Bristol stool form, Rome IV subtype, ID-Migraine -----------------------------------------------------------------


def bristol_category(stool_type: int) -> str:
    if isinstance(stool_type, bool) or stool_type not in range(1, 8):
        raise AnswerError("A Bristol stool type is a number from 1 to 7.")
    return "hard" if stool_type <= 2 else "loose" if stool_type >= 6 else "normal"


def score_bristol(answers: Mapping[str, object]) -> Score:
    stool_type = _whole(answers, "type", 1, 7)
    return Score(stool_type, bristol_category(stool_type))


def rome_iv_subtype(stool_types: Iterable[int]) -> str | None:
    """IBS-C, IBS-D, IBS-M or IBS-U from bowel movements by Rome IV's quarter rule (Lacy et al., Gastroenterology
    2016;150:1393-1407): IBS-C more than 25% hard (Bristol 1-2) and less than 25% loose (6-7), IBS-D the reverse,
    IBS-M more than 25% of each, IBS-U anything else. Rome IV counts the stools of days with at least one abnormal
    movement: `portal/questionnaires/diary.py: stool_pattern` chooses them. None without stools."""
    categories = [bristol_category(t) for t in stool_types]
    if not categories:
        return None
    hard = Fraction(categories.count("hard"), len(categories))
    loose = Fraction(categories.count("loose"), len(categories))
    quarter = Fraction(1, 4)
    if hard > quarter and loose > quarter:
        return "IBS-M"
    if hard > quarter and loose < quarter:
        return "IBS-C"
    if loose > quarter and hard < quarter:
        return "IBS-D"
    return "IBS-U"


def score_id_migraine(answers: Mapping[str, object]) -> Score:
    """Three yes/no questions (limited activity, nausea, light bothering her): two or more yes screens positive."""
    yes = 0
    for key in ("disability", "nausea", "photophobia"):
        value = answers.get(key)
        if not isinstance(value, bool):
            raise AnswerError(f"Answer yes or no to {key}.")
        yes += value
    return Score(yes, "positive" if yes >= 2 else "negative")


SCORERS: dict[str, Callable[[Mapping[str, object]], Score]] = {
    "phq9": score_phq9,
    "gad7": score_gad7,
    "midas": score_midas,
    "hit6": score_hit6,
    "ibs_sss": score_ibs_sss,
    "gsrs": score_gsrs,
    "bristol": score_bristol,
    "id_migraine": score_id_migraine,
}


# For charts: each instrument's possible range and its published bands.
RANGES_BY_CODE: dict[str, tuple[float, float]] = {
    "phq9": (0, 27),
    "gad7": (0, 21),
    "midas": (0, 60),
    "hit6": (36, 78),
    "ibs_sss": (0, 500),
    "gsrs": (1, 7),
}
BANDS_BY_CODE: dict[str, Sequence[tuple[float, str]]] = {
    "phq9": PHQ9_BANDS,
    "gad7": GAD7_BANDS,
    "midas": MIDAS_GRADES,
    "hit6": HIT6_BANDS,
    "ibs_sss": IBS_SSS_BANDS,
}


def score(code: str, answers: Mapping[str, object]) -> Score:
    """Score answers to the instrument `code` (phq9, gad7, midas, hit6, ibs_sss, gsrs, bristol, id_migraine)."""
    try:
        scorer = SCORERS[code]
    except KeyError:
        raise AnswerError(f"There is no instrument called {code!r}.") from None
    return scorer(answers)
