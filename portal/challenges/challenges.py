"""Starting, answering, stopping and concluding a challenge: each one transaction, audited (the audit row names
the kind of thing, never the food or the conclusion). And the loaders the pages use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


from portal import audit
from portal.challenges.phases import Phase, Today, ends_on, last_day, phase_on
from portal.challenges.results import ChallengeDiaryDay, PhaseResult, challenge_results
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import (
    Challenge,
    ChallengeDay,
    ChallengeStatus,
    DiaryEntry,
    Protocol,
    ProtocolLine,
    PublishedHandout,
    TriggerTag,
    User,
)
from portal.models.challenges import CONCLUSION_MAX, ELIMINATE_DAYS, REINTRODUCE_DAYS, TITLE_MAX, WATCH_DAYS

DEFAULT_DAYS = (21, 3, 4)  # eliminate, reintroduce, watch
LATEST_START_DAYS = 90  # a challenge may be planned up to this many days ahead
HOME_DAYS_AFTER = 14  # her home page shows a challenge for this long after it ended


class ChallengeError(ValueError):
    """A challenge that can't be started or changed; `field` is the form field the message goes beside."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# What a challenge can be about ------------------------------------------------------------------------------


def tags() -> list[TriggerTag]:
    """The practice's trigger list (not archived), in its order."""
    return list(
        db.session.execute(
            db.select(TriggerTag).filter(TriggerTag.archived_at.is_(None)).order_by(TriggerTag.position, TriggerTag.id)
        ).scalars()
    )


def current_protocol_lines(client_id: int) -> list[ProtocolLine]:
    """The lines of her current protocol: the one of the session whose handout was published last."""
    booking_id = db.session.execute(
        db.select(PublishedHandout.booking_id)
        .filter_by(client_id=client_id)
        .order_by(PublishedHandout.published_at.desc(), PublishedHandout.id.desc())
        .limit(1)
    ).scalar()
    if booking_id is None:
        return []
    return list(
        db.session.execute(
            db.select(ProtocolLine)
            .join(Protocol, Protocol.id == ProtocolLine.protocol_id)
            .filter(Protocol.booking_id == booking_id)
            .order_by(ProtocolLine.position, ProtocolLine.id)
        ).scalars()
    )


def default_food(tag: TriggerTag | None, line: ProtocolLine | None) -> str:
    """The food as the client will read it in a sentence: "dairy", "aged cheese"."""
    label = tag.label if tag is not None else line.title if line is not None else ""
    return label[:1].lower() + label[1:] if label[:2] != label[:2].upper() else label


# Changes ----------------------------------------------------------------------------------------------------


def _check_length(value: int, bounds: tuple[int, int], field: str, what: str) -> None:
    if not bounds[0] <= value <= bounds[1]:
        raise ChallengeError(f"{what} must be {bounds[0]} to {bounds[1]} days.", field)


def _overlapping(client_id: int, tag_id: int | None, line_id: int | None, first: date, last: date) -> bool:
    query = db.select(Challenge).filter_by(client_id=client_id, status=ChallengeStatus.ACTIVE)
    query = (
        query.filter(Challenge.tag_id == tag_id) if tag_id is not None else query.filter_by(protocol_line_id=line_id)
    )
    return any(first <= last_day(c) and c.starts_on <= last for c in db.session.execute(query).scalars())


