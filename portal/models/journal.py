"""The food and trigger journal: what a client ate, and what she took, beside her diary day.

- `TriggerTag` is the practice's trigger list (foods, FODMAP groups, habits): the built-in ones from the
  migration, and the practitioner's own. A tag is never deleted once used; it is archived.
- `DiaryMeal` is one meal, snack or drink of a diary day: what it was in her words (encrypted) and its tags.
  `DiaryMealPhoto` is its optional photo, re-encoded without metadata, encrypted at rest.
- `DiaryDayTag` holds a day's tags that belong to no meal ("skipped a meal", "ate late", or a tag she
  ticked for the day).
- `SupplementDose` is her tick, taken or not, for one supplement line of her current protocol on one day.

A day's tag set is the union of its meals' tags and its day tags. The day's other new measures (water,
sleep, stress, period, "I logged all my meals today") are columns of `DiaryEntry`. Only a day marked
`all_meals_logged` says anything about a food tag being absent; other days count for no food tag.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.crypto import EncryptedBytes, EncryptedText
from portal.db_types import UTCDateTime, one_of, utcnow
from portal.extensions import Model

DESCRIPTION_MAX = 500
TAG_LABEL_MAX = 60


class TagGroup(enum.StrEnum):
    FOOD = "food"
    FODMAP = "fodmap"  # the high-FODMAP groups (Monash University's groupings)
    HABIT = "habit"  # skipped a meal, ate late: about the day, not a food


class MealKind(enum.StrEnum):
    BREAKFAST = "breakfast"
    LUNCH = "lunch"
    DINNER = "dinner"
    SNACK = "snack"
    DRINK = "drink"


class TriggerTag(Model):
    """One entry of the practice's trigger list."""

    __tablename__ = "trigger_tags"
    __table_args__ = (CheckConstraint(one_of("tag_group", TagGroup), name="tag_group_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # stable: "aged_cheese", or "own_12"
    label: Mapped[str] = mapped_column(String(TAG_LABEL_MAX))  # in her words: "Aged cheese"
    tag_group: Mapped[str] = mapped_column(String(10), default=TagGroup.FOOD.value)
    position: Mapped[int] = mapped_column(Integer, default=0)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DiaryMealTag(Model):
    __tablename__ = "diary_meal_tags"

    meal_id: Mapped[int] = mapped_column(ForeignKey("diary_meals.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("trigger_tags.id"), primary_key=True, index=True)


class DiaryMeal(Model):
    """One meal, snack or drink of a diary day."""

    __tablename__ = "diary_meals"
    __table_args__ = (CheckConstraint(one_of("kind", MealKind), name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entries.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(EncryptedText(), default="")  # in her words: health text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    tags: Mapped[list[TriggerTag]] = relationship(
        secondary="diary_meal_tags", lazy="raise", order_by=TriggerTag.position
    )

    def __repr__(self) -> str:  # never the description
        return f"<DiaryMeal {self.id} entry={self.entry_id} {self.kind}>"


class DiaryMealPhoto(Model):
    """A meal's photo: checked by content, re-encoded without EXIF, encrypted at rest."""

    __tablename__ = "diary_meal_photos"
    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meal_id: Mapped[int] = mapped_column(ForeignKey("diary_meals.id", ondelete="CASCADE"), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))  # SHA-256 of the stored plain bytes, hex
    content: Mapped[bytes] = mapped_column(EncryptedBytes(), deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DiaryDayTag(Model):
    """A tag of the whole day, belonging to no meal."""

    __tablename__ = "diary_day_tags"

    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entries.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("trigger_tags.id"), primary_key=True, index=True)


class SupplementDose(Model):
    """Whether she took one supplement of her current protocol on one day."""

    __tablename__ = "supplement_doses"
    __table_args__ = (UniqueConstraint("entry_id", "protocol_line_id", name="uq_supplement_doses_entry_line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entries.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    protocol_line_id: Mapped[int] = mapped_column(ForeignKey("protocol_lines.id", ondelete="CASCADE"), index=True)
    taken: Mapped[bool] = mapped_column(Boolean)


# The practice's starting trigger list: (code, label, group). The migration writes these rows.
BUILTIN_TAGS: tuple[tuple[str, str, str], ...] = (
    ("caffeine", "Caffeine", "food"),
    ("alcohol", "Alcohol", "food"),
    ("aged_cheese", "Aged cheese", "food"),
    ("chocolate", "Chocolate", "food"),
    ("citrus", "Citrus fruit", "food"),
    ("cured_meats", "Cured meats", "food"),
    ("msg", "MSG", "food"),
    ("sweeteners", "Artificial sweeteners", "food"),
    ("gluten", "Gluten", "food"),
    ("dairy", "Dairy", "food"),
    ("histamine", "Histamine-rich foods", "food"),
    ("fructans", "Fructans (wheat, onion, garlic)", "fodmap"),
    ("gos", "GOS (beans, lentils)", "fodmap"),
    ("lactose", "Lactose (milk, soft cheese)", "fodmap"),
    ("excess_fructose", "Excess fructose (honey, apple)", "fodmap"),
    ("polyols", "Polyols (stone fruit, mushrooms)", "fodmap"),
    ("skipped_meal", "Skipped a meal", "habit"),
    ("ate_late", "Ate late", "habit"),
)
