"""Elimination and reintroduction challenges: an n-of-1 trial of one food (a trigger tag) or one protocol item.

A `Challenge` runs in three phases from `starts_on` (a date in the client's zone): leave the food out for
`eliminate_days`, have it again for `reintroduce_days`, then leave it out and watch for `watch_days`. Its
title names the food in the practitioner's words and her conclusion is health text: both are encrypted.
`ChallengeDay` is her answer, for one day, to the diary's "did you have any <food> today?".
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.crypto import EncryptedText
from portal.db_types import UTCDateTime, one_of, utcnow
from portal.extensions import Model

ELIMINATE_DAYS = (7, 42)  # the shortest and longest phase each may be, in days
REINTRODUCE_DAYS = (1, 7)
WATCH_DAYS = (1, 14)
TITLE_MAX = 120
CONCLUSION_MAX = 4000


class ChallengeStatus(enum.StrEnum):
    ACTIVE = "active"  # started, running or finished and waiting for her conclusion
    ENDED = "ended"  # ran its course and the practitioner recorded her conclusion
    STOPPED = "stopped"  # stopped early


class Challenge(Model):
    __tablename__ = "challenges"
    __table_args__ = (
        CheckConstraint(one_of("status", ChallengeStatus), name="status_valid"),
        CheckConstraint(f"eliminate_days BETWEEN {ELIMINATE_DAYS[0]} AND {ELIMINATE_DAYS[1]}", name="eliminate_range"),
        CheckConstraint(
            f"reintroduce_days BETWEEN {REINTRODUCE_DAYS[0]} AND {REINTRODUCE_DAYS[1]}", name="reintroduce_range"
        ),
        CheckConstraint(f"watch_days BETWEEN {WATCH_DAYS[0]} AND {WATCH_DAYS[1]}", name="watch_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("trigger_tags.id"))
    protocol_line_id: Mapped[int | None] = mapped_column(ForeignKey("protocol_lines.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(EncryptedText())  # the food in her words: "dairy"
    eliminate_days: Mapped[int] = mapped_column(Integer)
    reintroduce_days: Mapped[int] = mapped_column(Integer)
    watch_days: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)  # the first day without the food, in the client's zone
    status: Mapped[str] = mapped_column(String(10), default=ChallengeStatus.ACTIVE.value)
    conclusion: Mapped[str] = mapped_column(EncryptedText(), default="")  # the practitioner's: health text
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # concluded or stopped
    stopped_on: Mapped[date | None] = mapped_column(Date)  # the last day it ran, when stopped early
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:  # never the title or the conclusion
        return f"<Challenge {self.id} client={self.client_id} {self.status}>"


class ChallengeDay(Model):
    """Whether she had the challenged food on one day (her answer; no row: not answered)."""

    __tablename__ = "challenge_days"
    __table_args__ = (UniqueConstraint("challenge_id", "day", name="uq_challenge_days_challenge_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    ate: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
