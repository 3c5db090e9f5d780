"""questionnaires: diary entries

Revision ID: c1a1aef89c1a
Revises: 889b5b61c605
Create Date: 2026-11-24 20:51:35.139704

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c1a1aef89c1a"
down_revision = "889b5b61c605"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "diary_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("headache", sa.String(length=10), nullable=False),
        sa.Column("intensity", sa.Integer(), nullable=False),
        sa.Column("headache_minutes", sa.Integer(), nullable=False),
        sa.Column("took_triptan", sa.Boolean(), nullable=False),
        sa.Column("took_ergot", sa.Boolean(), nullable=False),
        sa.Column("took_opioid", sa.Boolean(), nullable=False),
        sa.Column("took_combination", sa.Boolean(), nullable=False),
        sa.Column("took_simple", sa.Boolean(), nullable=False),
        sa.Column("stool_types", sa.JSON(), nullable=False),
        sa.Column("bloating", sa.Integer(), nullable=False),
        sa.Column("abdominal_pain", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "headache in ('none', 'headache', 'migraine')", name=op.f("ck_diary_entries_headache_valid")
        ),
        sa.CheckConstraint("abdominal_pain BETWEEN 0 AND 10", name=op.f("ck_diary_entries_pain_range")),
        sa.CheckConstraint("bloating BETWEEN 0 AND 10", name=op.f("ck_diary_entries_bloating_range")),
        sa.CheckConstraint("headache_minutes BETWEEN 0 AND 1440", name=op.f("ck_diary_entries_minutes_range")),
        sa.CheckConstraint("intensity BETWEEN 0 AND 10", name=op.f("ck_diary_entries_intensity_range")),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_diary_entries_client_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diary_entries")),
        sa.UniqueConstraint("client_id", "day", name="uq_diary_entries_client_day"),
    )
    with op.batch_alter_table("diary_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_diary_entries_client_id"), ["client_id"], unique=False)


def downgrade():
    with op.batch_alter_table("diary_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diary_entries_client_id"))

    op.drop_table("diary_entries")
