"""jobs: sent messages

Revision ID: 986bfca95ddc
Revises: 51b293e5a377
Create Date: 2026-11-24 21:18:14.534663

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "986bfca95ddc"
down_revision = "51b293e5a377"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sent_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_messages")),
        sa.UniqueConstraint("kind", "key", name="uq_sent_messages_kind_key"),
    )


def downgrade():
    op.drop_table("sent_messages")
