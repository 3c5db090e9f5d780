"""The practitioner's own questionnaires: she edits a draft, publishing freezes it as a numbered version.

A custom questionnaire is known to the rest of the portal by the code `custom-<id>`; every response keeps
the version number it was answered on, and the version's items never change once published, so an old
answer is always read against the questions that were asked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.extensions import db
from portal.models import CustomQuestionnaire, CustomQuestionnaireVersion, User
from portal.questionnaires.instruments import INSTRUMENTS, Instrument, Item, Option
from portal.questionnaires.scoring import Score

KINDS = {
    "short_text": "Short text",
    "long_text": "Long text",
    "single": "One choice",
    "multiple": "Several choices",
    "scale_0_10": "Scale 0–10",
    "number": "Number",
    "date": "Date",
}
CHOICE_KINDS = ("single", "multiple")
SCORED_KINDS = ("single", "multiple", "scale_0_10")  # what a sum score adds up
TEXT_LIMITS = {"short_text": 200, "long_text": 2000}
NUMBER_LIMIT = 1_000_000
MAX_ITEMS, MAX_OPTIONS = 60, 20
CODE_PREFIX = "custom-"
_OPTION_LINE = re.compile(r"^(?P<label>.*?)\s*(?:=\s*(?P<points>-?\d{1,3}))?$")


class CustomError(ValueError):
    """A change the builder can't make; str() says why, in words for the practitioner."""


def code_of(questionnaire_id: int) -> str:
    return f"{CODE_PREFIX}{questionnaire_id}"


def id_from_code(code: str) -> int | None:
    """The questionnaire id in a `custom-<id>` code, or None for a validated instrument's code."""
    if not code.startswith(CODE_PREFIX) or not code[len(CODE_PREFIX) :].isdigit():
        return None
    return int(code[len(CODE_PREFIX) :])


# Building ----------------------------------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise CustomError("Give the questionnaire a title.")
    if len(title) > 120:
        raise CustomError("Use at most 120 characters for the title.")
    return title


def create_questionnaire(
    practitioner: User, title: str, description: str = "", sum_score: bool = False
) -> CustomQuestionnaire:
    questionnaire = CustomQuestionnaire(
        practitioner_id=practitioner.id,
        title=_clean_title(title),
        description=(description or "").strip()[:2000],
        sum_score=sum_score,
        draft_items=[],
        next_key=1,
    )
    db.session.add(questionnaire)
    db.session.commit()
    return questionnaire


def update_details(questionnaire: CustomQuestionnaire, title: str, description: str, sum_score: bool) -> None:
    questionnaire.title = _clean_title(title)
    questionnaire.description = (description or "").strip()[:2000]
    questionnaire.sum_score = sum_score
    db.session.commit()


def parse_options(text: str) -> list[dict]:
    """One answer per line, optionally with its points: "Most days = 3". Without points an answer counts 0."""
    options: list[dict[str, Any]] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = _OPTION_LINE.match(line)
        assert match is not None  # any line matches: the points are optional
        label, points = match.group("label").strip(), match.group("points")
        if not label:
            raise CustomError(f"The answer “{line}” has points but no words.")
        if len(label) > 120:
            raise CustomError("Keep each answer to 120 characters.")
        options.append({"label": label, "points": int(points) if points is not None else 0})
    if len({o["label"].casefold() for o in options}) != len(options):
        raise CustomError("Two answers have the same words.")
    return options


