"""cases: note templates, notes and amendments

Revision ID: a6c0ffee0062
Revises: a6c0ffee0061
Create Date: 2026-11-25 08:45:00

Note bodies, their context and amendments are EncryptedText (Fernet tokens in Text columns). Every table
that holds a client's data carries client_id; amendments also go with their note (ON DELETE CASCADE).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a6c0ffee0062"
down_revision = "a6c0ffee0061"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "note_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("shipped_key", sa.String(length=40), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_note_templates_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_templates")),
    )
    with op.batch_alter_table("note_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_templates_practitioner_id"), ["practitioner_id"], unique=False)

    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status = 'draft' OR (signed_at IS NOT NULL AND signed_by_id IS NOT NULL AND content_hash IS NOT NULL)",
            name=op.f("ck_notes_signed_has_seal"),
        ),
        sa.CheckConstraint("status in ('draft', 'signed')", name=op.f("ck_notes_status_valid")),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_notes_revision_positive")),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_notes_booking_id_bookings"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_notes_client_id_users")),
        sa.ForeignKeyConstraint(["practitioner_id"], ["users.id"], name=op.f("fk_notes_practitioner_id_users")),
        sa.ForeignKeyConstraint(["signed_by_id"], ["users.id"], name=op.f("fk_notes_signed_by_id_users")),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["note_templates.id"],
            name=op.f("fk_notes_template_id_note_templates"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index("ix_notes_client_created", ["client_id", "created_at"], unique=False)

    op.create_table(
        "note_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_note_amendments_author_id_users")),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_note_amendments_client_id_users")),
        sa.ForeignKeyConstraint(
            ["note_id"], ["notes.id"], name=op.f("fk_note_amendments_note_id_notes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_amendments")),
        sa.UniqueConstraint("note_id", "number", name="uq_note_amendments_note_number"),
    )
    with op.batch_alter_table("note_amendments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_amendments_client_id"), ["client_id"], unique=False)


def downgrade():
    with op.batch_alter_table("note_amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_amendments_client_id"))

    op.drop_table("note_amendments")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index("ix_notes_client_created")
        batch_op.drop_index(batch_op.f("ix_notes_booking_id"))

    op.drop_table("notes")
    with op.batch_alter_table("note_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_templates_practitioner_id"))

    op.drop_table("note_templates")