def start_challenge(
    client: User,
    practitioner: User,
    *,
    tag_id: int | None,
    protocol_line_id: int | None,
    title: str,
    eliminate_days: int,
    reintroduce_days: int,
    watch_days: int,
    starts_on: date,
    today: date,
) -> Challenge:
    """Start a challenge of a trigger tag or a line of her current protocol (`today` is the client's)."""
    tag = db.session.get(TriggerTag, tag_id) if tag_id is not None else None
    if tag_id is not None and (tag is None or tag.archived_at is not None):
        raise ChallengeError("Choose a food from the list.", "tag_id")
    line = None
    if protocol_line_id is not None:
        line = next((li for li in current_protocol_lines(client.id) if li.id == protocol_line_id), None)
        if line is None:
            raise ChallengeError("Choose an item of her current protocol.", "protocol_line_id")
    if tag is None and line is None:
        raise ChallengeError("Choose a food from the list or an item of her protocol.", "tag_id")
    title = " ".join(title.split()) or default_food(tag, line)
    if len(title) > TITLE_MAX:
        raise ChallengeError(f"Keep the food's name to {TITLE_MAX} characters.", "title")
    _check_length(eliminate_days, ELIMINATE_DAYS, "eliminate_days", "Leaving it out")
    _check_length(reintroduce_days, REINTRODUCE_DAYS, "reintroduce_days", "Bringing it back")
    _check_length(watch_days, WATCH_DAYS, "watch_days", "Watching")
    if starts_on < today:
        raise ChallengeError("Start today or later.", "starts_on")
    if starts_on > today + timedelta(days=LATEST_START_DAYS):
        raise ChallengeError(f"Start within the next {LATEST_START_DAYS} days.", "starts_on")
    challenge = Challenge(
        client_id=client.id,
        practitioner_id=practitioner.id,
        tag_id=tag.id if tag is not None else None,
        protocol_line_id=line.id if line is not None else None,
        title=title,
        eliminate_days=eliminate_days,
        reintroduce_days=reintroduce_days,
        watch_days=watch_days,
        starts_on=starts_on,
        status=ChallengeStatus.ACTIVE.value,
        conclusion="",
    )
    if _overlapping(client.id, challenge.tag_id, challenge.protocol_line_id, starts_on, last_day(challenge)):
        raise ChallengeError("She already has a challenge of this food at that time.", "starts_on")
    db.session.add(challenge)
    db.session.flush()
    audit.record("create", client.id, "challenge", challenge.id)
    db.session.commit()
    return challenge


def record_answer(challenge: Challenge, day: date, ate: bool, today: date) -> ChallengeDay:
    """Her answer to "did you have it today?" for a day of the challenge (today or a past day of it)."""
    if day > today:
        raise ChallengeError("You can't answer for a day that hasn't happened yet.", "ate")
    if not challenge.starts_on <= day <= ends_on(challenge):
        raise ChallengeError("That day is not part of the challenge.", "ate")
    found = db.session.execute(
        db.select(ChallengeDay).filter_by(challenge_id=challenge.id, day=day)
    ).scalar_one_or_none()
    answer = found or ChallengeDay(challenge_id=challenge.id, client_id=challenge.client_id, day=day)
    answer.ate = ate
    db.session.add(answer)
    db.session.flush()
    audit.record("change", challenge.client_id, "challenge_day", answer.id)
    db.session.commit()
    return answer


def can_stop(challenge: Challenge, today: date) -> bool:
    return challenge.status == ChallengeStatus.ACTIVE and today <= last_day(challenge)


def can_conclude(challenge: Challenge, today: date) -> bool:
    """Once the watch phase is over, or after stopping (and again, to correct it)."""
    return challenge.status != ChallengeStatus.ACTIVE or today > last_day(challenge)


def stop_challenge(challenge: Challenge, today: date) -> None:
    """Stop it early: today is the last day it ran."""
    if not can_stop(challenge, today):
        raise ChallengeError("This challenge has already ended.")
    challenge.status, challenge.stopped_on, challenge.ended_at = ChallengeStatus.STOPPED.value, today, utcnow()
    audit.record("change", challenge.client_id, "challenge", challenge.id)
    db.session.commit()


def conclude(challenge: Challenge, conclusion: str, today: date) -> None:
    """Record the practitioner's conclusion; a challenge that ran its course is then ended."""
    if not can_conclude(challenge, today):
        raise ChallengeError("You can write your conclusion once the watch days are over, or after stopping it.")
    conclusion = conclusion.strip()
    if not conclusion:
        raise ChallengeError("Write what the challenge showed.", "conclusion")
    if len(conclusion) > CONCLUSION_MAX:
        raise ChallengeError(f"Keep it to {CONCLUSION_MAX:,} characters.", "conclusion")
    challenge.conclusion = conclusion
    if challenge.status == ChallengeStatus.ACTIVE:
        challenge.status = ChallengeStatus.ENDED.value
    challenge.ended_at = challenge.ended_at or utcnow()
    audit.record("change", challenge.client_id, "challenge", challenge.id)
    db.session.commit()


