"""where sessions happen: each service in person, by phone or by video; a practice address; a per-booking room link

Every existing service becomes "in person" (the column's default), with no room link and no address of its own;
every practitioner's practice address starts empty; no booking has a room link of its own.

The location kind's CHECK is written into the ADD COLUMN itself: SQLite can add a column with its own CHECK in
place, where adding a table CHECK afterwards would mean rebuilding `services`, which `bookings` references. Both
databases name it ck_services_location_kind_valid, as the model does. Downgrade drops the new columns (SQLite
3.35 and later drop a column in place).

Revision ID: b03ffee0017
Revises: b02ffee0016
Create Date: 2026-12-03 07:48:40

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b03ffee0017"
down_revision = "b02ffee0016"
branch_labels = None
depends_on = None

LOCATION_KINDS = ("in_person", "phone", "video")  # portal.models.booking.LocationKind when this was written


def upgrade():
    kinds = ", ".join(f"'{kind}'" for kind in LOCATION_KINDS)
    op.execute(
        "ALTER TABLE services ADD COLUMN location_kind VARCHAR(20) DEFAULT 'in_person' NOT NULL "
        f"CONSTRAINT ck_services_location_kind_valid CHECK (location_kind in ({kinds}))"
    )
    op.add_column("services", sa.Column("video_url", sa.String(length=500), nullable=False, server_default=""))
    op.add_column("services", sa.Column("address", sa.String(length=300), nullable=False, server_default=""))
    op.add_column("booking_rules", sa.Column("address", sa.String(length=300), nullable=False, server_default=""))
    op.add_column("bookings", sa.Column("video_url", sa.String(length=500), nullable=True))


def downgrade():
    for table, column in (
        ("bookings", "video_url"),
        ("booking_rules", "address"),
        ("services", "address"),
        ("services", "video_url"),
        ("services", "location_kind"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
