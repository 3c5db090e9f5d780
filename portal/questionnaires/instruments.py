"""The validated instruments as data: items, answer options with their points, recall period, licence.

PHQ-9 and GAD-7 are free to reproduce and ship with their wording and copyright line. The wording of
MIDAS, HIT-6, IBS-SSS and GSRS belongs to their owners and is never in this repository: they ship with
neutral labels, and a practice that holds a licence points LICENSED_CONTENT_FILE at a JSON file of its own
(see `with_licensed_wording`) to show the real wording.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from portal.config import ConfigError


@dataclass(frozen=True)
class Option:
    value: int | str
    label: str
    points: int


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    kind: str  # choice, days, scale_0_100, scale_0_10, count, yes_no; own questionnaires also short_text,
    #            long_text, single, multiple, number, date (see portal/questionnaires/custom.py)
    options: tuple[Option, ...] = ()
    low: int = 0
    high: int = 0
    scored: bool = True
    required: bool = True  # a practitioner's own question may be left unanswered


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    title: str
    recall_period: str
    items: tuple[Item, ...]
    licence: str  # "free", "licensed", or "own" (the practitioner's own questionnaire)
    copyright: str
    loinc: str | None = None
    wording_loaded: bool = True  # False: licensed wording not supplied, neutral labels shown
    sum_score: bool = False  # an own questionnaire whose answers add up to a score
    person_title: str = ""  # what it is called for the client ("Mood check"), the instrument's name shown small

    @property
    def plain_title(self) -> str:
        """Its name for the client: the plain one when it has one (an own questionnaire's title is plain)."""
        return self.person_title or self.title

    @property
    def needs_licence_notice(self) -> bool:
        return self.licence == "licensed" and not self.wording_loaded


FREQUENCY = (
    Option(0, "Not at all", 0),
    Option(1, "Several days", 1),
    Option(2, "More than half the days", 2),
    Option(3, "Nearly every day", 3),
)
PFIZER = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an "
    "educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute."
)

# PHQ-9's closing question is asked and stored but never scored (Kroenke, Spitzer & Williams, J Gen Intern Med
# 2001;16:606-13; the instrument's instructions). Version 1 of the portal's PHQ-9 asked items 1-9 only.
PHQ9_DIFFICULTY = Item(
    "difficulty",
    "If you checked off any problems, how difficult have these problems made it for you to do your "
    "work, take care of things at home, or get along with other people?",
    "choice",
    (
        Option(0, "Not difficult at all", 0),
        Option(1, "Somewhat difficult", 0),
        Option(2, "Very difficult", 0),
        Option(3, "Extremely difficult", 0),
    ),
    scored=False,
    required=False,
)

PHQ9 = Instrument(
    code="phq9",
    version="2",
    title="PHQ-9",
    person_title="Mood check",
    recall_period="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    licence="free",
    copyright=PFIZER,
    loinc="44249-1",
    items=tuple(
        Item(str(n), text, "choice", FREQUENCY)
        for n, text in enumerate(
            [
                "Little interest or pleasure in doing things",
                "Feeling down, depressed, or hopeless",
                "Trouble falling or staying asleep, or sleeping too much",
                "Feeling tired or having little energy",
                "Poor appetite or overeating",
                "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
                "Trouble concentrating on things, such as reading the newspaper or watching television",
                "Moving or speaking so slowly that other people could have noticed, or the opposite: being so fidgety "
                "or restless that you have been moving around a lot more than usual",
                "Thoughts that you would be better off dead, or of hurting yourself in some way",
            ],
            start=1,
        )
    )
    + (PHQ9_DIFFICULTY,),
)

GAD7 = Instrument(
    code="gad7",
    version="1",
    title="GAD-7",
    person_title="Worry and anxiety check",
    recall_period="Over the last 2 weeks, how often have you been bothered by the following problems?",
    licence="free",
    copyright=PFIZER,
    loinc="69737-5",
    items=tuple(
        Item(str(n), text, "choice", FREQUENCY)
        for n, text in enumerate(
            [
                "Feeling nervous, anxious, or on edge",
                "Not being able to stop or control worrying",
                "Worrying too much about different things",
                "Trouble relaxing",
                "Being so restless that it is hard to sit still",
                "Becoming easily annoyed or irritable",
                "Feeling afraid, as if something awful might happen",
            ],
            start=1,
        )
    ),
)


def _neutral(
    count: int, kind: str, low: int = 0, high: int = 0, options: tuple[Option, ...] = (), keys: list[str] | None = None
) -> tuple[Item, ...]:
    keys = keys or [str(n) for n in range(1, count + 1)]
    return tuple(Item(key, f"Question {key}", kind, options, low, high) for key in keys)


HIT6_OPTIONS = tuple(
    Option(points, f"Answer {n} ({points} points)", points) for n, points in enumerate((6, 8, 10, 11, 13), start=1)
)
GSRS_OPTIONS = tuple(Option(n, f"{n}", n) for n in range(1, 8))

