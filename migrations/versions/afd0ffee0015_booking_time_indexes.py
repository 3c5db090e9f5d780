"""booking time indexes: agendas, reminders and a client's next and last session read bookings by start time

Without them each of those pages scanned every booking of the practice (20,000 at two years of a busy one).

Revision ID: afd0ffee0015
Revises: afc0ffee0014
Create Date: 2026-12-03 08:10:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "afd0ffee0015"
down_revision = "afc0ffee0014"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_bookings_practitioner_starts": ["practitioner_id", "starts_at"],
    "ix_bookings_client_starts": ["client_id", "starts_at"],
    "ix_bookings_starts_at": ["starts_at"],
}


def upgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
