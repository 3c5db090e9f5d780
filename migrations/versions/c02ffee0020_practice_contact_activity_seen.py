"""practice contact details (phone, e-mail, registration; one row) and when each team member last looked at the
dashboard's "what happened"

New tables, and an index on booking_events.at so the feed reads the newest events without reading them all;
downgrade drops them.

Revision ID: c02ffee0020
Revises: c07ffee0025
Create Date: 2026-12-03 11:50:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c02ffee0020"
down_revision = "c07ffee0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "practice_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("registration", sa.String(length=300), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_practice_contact_single_row")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_practice_contact_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_contact")),
    )
    op.create_table(
        "activity_seen",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_activity_seen_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_activity_seen")),
    )
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_events_at"), ["at"], unique=False)


def downgrade():
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_events_at"))
    op.drop_table("activity_seen")
    op.drop_table("practice_contact")
