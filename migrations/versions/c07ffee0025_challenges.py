"""challenges: elimination and reintroduction challenges and her daily answer to "did you have it today?"

Two new tables; the title and the conclusion are encrypted text. Downgrade drops them.

Revision ID: c07ffee0025
Revises: c08ffee0026
Create Date: 2026-12-03 12:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c07ffee0025"
down_revision = "c08ffee0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=True),
        sa.Column("protocol_line_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("eliminate_days", sa.Integer(), nullable=False),
        sa.Column("reintroduce_days", sa.Integer(), nullable=False),
        sa.Column("watch_days", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status in ('active', 'ended', 'stopped')", name=op.f("ck_challenges_status_valid")),
        sa.CheckConstraint("eliminate_days BETWEEN 7 AND 42", name=op.f("ck_challenges_eliminate_range")),
        sa.CheckConstraint("reintroduce_days BETWEEN 1 AND 7", name=op.f("ck_challenges_reintroduce_range")),
        sa.CheckConstraint("watch_days BETWEEN 1 AND 14", name=op.f("ck_challenges_watch_range")),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_challenges_client_id_users")),
        sa.ForeignKeyConstraint(["practitioner_id"], ["users.id"], name=op.f("fk_challenges_practitioner_id_users")),
        sa.ForeignKeyConstraint(
            ["protocol_line_id"],
            ["protocol_lines.id"],
            name=op.f("fk_challenges_protocol_line_id_protocol_lines"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["trigger_tags.id"], name=op.f("fk_challenges_tag_id_trigger_tags")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenges")),
    )
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenges_client_id"), ["client_id"], unique=False)

    op.create_table(
        "challenge_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ate", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_days_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_challenge_days_client_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_days")),
        sa.UniqueConstraint("challenge_id", "day", name="uq_challenge_days_challenge_day"),
    )
    with op.batch_alter_table("challenge_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_days_challenge_id"), ["challenge_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_challenge_days_client_id"), ["client_id"], unique=False)


def downgrade():
    with op.batch_alter_table("challenge_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_days_client_id"))
        batch_op.drop_index(batch_op.f("ix_challenge_days_challenge_id"))
    op.drop_table("challenge_days")
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenges_client_id"))
    op.drop_table("challenges")
