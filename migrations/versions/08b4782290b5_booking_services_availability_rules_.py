"""booking: services, availability, rules, bookings

Revision ID: 08b4782290b5
Revises: f6c811906c69
Create Date: 2026-11-24 19:25:20.605496

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "08b4782290b5"
down_revision = "f6c811906c69"
branch_labels = None
depends_on = None


# Bookings in these states hold their time (portal.models.booking.BLOCKING_STATUSES, frozen here).
BLOCKING = "('pending_payment', 'confirmed', 'completed', 'no_show')"
OVERLAP = f"""
    SELECT RAISE(ABORT, 'bookings_no_overlap') WHERE EXISTS (
        SELECT 1 FROM bookings AS b
        WHERE b.practitioner_id = NEW.practitioner_id AND b.id IS NOT NEW.id
          AND b.status IN {BLOCKING}
          AND b.blocked_from < NEW.blocked_until AND NEW.blocked_from < b.blocked_until);
"""


def create_no_overlap_guard():
    """No two blocking bookings of one practitioner may overlap, enforced by the database."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist ("
            "practitioner_id WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&"
            f") WHERE (status IN {BLOCKING})"
        )
    else:
        # SQLite: triggers run inside the write transaction, and SQLite has one writer at a time.
        # A later batch_alter_table on bookings rebuilds the table and drops these: recreate them there.
        op.execute(
            f"CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings "
            f"WHEN NEW.status IN {BLOCKING} BEGIN {OVERLAP} END"
        )
        op.execute(
            f"CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE ON bookings "
            f"WHEN NEW.status IN {BLOCKING} BEGIN {OVERLAP} END"
        )


def drop_no_overlap_guard():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap")
    else:
        op.execute("DROP TRIGGER bookings_no_overlap_insert")
        op.execute("DROP TRIGGER bookings_no_overlap_update")


def upgrade():
    op.create_table(
        "booking_rules",
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_after_minutes", sa.Integer(), nullable=False),
        sa.Column("min_notice_minutes", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("slot_step_minutes", sa.Integer(), nullable=False),
        sa.Column("cancellation_window_hours", sa.Integer(), nullable=False),
        sa.Column("hold_minutes", sa.Integer(), nullable=False),
        sa.Column("reminder_hours", sa.Integer(), nullable=False),
        sa.Column("calendar_feed_token", sa.String(length=64), nullable=True),
        sa.CheckConstraint("buffer_after_minutes BETWEEN 0 AND 240", name=op.f("ck_booking_rules_buffer_after_range")),
        sa.CheckConstraint(
            "buffer_before_minutes BETWEEN 0 AND 240", name=op.f("ck_booking_rules_buffer_before_range")
        ),
        sa.CheckConstraint(
            "cancellation_window_hours BETWEEN 0 AND 336", name=op.f("ck_booking_rules_cancellation_range")
        ),
        sa.CheckConstraint("hold_minutes BETWEEN 5 AND 1440", name=op.f("ck_booking_rules_hold_range")),
        sa.CheckConstraint("horizon_days BETWEEN 1 AND 365", name=op.f("ck_booking_rules_horizon_range")),
        sa.CheckConstraint("min_notice_minutes BETWEEN 0 AND 43200", name=op.f("ck_booking_rules_notice_range")),
        sa.CheckConstraint("reminder_hours BETWEEN 1 AND 168", name=op.f("ck_booking_rules_reminder_range")),
        sa.CheckConstraint("slot_step_minutes BETWEEN 5 AND 240", name=op.f("ck_booking_rules_step_range")),
        sa.ForeignKeyConstraint(["practitioner_id"], ["users.id"], name=op.f("fk_booking_rules_practitioner_id_users")),
        sa.PrimaryKeyConstraint("practitioner_id", name=op.f("pk_booking_rules")),
        sa.UniqueConstraint("calendar_feed_token", name=op.f("uq_booking_rules_calendar_feed_token")),
    )
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("duration_minutes BETWEEN 5 AND 480", name=op.f("ck_services_duration_range")),
        sa.CheckConstraint("price_minor >= 0", name=op.f("ck_services_price_not_negative")),
        sa.ForeignKeyConstraint(["practitioner_id"], ["users.id"], name=op.f("fk_services_practitioner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
    )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_services_practitioner_id"), ["practitioner_id"], unique=False)

    op.create_table(
        "time_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.CheckConstraint("first_day <= last_day", name=op.f("ck_time_off_day_order")),
        sa.ForeignKeyConstraint(["practitioner_id"], ["users.id"], name=op.f("fk_time_off_practitioner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_off")),
    )
    with op.batch_alter_table("time_off", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_off_practitioner_id"), ["practitioner_id"], unique=False)

    op.create_table(
        "working_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name=op.f("ck_working_hours_range_order"),
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_working_hours_weekday_range")),
        sa.ForeignKeyConstraint(["practitioner_id"], ["users.id"], name=op.f("fk_working_hours_practitioner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_hours")),
    )
    with op.batch_alter_table("working_hours", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_working_hours_practitioner_id"), ["practitioner_id"], unique=False)

    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status in ('pending_payment', 'confirmed', 'cancelled', 'completed', 'no_show', 'expired')",
            name=op.f("ck_bookings_status_valid"),
        ),
        sa.CheckConstraint(
            "blocked_from <= starts_at AND blocked_until >= ends_at", name=op.f("ck_bookings_blocked_covers_session")
        ),
        sa.CheckConstraint("price_minor >= 0", name=op.f("ck_bookings_price_not_negative")),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_bookings_time_order")),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_bookings_client_id_users")),
        sa.ForeignKeyConstraint(["practitioner_id"], ["users.id"], name=op.f("fk_bookings_practitioner_id_users")),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_bookings_service_id_services")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("uid", name=op.f("uq_bookings_uid")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bookings_client_id"), ["client_id"], unique=False)
        batch_op.create_index("ix_bookings_practitioner_blocked", ["practitioner_id", "blocked_from"], unique=False)

    op.create_table(
        "booking_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("old_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("new_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_booking_events_actor_id_users")),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_booking_events_booking_id_bookings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_events")),
    )
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_events_booking_id"), ["booking_id"], unique=False)

    op.create_table(
        "sent_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_sent_notifications_booking_id_bookings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_notifications")),
        sa.UniqueConstraint("booking_id", "kind", "key", name="uq_sent_notifications_once"),
    )
    create_no_overlap_guard()


def downgrade():
    drop_no_overlap_guard()
    op.drop_table("sent_notifications")
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_events_booking_id"))

    op.drop_table("booking_events")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_practitioner_blocked")
        batch_op.drop_index(batch_op.f("ix_bookings_client_id"))

    op.drop_table("bookings")
    with op.batch_alter_table("working_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_working_hours_practitioner_id"))

    op.drop_table("working_hours")
    with op.batch_alter_table("time_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_off_practitioner_id"))

    op.drop_table("time_off")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_services_practitioner_id"))

    op.drop_table("services")
    op.drop_table("booking_rules")
