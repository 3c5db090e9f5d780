"""cases: encrypted health text, audit trail, client profiles

Revision ID: a6c0ffee0061
Revises: a5c0ffee0005
Create Date: 2026-11-25 08:45:00

Also encrypts the free text already stored (diary notes; booking-history notes such as cancellation reasons;
payment notes and refund reasons, which become Text to hold the longer tokens) with the app's ENCRYPTION_KEYS,
decrypting it again on downgrade, and makes the audit table refuse changes: on PostgreSQL a row trigger refuses
UPDATE and DELETE (TRUNCATE, which the test suite uses to empty tables, fires no row trigger); SQLite refuses UPDATE.
"""

from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa

from portal.crypto import decrypt_text, encrypt_text


# revision identifiers, used by Alembic.
revision = "a6c0ffee0061"
down_revision = "a5c0ffee0005"
branch_labels = None
depends_on = None

AUDIT_REFUSAL = "audit_events rows are never changed or deleted"
# Free-text columns that were plain String(300) and are now encrypted Text.
WIDENED = (("booking_events", "note"), ("payments", "note"), ("refunds", "reason"))


def upgrade():
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("what", sa.String(length=40), nullable=False),
        sa.Column("what_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "action in ('view', 'create', 'change', 'sign', 'amend', 'export', 'download', 'erase')",
            name=op.f("ck_audit_events_action_valid"),
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_events_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_client_id"), ["client_id"], unique=False)

    op.create_table(
        "client_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("medication", sa.Text(), nullable=False),
        sa.Column("supplements", sa.Text(), nullable=False),
        sa.Column("allergies", sa.Text(), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("gp_name", sa.Text(), nullable=False),
        sa.Column("gp_practice", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_client_profiles_client_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_profiles")),
        sa.UniqueConstraint("client_id", name=op.f("uq_client_profiles_client_id")),
    )
    op.create_table(
        "profile_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("fields", sa.String(length=300), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_profile_changes_actor_id_users")),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_profile_changes_client_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_changes")),
    )
    with op.batch_alter_table("profile_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profile_changes_client_id"), ["client_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{AUDIT_REFUSAL}';
            END;
            $$""")
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSAL}'); END"
        )

    with _sqlite_foreign_keys_off():
        for table, column in WIDENED:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.alter_column(
                    column, existing_type=sa.String(length=300), type_=sa.Text(), existing_nullable=False
                )
    for table, column in (("diary_entries", "note"), *WIDENED):
        _rewrite(table, column, encrypt_text)


def downgrade():
    for table, column in (("diary_entries", "note"), *WIDENED):
        _rewrite(table, column, decrypt_text)
    with _sqlite_foreign_keys_off():
        for table, column in WIDENED:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.alter_column(
                    column, existing_type=sa.Text(), type_=sa.String(length=300), existing_nullable=False
                )

    op.execute(
        "DROP TRIGGER IF EXISTS audit_events_append_only"
        + (" ON audit_events" if op.get_bind().dialect.name == "postgresql" else "")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_events_refuse_change()")

    with op.batch_alter_table("profile_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_changes_client_id"))

    op.drop_table("profile_changes")
    op.drop_table("client_profiles")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_client_id"))

    op.drop_table("audit_events")


@contextmanager
def _sqlite_foreign_keys_off():
    """SQLite rebuilds a table to change a column (batch mode), dropping the old one while refunds still point
    at payments: foreign keys are switched off meanwhile, which SQLite allows only outside a transaction."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if sqlite:
            with op.get_context().autocommit_block():
                op.execute("PRAGMA foreign_keys = ON")


def _rewrite(table_name, column_name, convert):
    """Encrypt (upgrade) or decrypt (downgrade) every stored value of one column, in batches."""
    table = sa.table(table_name, sa.column("id", sa.Integer()), sa.column(column_name, sa.Text()))
    column = table.c[column_name]
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(table.c.id, column).where(table.c.id > last_id).order_by(table.c.id).limit(500)
        ).all()
        if not rows:
            return
        for row_id, value in rows:
            bind.execute(table.update().where(table.c.id == row_id).values({column_name: convert(value or "")}))
        last_id = rows[-1][0]
