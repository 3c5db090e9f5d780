"""handouts: protocol library, protocols, published handouts

Revision ID: a7c0ffee0007
Revises: a6c0ffee0062
Create Date: 2026-11-25 08:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a7c0ffee0007"
down_revision = "a6c0ffee0062"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "handout_settings",
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("practice_name", sa.String(length=120), nullable=False),
        sa.Column("accent_colour", sa.String(length=7), nullable=False),
        sa.Column("disclaimer", sa.Text(), nullable=False),
        sa.Column("paper_size", sa.String(length=10), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_content_type", sa.String(length=40), nullable=False),
        sa.Column("logo_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("paper_size in ('A4', 'Letter')", name=op.f("ck_handout_settings_paper_size_valid")),
        sa.CheckConstraint("length(accent_colour) = 7", name=op.f("ck_handout_settings_accent_colour_hex")),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_handout_settings_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("practitioner_id", name=op.f("pk_handout_settings")),
    )
    op.create_table(
        "protocol_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("dose", sa.String(length=120), nullable=False),
        sa.Column("timing", sa.String(length=120), nullable=False),
        sa.Column("duration", sa.String(length=120), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category in ('diet', 'supplement', 'lifestyle', 'test', 'other')",
            name=op.f("ck_protocol_items_category_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_protocol_items_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_items")),
    )
    with op.batch_alter_table("protocol_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protocol_items_practitioner_id"), ["practitioner_id"], unique=False)

    op.create_table(
        "protocols",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("focus_points", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_protocols_booking_id_bookings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_protocols_client_id_users")),
        sa.ForeignKeyConstraint(["practitioner_id"], ["users.id"], name=op.f("fk_protocols_practitioner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocols")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_protocols_booking_id")),
    )
    with op.batch_alter_table("protocols", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protocols_client_id"), ["client_id"], unique=False)

    op.create_table(
        "protocol_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("library_item_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("dose", sa.String(length=120), nullable=False),
        sa.Column("timing", sa.String(length=120), nullable=False),
        sa.Column("duration", sa.String(length=120), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "category in ('diet', 'supplement', 'lifestyle', 'test', 'other')",
            name=op.f("ck_protocol_lines_category_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["library_item_id"],
            ["protocol_items.id"],
            name=op.f("fk_protocol_lines_library_item_id_protocol_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"], ["protocols.id"], name=op.f("fk_protocol_lines_protocol_id_protocols"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_lines")),
    )
    with op.batch_alter_table("protocol_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protocol_lines_protocol_id"), ["protocol_id"], unique=False)

    op.create_table(
        "handouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("session_title", sa.String(length=200), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_handouts_version_positive")),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_handouts_booking_id_bookings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_handouts_client_id_users")),
        sa.ForeignKeyConstraint(["practitioner_id"], ["users.id"], name=op.f("fk_handouts_practitioner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handouts")),
        sa.UniqueConstraint("booking_id", "version", name="uq_handouts_booking_version"),
        sa.UniqueConstraint("storage_key", name=op.f("uq_handouts_storage_key")),
    )
    with op.batch_alter_table("handouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handouts_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_handouts_client_id"), ["client_id"], unique=False)

    op.create_table(
        "stored_files",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_stored_files_client_id_users")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stored_files")),
    )
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_files_client_id"), ["client_id"], unique=False)


def downgrade():
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_files_client_id"))
    op.drop_table("stored_files")
    with op.batch_alter_table("handouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handouts_client_id"))
        batch_op.drop_index(batch_op.f("ix_handouts_booking_id"))
    op.drop_table("handouts")
    with op.batch_alter_table("protocol_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protocol_lines_protocol_id"))
    op.drop_table("protocol_lines")
    with op.batch_alter_table("protocols", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protocols_client_id"))
    op.drop_table("protocols")
    with op.batch_alter_table("protocol_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protocol_items_practitioner_id"))
    op.drop_table("protocol_items")
    op.drop_table("handout_settings")