def add_item(
    questionnaire: CustomQuestionnaire,
    *,
    text: str,
    kind: str,
    options_text: str = "",
    required: bool = True,
    low: float | None = None,
    high: float | None = None,
) -> dict:
    """Add a question to the draft; the draft's earlier questions and every published version stay as they are."""
    text = (text or "").strip()
    if not text:
        raise CustomError("Write the question.")
    if len(text) > 500:
        raise CustomError("Keep the question to 500 characters.")
    if kind not in KINDS:
        raise CustomError("Choose what kind of answer the question takes.")
    if len(questionnaire.draft_items) >= MAX_ITEMS:
        raise CustomError(f"A questionnaire can have at most {MAX_ITEMS} questions.")
    item: dict = {"key": f"q{questionnaire.next_key}", "text": text, "kind": kind, "required": bool(required)}
    if kind in CHOICE_KINDS:
        options = parse_options(options_text)
        if len(options) < 2:
            raise CustomError("Give at least two answers to choose from, one per line.")
        if len(options) > MAX_OPTIONS:
            raise CustomError(f"Give at most {MAX_OPTIONS} answers.")
        item["options"] = options
    if kind == "number":
        low = -NUMBER_LIMIT if low is None else low
        high = NUMBER_LIMIT if high is None else high
        if not -NUMBER_LIMIT <= low < high <= NUMBER_LIMIT:
            raise CustomError("The lowest number must be below the highest.")
        item["low"], item["high"] = low, high
    questionnaire.draft_items = [*questionnaire.draft_items, item]
    questionnaire.next_key += 1
    db.session.commit()
    return item


def remove_item(questionnaire: CustomQuestionnaire, key: str) -> None:
    questionnaire.draft_items = [item for item in questionnaire.draft_items if item["key"] != key]
    db.session.commit()


def move_item(questionnaire: CustomQuestionnaire, key: str, step: int) -> None:
    """Move a question one place up (step -1) or down (step +1)."""
    items = list(questionnaire.draft_items)
    index = next((n for n, item in enumerate(items) if item["key"] == key), None)
    if index is None or not 0 <= index + step < len(items):
        return
    items[index], items[index + step] = items[index + step], items[index]
    questionnaire.draft_items = items
    db.session.commit()


def latest_version(questionnaire_id: int) -> CustomQuestionnaireVersion | None:
    return db.session.execute(
        db.select(CustomQuestionnaireVersion)
        .filter_by(questionnaire_id=questionnaire_id)
        .order_by(CustomQuestionnaireVersion.number.desc())
        .limit(1)
    ).scalar_one_or_none()


def has_unpublished_changes(questionnaire: CustomQuestionnaire, latest: CustomQuestionnaireVersion | None) -> bool:
    if latest is None:
        return bool(questionnaire.draft_items)
    return (latest.title, latest.description, latest.sum_score, latest.items) != (
        questionnaire.title,
        questionnaire.description,
        questionnaire.sum_score,
        questionnaire.draft_items,
    )


def publish(questionnaire: CustomQuestionnaire) -> CustomQuestionnaireVersion:
    """Freeze the draft as the next version; clients asked from now on answer this version."""
    if not questionnaire.draft_items:
        raise CustomError("Add at least one question before publishing.")
    if questionnaire.sum_score and not any(i["kind"] in SCORED_KINDS for i in questionnaire.draft_items):
        raise CustomError("A sum score needs at least one choice or 0–10 question.")
    latest = latest_version(questionnaire.id)
    if latest is not None and not has_unpublished_changes(questionnaire, latest):
        raise CustomError(f"Nothing has changed since version {latest.number}.")
    version = CustomQuestionnaireVersion(
        questionnaire_id=questionnaire.id,
        number=(latest.number + 1) if latest else 1,
        title=questionnaire.title,
        description=questionnaire.description,
        sum_score=questionnaire.sum_score,
        items=[dict(item) for item in questionnaire.draft_items],
    )
    db.session.add(version)
    db.session.commit()
    return version


def set_archived(questionnaire: CustomQuestionnaire, archived: bool) -> None:
    """Archived questionnaires can't be sent any more; their answers stay readable."""
    questionnaire.archived = archived
    db.session.commit()


@dataclass(frozen=True)
class LibraryEntry:
    questionnaire: CustomQuestionnaire
    latest: CustomQuestionnaireVersion | None

    @property
    def code(self) -> str:
        return code_of(self.questionnaire.id)

    @property
    def unpublished_changes(self) -> bool:
        return has_unpublished_changes(self.questionnaire, self.latest)


