"""attention summaries: each client's "needs your attention" flags, kept up to date instead of recomputed

Every existing client gets a row that is due at once (flags not computed yet): `flask jobs run`, or the
dashboard itself for a few, computes them. Downgrade drops the table; nothing in it is primary data.

Revision ID: afc0ffee0014
Revises: aec0ffee0013
Create Date: 2026-12-03 07:23:04

"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "afc0ffee0014"
down_revision = "aec0ffee0013"
branch_labels = None
depends_on = None

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def upgrade():
    op.create_table(
        "attention_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Text(), nullable=True),
        sa.Column("flag_count", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("fresh_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_attention_summaries_client_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attention_summaries")),
        sa.UniqueConstraint("client_id", name=op.f("uq_attention_summaries_client_id")),
    )
    with op.batch_alter_table("attention_summaries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attention_summaries_fresh_until"), ["fresh_until"], unique=False)
    bind = op.get_bind()
    clients = bind.execute(sa.text("SELECT id FROM users WHERE role = 'client'")).scalars().all()
    long_ago = LONG_AGO.replace(tzinfo=None) if bind.dialect.name == "sqlite" else LONG_AGO
    summaries = sa.table(
        "attention_summaries",
        sa.column("client_id", sa.Integer),
        sa.column("flag_count", sa.Integer),
        sa.column("rank", sa.Integer),
        sa.column("fresh_until", sa.DateTime(timezone=True)),
    )
    if clients:
        op.bulk_insert(
            summaries, [{"client_id": id_, "flag_count": 0, "rank": 99, "fresh_until": long_ago} for id_ in clients]
        )


def downgrade():
    with op.batch_alter_table("attention_summaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attention_summaries_fresh_until"))
    op.drop_table("attention_summaries")