MIDAS = Instrument(
    code="midas",
    version="1",
    title="MIDAS",
    person_title="Migraine days and impact",
    recall_period="The last 3 months",
    licence="licensed",
    copyright="© Innovative Medical Research. Wording shown only under the practice's licence.",
    items=_neutral(5, "days", 0, 90)
    + (
        Item("A", "Question A (days)", "days", (), 0, 90, scored=False),
        Item("B", "Question B (0-10)", "scale_0_10", (), 0, 10, scored=False),
    ),
)
HIT6 = Instrument(
    code="hit6",
    version="1",
    title="HIT-6",
    person_title="Headache impact",
    recall_period="As the instrument states",
    licence="licensed",
    copyright="© QualityMetric Incorporated and GlaxoSmithKline. Wording shown only under the practice's licence.",
    items=_neutral(6, "choice", options=HIT6_OPTIONS),
)
IBS_SSS = Instrument(
    code="ibs_sss",
    version="1",
    title="IBS-SSS",
    person_title="Gut symptoms",
    recall_period="The last 10 days",
    licence="licensed",
    copyright="© Francis, Morris and Whorwell. Wording shown only under the practice's licence.",
    items=(
        Item("has_pain", "Question 1a (yes/no)", "yes_no"),
        Item("pain_severity", "Question 1b (0-100)", "scale_0_100", (), 0, 100),
        Item("pain_days", "Question 1c (days out of 10)", "count", (), 0, 10),
        Item("has_distension", "Question 2a (yes/no)", "yes_no"),
        Item("distension_severity", "Question 2b (0-100)", "scale_0_100", (), 0, 100),
        Item("bowel_dissatisfaction", "Question 3 (0-100)", "scale_0_100", (), 0, 100),
        Item("life_interference", "Question 4 (0-100)", "scale_0_100", (), 0, 100),
    ),
)
GSRS = Instrument(
    code="gsrs",
    version="1",
    title="GSRS",
    person_title="Digestive symptoms",
    recall_period="The past week",
    licence="licensed",
    copyright="© AstraZeneca. Wording shown only under the practice's licence.",
    items=_neutral(15, "choice", options=GSRS_OPTIONS),
)

# The ID-Migraine screener's three questions, asked in the practice's own words (two or more "yes" screens positive).
ID_MIGRAINE = Instrument(
    code="id_migraine",
    version="1",
    title="Migraine screener (ID-Migraine)",
    person_title="Three questions about your headaches",
    recall_period="Think about your headaches over the last 3 months.",
    licence="free",
    copyright="The three questions of the ID-Migraine screener, put in this practice's own words.",
    items=(
        Item(
            "disability",
            "Has a headache stopped you doing what you needed or wanted to do (work, study, "
            "family, time with friends) on at least one day?",
            "yes_no",
        ),
        Item("nausea", "When you have a headache, do you feel sick to your stomach, or are you sick?", "yes_no"),
        Item(
            "photophobia",
            "When you have a headache, does light bother you a lot more than when you feel well?",
            "yes_no",
        ),
    ),
)

INSTRUMENTS: dict[str, Instrument] = {
    i.code: replace(i, wording_loaded=i.licence == "free")
    for i in (PHQ9, GAD7, MIDAS, HIT6, IBS_SSS, GSRS, ID_MIGRAINE)
}
# Earlier versions still in use by responses answered (or half-answered) on them: (code, version) -> instrument.
EARLIER_VERSIONS: dict[tuple[str, str], Instrument] = {
    ("phq9", "1"): replace(INSTRUMENTS["phq9"], version="1", items=PHQ9.items[:9]),
}


def has_its_words(code: str, licensed_content: dict[str, dict] | None) -> bool:
    """Whether a validated instrument can be put in front of a client: free ones always; a licensed one only once
    the practice has loaded its wording (LICENSED_CONTENT_FILE), so no client is ever asked "Question 1"."""
    instrument = INSTRUMENTS[code]
    return instrument.licence != "licensed" or bool((licensed_content or {}).get(code))


class ContentFileError(ValueError):
    """The licensed-content file can't be used; str() says why."""


def load_licensed_content(path: str | Path) -> dict[str, dict]:
    """Read the practice's licensed wording: {"hit6": {"title": ..., "recall_period": ...,
    "items": {"1": "...", ...}, "options": {"6": "...", ...}}, ...}."""
    try:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ContentFileError(f"The licensed content file {path} could not be read: {error}") from None
    if not isinstance(content, dict):
        raise ContentFileError("The licensed content file must hold an object keyed by instrument code.")
    for code, wording in content.items():
        instrument = INSTRUMENTS.get(code)
        if instrument is None or instrument.licence != "licensed":
            raise ContentFileError(f"The licensed content file names {code!r}, which is not a licensed instrument.")
        missing = {item.key for item in instrument.items} - set(wording.get("items") or {})
        if missing:
            raise ContentFileError(f"The wording for {code} lacks items {', '.join(sorted(missing))}.")
    return content


def with_licensed_wording(code: str, content: dict[str, dict] | None, version: str | None = None) -> Instrument:
    """The instrument as the practice should show it (at `version`, the current one when None or unknown):
    its licensed wording when supplied, else neutral labels."""
    instrument = EARLIER_VERSIONS.get((code, version or ""), INSTRUMENTS[code])
    wording = (content or {}).get(code)
    if instrument.licence == "free" or not wording:
        return instrument
    options = wording.get("options") or {}
    items = tuple(
        replace(
            item,
            text=wording["items"][item.key],
            options=tuple(replace(o, label=options.get(str(o.value), o.label)) for o in item.options),
        )
        for item in instrument.items
    )
    return replace(
        instrument,
        items=items,
        title=wording.get("title", instrument.title),
        recall_period=wording.get("recall_period", instrument.recall_period),
        wording_loaded=True,
    )


def licensed_setting(path: str) -> dict | None:
    """LICENSED_CONTENT_FILE, the practice's own file of licensed wording (kept out of the repository), read and
    checked at start-up: a file that can't be used stops the portal with a message naming the problem."""
    if not path:
        return None
    try:
        return load_licensed_content(path)
    except ContentFileError as error:
        raise ConfigError(f"LICENSED_CONTENT_FILE: {error}") from None