def _latest_versions(questionnaire_ids: list[int] | None = None) -> dict[int, CustomQuestionnaireVersion]:
    """The newest version of each questionnaire (of the given ones, or of all), in one query."""
    newest = db.select(
        CustomQuestionnaireVersion.questionnaire_id, db.func.max(CustomQuestionnaireVersion.number).label("number")
    ).group_by(CustomQuestionnaireVersion.questionnaire_id)
    if questionnaire_ids is not None:
        newest = newest.filter(CustomQuestionnaireVersion.questionnaire_id.in_(questionnaire_ids))
    newest = newest.subquery()
    rows = db.session.execute(
        db.select(CustomQuestionnaireVersion).join(
            newest,
            (newest.c.questionnaire_id == CustomQuestionnaireVersion.questionnaire_id)
            & (newest.c.number == CustomQuestionnaireVersion.number),
        )
    ).scalars()
    return {version.questionnaire_id: version for version in rows}


def library(practitioner_id: int) -> list[LibraryEntry]:
    questionnaires = list(
        db.session.execute(
            db.select(CustomQuestionnaire)
            .filter_by(practitioner_id=practitioner_id)
            .order_by(CustomQuestionnaire.archived, CustomQuestionnaire.title)
        ).scalars()
    )
    latest = _latest_versions([q.id for q in questionnaires])
    return [LibraryEntry(q, latest.get(q.id)) for q in questionnaires]


def sendable(practitioner_id: int) -> list[LibraryEntry]:
    """Her questionnaires that can be sent: published and not archived."""
    return [entry for entry in library(practitioner_id) if entry.latest and not entry.questionnaire.archived]


# Answering and scoring ---------------------------------------------------------------------------------------


def as_instrument(version: CustomQuestionnaireVersion) -> Instrument:
    """A published version in the shape the answering pages and the scoring use."""
    items = []
    for item in version.items:
        options = tuple(Option(n, o["label"], o["points"]) for n, o in enumerate(item.get("options", [])))
        low, high = {"scale_0_10": (0, 10), "number": (item.get("low", 0), item.get("high", 0))}.get(
            item["kind"], (0, 0)
        )
        items.append(
            Item(item["key"], item["text"], item["kind"], options, low, high, required=item.get("required", True))
        )
    return Instrument(
        code=code_of(version.questionnaire_id),
        version=str(version.number),
        title=version.title,
        recall_period=version.description,
        items=tuple(items),
        licence="own",
        copyright="",
        sum_score=version.sum_score,
    )


def instrument(code: str, version: str | None = None) -> Instrument | None:
    """The custom questionnaire `code` as it was at `version` (its latest published version when None)."""
    questionnaire_id = id_from_code(code)
    if questionnaire_id is None:
        return None
    if version is None:
        found = latest_version(questionnaire_id)
    else:
        found = db.session.execute(
            db.select(CustomQuestionnaireVersion).filter_by(questionnaire_id=questionnaire_id, number=int(version))
        ).scalar_one_or_none()
    return as_instrument(found) if found else None


def score_range(instrument: Instrument) -> tuple[float, float]:
    """The lowest and highest sum score the version can give."""
    low = high = 0
    for item in instrument.items:
        if item.kind == "single":
            low += min(o.points for o in item.options)
            high += max(o.points for o in item.options)
        elif item.kind == "multiple":
            low += sum(o.points for o in item.options if o.points < 0)
            high += sum(o.points for o in item.options if o.points > 0)
        elif item.kind == "scale_0_10":
            high += 10
    return low, high


def score_answers(instrument: Instrument, answers: Mapping[str, Any]) -> Score | None:
    """Her sum score (choice points and 0-10 values; skipped questions add nothing), or None without one."""
    if not instrument.sum_score:
        return None
    total = 0
    for item in instrument.items:
        value = answers.get(item.key)
        if value is None:
            continue
        points = {o.value: o.points for o in item.options}
        if item.kind == "single":
            total += points[value]
        elif item.kind == "multiple":
            total += sum(points[v] for v in value)
        elif item.kind == "scale_0_10":
            total += value
    return Score(total, "")


def catalogue() -> dict[str, Instrument]:
    """Every instrument by code: the validated ones and each custom questionnaire's latest version (one query),
    so pages can name what a client was sent or answered."""
    found = dict(INSTRUMENTS)
    for version in _latest_versions().values():
        custom = as_instrument(version)
        found[custom.code] = custom
    return found
