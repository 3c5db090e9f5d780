"""Assigning instruments to a client and her answering them: drafts saved answer by answer, then submitted
with the score computed once and stored (never recomputed silently)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy.orm import defer

from portal.db_types import utcnow
from portal.extensions import db
from portal.links import absolute_url
from portal.mail import send_mail
from portal.inputs import plain_decimal, single_line_problem, text_problem, whole_number
from portal.models import Assignment, Booking, BookingRules, BookingStatus, QuestionnaireResponse, ResponseStatus, User
from portal.questionnaires import custom
from portal.questionnaires.custom import TEXT_LIMITS
from portal.questionnaires.instruments import INSTRUMENTS, Instrument, Item, has_its_words, with_licensed_wording
from portal.questionnaires.scoring import AnswerError, score

ASSIGNABLE = ("phq9", "gad7", "midas", "hit6", "ibs_sss", "gsrs", "id_migraine")


class ResponseError(ValueError):
    """Something about answering that can't be done; str() says why."""


def licensed_content() -> dict | None:
    """The practice's licensed wording (LICENSED_CONTENT_FILE, read and checked at start-up), or None."""
    return current_app.config.get("LICENSED_CONTENT")


def can_send(code: str) -> bool:
    """Whether a questionnaire can be put in front of a client now: her own ones and the free instruments always,
    a licensed one (MIDAS, HIT-6, IBS-SSS, GSRS) only once the practice has loaded its wording. The one rule
    for the send form, the intake set, repeating questionnaires and the client's pages."""
    return code not in INSTRUMENTS or has_its_words(code, licensed_content())


def without_words() -> list[Instrument]:
    """The validated instruments that can't be sent until their wording is loaded."""
    return [INSTRUMENTS[code] for code in ASSIGNABLE if not can_send(code)]


def licence_sentence(instruments: list[Instrument]) -> str:
    """Why these can't be sent, for the practitioner, in plain words (no setting names): "" when none."""
    if not instruments:
        return ""
    titles = [i.title for i in instruments]
    names = titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"
    if len(titles) == 1:
        return (
            f"{names} is licensed: its wording has to be loaded before you can send it. "
            "Ask whoever runs the portal to load it."
        )
    return (
        f"{names} are licensed: their wording has to be loaded before you can send them. "
        "Ask whoever runs the portal to load it."
    )


def sendable_codes(practitioner_id: int) -> list[str]:
    """What she can send: the validated instruments that have their words and her own published, unarchived
    questionnaires."""
    return [
        *(code for code in ASSIGNABLE if can_send(code)),
        *(entry.code for entry in custom.sendable(practitioner_id)),
    ]


