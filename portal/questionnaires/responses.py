"""Assigning instruments to a client and her answering them: drafts saved answer by answer, then submitted
with the score computed once and stored (never recomputed silently)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Assignment, Response, User
from portal.questionnaires.instruments import INSTRUMENTS, Instrument, Item, with_licensed_wording
from portal.questionnaires.scoring import AnswerError, score

ASSIGNABLE = ("phq9", "gad7", "midas", "hit6", "ibs_sss", "gsrs")


class ResponseError(ValueError):
    """Something about answering that can't be done; str() says why."""


def assign(client: User, code: str, every_weeks: int | None, starting: date, by: User) -> Assignment:
    if code not in ASSIGNABLE:
        raise ResponseError("Choose one of the questionnaires in the list.")
    if every_weeks is not None and not 1 <= every_weeks <= 52:
        raise ResponseError("Repeat every 1 to 52 weeks, or choose once.")
    assignment = Assignment(client_id=client.id, code=code, every_weeks=every_weeks, next_due=starting,
                            assigned_by_id=by.id)
    db.session.add(assignment)
    db.session.commit()
    return assignment


def due_assignments(client_id: int, today: date) -> list[Assignment]:
    return list(db.session.execute(
        db.select(Assignment).filter(Assignment.client_id == client_id, Assignment.active.is_(True),
                                     Assignment.next_due <= today).order_by(Assignment.next_due)).scalars())


def instrument_for(code: str, licensed_content: dict | None) -> Instrument:
    return with_licensed_wording(code, licensed_content)


def draft_for(assignment: Assignment) -> Response:
    """Her open draft for this assignment, started the first time she opens it."""
    draft = db.session.execute(db.select(Response).filter_by(assignment_id=assignment.id, status="draft")) \
        .scalar_one_or_none()
    if draft is None:
        draft = Response(client_id=assignment.client_id, assignment_id=assignment.id, code=assignment.code,
                         version=INSTRUMENTS[assignment.code].version, answers={})
        db.session.add(draft)
        db.session.commit()
    return draft


def parse_answer(item: Item, raw: str | None) -> object:
    """A submitted form value as the scoring expects it; ResponseError with a message next to the item."""
    if raw is None or raw == "":
        raise ResponseError("Please answer this question.")
    if item.kind == "yes_no":
        if raw not in ("yes", "no"):
            raise ResponseError("Please answer yes or no.")
        return raw == "yes"
    try:
        value = int(raw)
    except ValueError:
        raise ResponseError("Please choose one of the answers.") from None
    if item.options:
        if value not in {o.points for o in item.options}:
            raise ResponseError("Please choose one of the answers.")
    elif not item.low <= value <= item.high:
        raise ResponseError(f"Enter a whole number from {item.low} to {item.high}.")
    return value


def save_answer(response: Response, item: Item, value: object) -> None:
    if response.status != "draft":
        raise ResponseError("This questionnaire has been sent already.")
    response.answers = {**response.answers, item.key: value}
    db.session.commit()


def required_items(instrument: Instrument, answers: Mapping[str, object]) -> list[Item]:
    """The items still to ask: IBS-SSS skips the severity questions after a "no"."""
    skipped = set()
    if answers.get("has_pain") is False:
        skipped |= {"pain_severity", "pain_days"}
    if answers.get("has_distension") is False:
        skipped.add("distension_severity")
    return [item for item in instrument.items if item.key not in skipped and item.scored]


@dataclass(frozen=True)
class Submitted:
    response: Response
    alert: bool  # PHQ-9 item 9 above 0: the practitioner must know


def submit(response: Response, today: date) -> Submitted:
    """Score once and store it; move a repeating assignment to its next date, close a one-off."""
    if response.status != "draft":
        raise ResponseError("This questionnaire has been sent already.")
    instrument = INSTRUMENTS[response.code]
    missing = [item for item in required_items(instrument, response.answers) if item.key not in response.answers]
    if missing:
        raise ResponseError(f"Please answer question {missing[0].key} first.")
    try:
        result = score(response.code, response.answers)
    except AnswerError as error:
        raise ResponseError(str(error)) from None
    response.total, response.band = result.total, result.band
    response.subscores, response.flags = dict(result.subscores), list(result.flags)
    response.status, response.submitted_at = "submitted", utcnow()
    assignment = db.session.get(Assignment, response.assignment_id) if response.assignment_id else None
    if assignment is not None:
        if assignment.every_weeks:
            assignment.next_due = today + timedelta(weeks=assignment.every_weeks)
        else:
            assignment.active = False
    db.session.commit()
    return Submitted(response, alert="self_harm_thoughts" in response.flags)


def submitted_responses(client_id: int) -> list[Response]:
    return list(db.session.execute(
        db.select(Response).filter_by(client_id=client_id, status="submitted")
        .order_by(Response.submitted_at)).scalars())


REMIND_AFTER_DAYS = 3


def waiting_assignments(today_for: Callable[[str], date]) -> list[tuple[Assignment, User, str]]:
    """(assignment, client, 'invitation' or 'reminder') for every active assignment now due: the invitation
    on its due day or later, one reminder once it has waited REMIND_AFTER_DAYS unanswered."""
    rows = db.session.execute(
        db.select(Assignment, User).join(User, User.id == Assignment.client_id)
        .filter(Assignment.active.is_(True))).all()
    waiting = []
    for assignment, client in rows:
        today = today_for(client.timezone)
        if assignment.next_due > today:
            continue
        waiting.append((assignment, client, "invitation"))
        if today >= assignment.next_due + timedelta(days=REMIND_AFTER_DAYS):
            waiting.append((assignment, client, "reminder"))
    return waiting
