"""diary scales not answered: intensity, headache hours, bloating and tummy pain may be left empty

A scale she left alone is "not answered", not 0. Existing values are kept as they are (a 0 saved before this
stays a 0: nobody can tell now whether it was chosen). Downgrade writes 0 where nothing was answered.

Revision ID: c05ffee0023
Revises: c02ffee0020
Create Date: 2026-12-03 11:55:00.000000

"""

from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c05ffee0023"
down_revision = "c02ffee0020"
branch_labels = None
depends_on = None

COLUMNS = ("intensity", "headache_minutes", "bloating", "abdominal_pain")


def upgrade():
    with _sqlite_foreign_keys_off(), op.batch_alter_table("diary_entries", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=True)


# c00ffee0018's range CHECKs, as it wrote them: inside each ADD COLUMN, so that its downgrade can drop them.
JOURNAL_RANGES = (
    ("water_glasses", 0, 40, "water_range"),
    ("sleep_minutes", 0, 1440, "sleep_range"),
    ("sleep_quality", 0, 10, "sleep_quality_range"),
    ("stress", 0, 10, "stress_range"),
)


def downgrade():
    for column in COLUMNS:
        op.execute(f"UPDATE diary_entries SET {column} = 0 WHERE {column} IS NULL")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with _sqlite_foreign_keys_off(), op.batch_alter_table("diary_entries", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=False)
        if sqlite:  # the rebuild made them table CHECKs, which SQLite's DROP COLUMN refuses: written again below
            for _, _, _, name in JOURNAL_RANGES:
                batch_op.drop_constraint(op.f(f"ck_diary_entries_{name}"), type_="check")
    if sqlite:
        for column, low, high, name in JOURNAL_RANGES:
            op.execute(f"ALTER TABLE diary_entries RENAME COLUMN {column} TO {column}_old")
            op.execute(
                f"ALTER TABLE diary_entries ADD COLUMN {column} INTEGER "
                f"CONSTRAINT ck_diary_entries_{name} CHECK ({column} BETWEEN {low} AND {high})"
            )
            op.execute(f"UPDATE diary_entries SET {column} = {column}_old")
            op.execute(f"ALTER TABLE diary_entries DROP COLUMN {column}_old")


@contextmanager
def _sqlite_foreign_keys_off():
    """SQLite rebuilds diary_entries to change a column (batch mode) while meals, day tags and supplement ticks
    point at it: foreign keys are switched off meanwhile, which SQLite allows only outside a transaction."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if sqlite:
            with op.get_context().autocommit_block():
                op.execute("PRAGMA foreign_keys = ON")