def assign(
    client: User, code: str, every_weeks: int | None, starting: date, by: User, intake: bool = False
) -> Assignment:
    if not can_send(code):
        raise ResponseError(licence_sentence([INSTRUMENTS[code]]))
    if code not in sendable_codes(by.id):
        raise ResponseError("Choose one of the questionnaires in the list.")
    if every_weeks is not None and not 1 <= every_weeks <= 52:
        raise ResponseError("Repeat every 1 to 52 weeks, or choose once.")
    assignment = Assignment(
        client_id=client.id, code=code, every_weeks=every_weeks, next_due=starting, assigned_by_id=by.id, intake=intake
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


def assign_intake_set(client: User, practitioner_id: int, today: date) -> list[Assignment]:
    """When her first booking with the practice is confirmed (at once when free or paid at the session, when
    the card payment arrives otherwise), send the intake set the practitioner chose in settings.

    Does nothing after the first confirmed booking, and never sends the intake set twice. A licensed questionnaire
    in the set whose wording has since been unloaded is left out (the intake page tells the practitioner)."""
    rules = db.session.get(BookingRules, practitioner_id)
    booked = db.session.scalar(
        db.select(db.func.count())
        .select_from(Booking)
        .filter(
            Booking.client_id == client.id,
            Booking.practitioner_id == practitioner_id,
            Booking.status.in_([BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW]),
        )
    )
    sent_before = db.session.scalar(
        db.select(db.func.count())
        .select_from(Assignment)
        .filter(Assignment.client_id == client.id, Assignment.intake.is_(True))
    )
    if rules is None or not rules.intake_codes or booked != 1 or sent_before:
        return []
    practitioner = db.session.get(User, practitioner_id)
    assert practitioner is not None  # her booking refers to her
    available = set(sendable_codes(practitioner_id))
    return [
        assign(client, code, None, today, practitioner, intake=True) for code in rules.intake_codes if code in available
    ]


def save_intake_set(rules: BookingRules, codes: list[str]) -> None:
    """The questionnaires a new client is sent with her first booking, in the order given."""
    held = [INSTRUMENTS[code] for code in codes if not can_send(code)]
    if held:
        raise ResponseError(licence_sentence(held))
    available = sendable_codes(rules.practitioner_id)
    unknown = [code for code in codes if code not in available]
    if unknown:
        raise ResponseError("Choose questionnaires from the list.")
    rules.intake_codes = [code for code in available if code in codes]
    db.session.commit()


def due_assignments(client_id: int, today: date) -> list[Assignment]:
    """What is waiting for her today. A licensed questionnaire sent while its wording was loaded, and unloaded
    since, waits unseen (never shown as "Question 1") until the wording is back; her practitioner's page says so."""
    found = db.session.execute(
        db.select(Assignment)
        .filter(Assignment.client_id == client_id, Assignment.active.is_(True), Assignment.next_due <= today)
        .order_by(Assignment.next_due)
    ).scalars()
    return [assignment for assignment in found if can_send(assignment.code)]


def instrument_for(code: str, licensed_content: dict | None, version: str | None = None) -> Instrument:
    """The instrument as the client should see it: a validated one (with the practice's licensed wording when
    supplied) or the practitioner's own questionnaire at `version` (its latest when None)."""
    if custom.id_from_code(code) is not None:
        found = custom.instrument(code, version)
        if found is None:
            raise ResponseError("This questionnaire is not available.")
        return found
    return with_licensed_wording(code, licensed_content, version)


def draft_for(assignment: Assignment) -> QuestionnaireResponse:
    """Her open draft for this assignment, started the first time she opens it."""
    draft = db.session.execute(
        db.select(QuestionnaireResponse).filter_by(assignment_id=assignment.id, status=ResponseStatus.DRAFT)
    ).scalar_one_or_none()
    if draft is None:
        draft = QuestionnaireResponse(
            client_id=assignment.client_id,
            assignment_id=assignment.id,
            code=assignment.code,
            version=instrument_for(assignment.code, None).version,
            answers={},
        )
        db.session.add(draft)
        db.session.commit()
    return draft


def parse_answer(item: Item, raw: str | list[str] | None) -> object:
    """A submitted form value as the scoring expects it; ResponseError with a message next to the item.

    `raw` is the list of ticked values for a several-choices question, else the one value sent."""
    if item.kind == "multiple":
        return _parse_choices(item, raw if isinstance(raw, list) else [raw] if raw else [])
    raw = (raw[0] if raw else None) if isinstance(raw, list) else raw
    raw = raw.strip() if raw else ""
    if raw == "":
        if not item.required:
            return None  # she chose to leave it empty
        raise ResponseError("Please answer this question.")
    if item.kind in TEXT_LIMITS:
        if len(raw) > TEXT_LIMITS[item.kind]:
            raise ResponseError(f"Please keep this to {TEXT_LIMITS[item.kind]:,} characters.")
        problem = text_problem(raw) if item.kind == "long_text" else single_line_problem(raw)
        if problem:
            raise ResponseError(problem)
        return raw
    if item.kind == "date":
        return _parse_date(raw)
    if item.kind == "number":
        return _parse_number(item, raw)
    if item.kind == "yes_no":
        if raw not in ("yes", "no"):
            raise ResponseError("Please answer yes or no.")
        return raw == "yes"
    value = whole_number(raw)
    if value is None:
        raise ResponseError(
            "Please choose one of the answers."
            if item.options
            else f"Enter a whole number from {item.low} to {item.high}."
        )
    if item.options:
        if value not in {o.value for o in item.options}:
            raise ResponseError("Please choose one of the answers.")
    elif not item.low <= value <= item.high:
        raise ResponseError(f"Enter a whole number from {item.low} to {item.high}.")
    return value


def _parse_choices(item: Item, raw: list[str]) -> list[int]:
    if not raw:
        if item.required:
            raise ResponseError("Please tick at least one answer.")
        return []
    values = {whole_number(value) for value in raw}
    if not values <= {o.value for o in item.options}:  # None (not a whole number) is never an option
        raise ResponseError("Please tick the answers that apply.")
    return sorted(v for v in values if v is not None)


def _parse_date(raw: str) -> str:
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise ResponseError("Enter a date, for example 2026-03-31.") from None
    if not 1900 <= value.year <= 2100:
        raise ResponseError("Enter a date between 1900 and 2100.")
    return value.isoformat()


def _parse_number(item: Item, raw: str) -> int | float:
    value = plain_decimal(raw.replace(",", "."))
    if value is None:
        raise ResponseError("Enter a number, for example 7 or 7.5.")
    if not item.low <= value <= item.high:
        raise ResponseError(f"Enter a number from {item.low:g} to {item.high:g}.")
    return int(value) if value == value.to_integral_value() else float(value)


def save_answer(response: QuestionnaireResponse, item: Item, value: object) -> None:
    if response.status != ResponseStatus.DRAFT:
        raise ResponseError("This questionnaire has been sent already.")
    response.answers = {**response.answers, item.key: value}
    db.session.commit()


def next_step(instrument: Instrument, answers: Mapping[str, object]) -> int | None:
    """The number (from 1) of the first question still to answer, among those asked; None when all are answered
    and she can review and send."""
    items = items_to_ask(instrument, answers)
    return next((n for n, item in enumerate(items, start=1) if item.key not in answers), None)


def items_to_ask(instrument: Instrument, answers: Mapping[str, object]) -> list[Item]:
    """The items to ask, scored or not (PHQ-9's difficulty question, MIDAS A and B are asked, never added):
    IBS-SSS skips the severity questions after a "no"."""
    skipped = set()
    if answers.get("has_pain") is False:
        skipped |= {"pain_severity", "pain_days"}
    if answers.get("has_distension") is False:
        skipped.add("distension_severity")
    return [item for item in instrument.items if item.key not in skipped]


@dataclass(frozen=True)
class Submitted:
    response: QuestionnaireResponse
    alert: bool  # PHQ-9 item 9 above 0: the practitioner must know


def submit(response: QuestionnaireResponse, today: date) -> Submitted:
    """Score once and store it; move a repeating assignment to its next date, close a one-off; and when an answer
    needs the practitioner's attention, queue her alert in the same transaction."""
    if response.status != ResponseStatus.DRAFT:
        raise ResponseError("This questionnaire has been sent already.")
    instrument = instrument_for(response.code, None, response.version)
    items = items_to_ask(instrument, response.answers)
    missing = [n for n, item in enumerate(items, start=1) if item.required and item.key not in response.answers]
    if missing:
        raise ResponseError(f"Please answer question {missing[0]} first.")
    if instrument.licence == "own":
        result = custom.score_answers(instrument, response.answers)
    else:
        try:
            result = score(response.code, response.answers)
        except AnswerError as error:
            raise ResponseError(str(error)) from None
    if result is not None:
        response.total, response.band = result.total, result.band
        response.subscores, response.flags = dict(result.subscores), list(result.flags)
    response.status, response.submitted_at = ResponseStatus.SUBMITTED.value, utcnow()
    assignment = db.session.get(Assignment, response.assignment_id) if response.assignment_id else None
    if assignment is not None:
        if assignment.every_weeks:
            assignment.next_due = today + timedelta(weeks=assignment.every_weeks)
        else:
            assignment.active = False
    alert = "self_harm_thoughts" in response.flags
    if alert and assignment is not None:
        _queue_alert(response, assignment)
    db.session.commit()
    return Submitted(response, alert=alert)


def _queue_alert(response: QuestionnaireResponse, assignment: Assignment) -> None:
    """An answer that needs her attention today (PHQ-9 item 9 above 0), e-mailed to the practitioner who sent the
    questionnaire, with the submission. The subject and body carry no health data: a link only. Her home page
    shows the flag as well."""
    practitioner = db.session.get_one(User, assignment.assigned_by_id)
    client = db.session.get_one(User, response.client_id)
    send_mail(
        practitioner.email,
        "A client's answers need your attention",
        "questionnaire_alert",
        recipient=practitioner,
        client=client,
        link=absolute_url("questionnaires.client_diary", client_id=client.id),
    )


def submitted_responses(client_id: int) -> list[QuestionnaireResponse]:
    """Her submitted responses, oldest first, without their (encrypted) answers: scores, charts and flags need
    only the stored totals, bands and flags, so nothing is decrypted that the page does not show. Reading
    `answers` of these raises; load them for the few responses shown answer by answer."""
    return list(
        db.session.execute(
            db.select(QuestionnaireResponse)
            .filter_by(client_id=client_id, status=ResponseStatus.SUBMITTED)
            .options(defer(QuestionnaireResponse.answers, raiseload=True))
            .order_by(QuestionnaireResponse.submitted_at)
        ).scalars()
    )


REMIND_AFTER_DAYS = 3


def waiting_assignments(today_for: Callable[[str], date]) -> list[tuple[Assignment, User, str]]:
    """(assignment, client, 'invitation' or 'reminder') for every active assignment now due: the invitation
    on its due day or later, one reminder once it has waited REMIND_AFTER_DAYS unanswered. None for a licensed
    questionnaire on hold without its wording."""
    rows = db.session.execute(
        db.select(Assignment, User).join(User, User.id == Assignment.client_id).filter(Assignment.active.is_(True))
    ).all()
    waiting = []
    for assignment, client in rows:
        today = today_for(client.timezone)
        if assignment.next_due > today or not can_send(assignment.code):
            continue  # on hold without its wording: e-mailed once the wording is loaded
        waiting.append((assignment, client, "invitation"))
        if today >= assignment.next_due + timedelta(days=REMIND_AFTER_DAYS):
            waiting.append((assignment, client, "reminder"))
    return waiting
