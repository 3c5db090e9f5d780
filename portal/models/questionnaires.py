"""The client's daily diary (questionnaires and responses are to come)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.crypto import EncryptedJSON, EncryptedText
from portal.db_types import UTCDateTime, one_of, utcnow
from portal.extensions import Model


class DiaryEntry(Model):
    """One day of a client's diary; one row per client and day, corrected in place."""

    __tablename__ = "diary_entries"
    __table_args__ = (
        UniqueConstraint("client_id", "day", name="uq_diary_entries_client_day"),
        CheckConstraint("headache in ('none', 'headache', 'migraine')", name="headache_valid"),
        CheckConstraint("intensity BETWEEN 0 AND 10", name="intensity_range"),
        CheckConstraint("headache_minutes BETWEEN 0 AND 1440", name="minutes_range"),
        CheckConstraint("bloating BETWEEN 0 AND 10", name="bloating_range"),
        CheckConstraint("abdominal_pain BETWEEN 0 AND 10", name="pain_range"),
        CheckConstraint("water_glasses BETWEEN 0 AND 40", name="water_range"),
        CheckConstraint("sleep_minutes BETWEEN 0 AND 1440", name="sleep_range"),
        CheckConstraint("sleep_quality BETWEEN 0 AND 10", name="sleep_quality_range"),
        CheckConstraint("stress BETWEEN 0 AND 10", name="stress_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    headache: Mapped[str] = mapped_column(String(10), default="none")
    # The scales are None when she left them alone: "not answered", never 0.
    intensity: Mapped[int | None] = mapped_column(Integer)
    headache_minutes: Mapped[int | None] = mapped_column(Integer)
    took_triptan: Mapped[bool] = mapped_column(Boolean, default=False)
    took_ergot: Mapped[bool] = mapped_column(Boolean, default=False)
    took_opioid: Mapped[bool] = mapped_column(Boolean, default=False)
    took_combination: Mapped[bool] = mapped_column(Boolean, default=False)
    took_simple: Mapped[bool] = mapped_column(Boolean, default=False)
    stool_types: Mapped[list[int]] = mapped_column(JSON, default=list)  # Bristol types, one per movement
    bloating: Mapped[int | None] = mapped_column(Integer)
    abdominal_pain: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(EncryptedText(), default="")  # health free text, encrypted at rest
    # The journal's measures of the day (portal.models.journal): None is "not answered".
    water_glasses: Mapped[int | None] = mapped_column(Integer)
    sleep_minutes: Mapped[int | None] = mapped_column(Integer)  # the night before this day
    sleep_quality: Mapped[int | None] = mapped_column(Integer)  # 0 very poor .. 10 very good
    stress: Mapped[int | None] = mapped_column(Integer)  # 0 none .. 10 extreme
    period: Mapped[bool | None] = mapped_column(Boolean)  # menstrual bleeding today
    all_meals_logged: Mapped[bool] = mapped_column(Boolean, default=False)  # an absent food tag is "not eaten"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Assignment(Model):
    """A questionnaire the practitioner has asked a client to fill in, once or every few weeks."""

    __tablename__ = "questionnaire_assignments"
    __table_args__ = (CheckConstraint("every_weeks IS NULL OR every_weeks BETWEEN 1 AND 52", name="every_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    every_weeks: Mapped[int | None] = mapped_column(Integer)  # None: once
    next_due: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    intake: Mapped[bool] = mapped_column(Boolean, default=False)  # sent with her first booking
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ResponseStatus(enum.StrEnum):
    DRAFT = "draft"  # saved as she goes
    SUBMITTED = "submitted"  # scored and sent to her practitioner


class QuestionnaireResponse(Model):
    """One filling-in of an instrument: a draft saved as she goes, then submitted with its score stored."""

    __tablename__ = "questionnaire_responses"
    __table_args__ = (CheckConstraint(one_of("status", ResponseStatus), name="status_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_assignments.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))  # the instrument version it was answered on
    status: Mapped[str] = mapped_column(String(10), default=ResponseStatus.DRAFT)
    answers: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)  # free text among them: encrypted
    total: Mapped[float | None] = mapped_column()
    band: Mapped[str] = mapped_column(String(40), default="")
    subscores: Mapped[dict] = mapped_column(JSON, default=dict)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    @property
    def submission_time(self) -> datetime:
        """When a submitted response was submitted; asking it of a draft is a mistake (ValueError)."""
        if self.submitted_at is None:
            raise ValueError(f"questionnaire response {self.id} is a draft")
        return self.submitted_at


class SentMessage(Model):
    """A message the jobs command has sent, by kind and key; the unique pair makes it go out once."""

    __tablename__ = "sent_messages"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_sent_messages_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AttentionSummary(Model):
    """What her practitioner's "needs your attention" list says of one client, kept up to date when her diary,
    answers or sessions change (portal/questionnaires/attention.py), so the dashboard reads rows instead of
    recomputing the whole practice. `fresh_until` is when time alone may change it (her midnight, her next
    session's start, an answer leaving the look-back); the worker recomputes rows that reach it."""

    __tablename__ = "attention_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    flags: Mapped[list[dict] | None] = mapped_column(EncryptedJSON)  # [{kind, message}]; None: not computed yet
    flag_count: Mapped[int] = mapped_column(Integer, default=0)
    rank: Mapped[int] = mapped_column(Integer, default=99)  # the most urgent flag's rank (0: alert), for ordering
    fresh_until: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CustomQuestionnaire(Model):
    """A questionnaire the practitioner writes herself. She edits a draft; publishing freezes it as a version."""

    __tablename__ = "custom_questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    sum_score: Mapped[bool] = mapped_column(Boolean, default=False)
    draft_items: Mapped[list[dict]] = mapped_column(JSON, default=list)
    next_key: Mapped[int] = mapped_column(Integer, default=1)  # item keys are never reused across versions
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class CustomQuestionnaireVersion(Model):
    """A published, frozen version; responses keep the number of the version they were answered on."""

    __tablename__ = "custom_questionnaire_versions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "number", name="uq_custom_questionnaire_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("custom_questionnaires.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    sum_score: Mapped[bool] = mapped_column(Boolean, default=False)
    items: Mapped[list[dict]] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