# Reading ----------------------------------------------------------------------------------------------------


def challenges_of(client_id: int) -> list[Challenge]:
    """Her challenges, newest first."""
    return list(
        db.session.execute(
            db.select(Challenge)
            .filter_by(client_id=client_id)
            .order_by(Challenge.starts_on.desc(), Challenge.id.desc())
        ).scalars()
    )


@dataclass(frozen=True)
class Current:
    challenge: Challenge
    today: Today
    answered: bool | None  # her answer for today (None: not answered, or not asked today)


def _answers(challenge_ids: list[int]) -> dict[int, dict[date, bool]]:
    found: dict[int, dict[date, bool]] = {}
    if challenge_ids:
        for challenge_id, day, ate in db.session.execute(
            db.select(ChallengeDay.challenge_id, ChallengeDay.day, ChallengeDay.ate).filter(
                ChallengeDay.challenge_id.in_(challenge_ids)
            )
        ):
            found.setdefault(challenge_id, {})[day] = ate
    return found


def on_home(client_id: int, today: date) -> list[Current]:
    """Her challenges for her home page: planned, running, or ended in the last two weeks."""
    shown = [c for c in challenges_of(client_id) if ends_on(c) >= today - timedelta(days=HOME_DAYS_AFTER)]
    answers = _answers([c.id for c in shown])
    return [Current(c, phase_on(c, today), answers.get(c.id, {}).get(today)) for c in shown]


def asked_on(client_id: int, day: date) -> list[Current]:
    """The challenges whose question her diary asks for `day`: those running on it."""
    running = [c for c in challenges_of(client_id) if c.starts_on <= day <= ends_on(c)]
    answers = _answers([c.id for c in running])
    return [Current(c, phase_on(c, day), answers.get(c.id, {}).get(day)) for c in running]


def diary_days(client_id: int, first: date, last: date) -> list[ChallengeDiaryDay]:
    rows = db.session.execute(
        db.select(
            DiaryEntry.day, DiaryEntry.headache, DiaryEntry.intensity, DiaryEntry.bloating, DiaryEntry.stool_types
        ).filter(DiaryEntry.client_id == client_id, DiaryEntry.day >= first, DiaryEntry.day <= last)
    ).all()
    return [ChallengeDiaryDay(r[0], r[1], r[2], r[3], tuple(r[4] or ())) for r in rows]


def results_of(challenge: Challenge, today: date) -> list[PhaseResult]:
    """Each phase's figures so far (three queries: diary days, her answers)."""
    days = diary_days(challenge.client_id, challenge.starts_on, min(today, ends_on(challenge)))
    return challenge_results(challenge, days, _answers([challenge.id]).get(challenge.id, {}), today)


def finished(challenge: Challenge, today: date) -> bool:
    return phase_on(challenge, today).phase == Phase.ENDED


def for_client(challenge_id: int, client_id: int) -> Challenge | None:
    return db.session.execute(db.select(Challenge).filter_by(id=challenge_id, client_id=client_id)).scalar_one_or_none()


def with_client(challenge_id: int, scope) -> Challenge | None:
    """The challenge, if `scope(Challenge.client_id)` allows its client (portal.access.visible_clients)."""
    return db.session.execute(
        db.select(Challenge).filter(Challenge.id == challenge_id, scope(Challenge.client_id))
    ).scalar_one_or_none()


CASE_FILE_CHALLENGES = 5


def in_case_file(client_id: int, today: date) -> list[Current]:
    """Her latest challenges with where each stands today, for the case file."""
    return [Current(c, phase_on(c, today, "her"), None) for c in challenges_of(client_id)[:CASE_FILE_CHALLENGES]]
