"""team: owner and assistant roles, care teams, invitations, deactivation, the actor's role in the audit trail

The first practitioner (by id) becomes the owner. Every client joins the care team of each practitioner she
has booked with, and a client without bookings the owner's, so nothing disappears for a practice already
running. Existing audit rows get the role their actor has now (the append-only trigger is lifted for that one
update and put back). Downgrade turns owners back into practitioners and refuses while an assistant exists.

Revision ID: abc0ffee0011
Revises: a9c0ffee0009
Create Date: 2026-12-02 18:20:00

"""

from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "abc0ffee0011"
down_revision = "a9c0ffee0009"
branch_labels = None
depends_on = None

AUDIT_REFUSAL = "audit_events rows are never changed or deleted"
NEW_ROLES = "role in ('owner', 'practitioner', 'assistant', 'client')"
OLD_ROLES = "role in ('practitioner', 'client')"


def upgrade():
    with _sqlite_foreign_keys_off(), op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_role_valid"), type_="check")
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(batch_op.f("ck_users_role_valid"), sa.text(NEW_ROLES))

    op.create_table(
        "care_team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["added_by_id"], ["users.id"], name=op.f("fk_care_team_added_by_id_users")),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_care_team_client_id_users")),
        sa.ForeignKeyConstraint(["practitioner_id"], ["users.id"], name=op.f("fk_care_team_practitioner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_team")),
        sa.UniqueConstraint("practitioner_id", "client_id", name=op.f("uq_care_team_practitioner_id")),
    )
    with op.batch_alter_table("care_team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_team_client_id"), ["client_id"], unique=False)

    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("role in ('practitioner', 'assistant')", name=op.f("ck_invitations_invitation_role_valid")),
        sa.ForeignKeyConstraint(["invited_by_id"], ["users.id"], name=op.f("fk_invitations_invited_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_role", sa.String(length=20), nullable=True))

    op.execute("UPDATE users SET role = 'owner' WHERE id = (SELECT min(id) FROM users WHERE role = 'practitioner')")
    op.execute("""
        INSERT INTO care_team (practitioner_id, client_id, added_at)
        SELECT b.practitioner_id, b.client_id, min(b.created_at) FROM bookings b
        JOIN users c ON c.id = b.client_id AND c.role = 'client'
        GROUP BY b.practitioner_id, b.client_id""")
    op.execute("""
        INSERT INTO care_team (practitioner_id, client_id, added_at)
        SELECT o.id, c.id, c.created_at FROM users c, users o
        WHERE c.role = 'client' AND o.role = 'owner'
        AND NOT EXISTS (SELECT 1 FROM care_team t WHERE t.client_id = c.id)""")
    with _audit_open_for_one_update():
        op.execute(
            "UPDATE audit_events SET actor_role = "
            "(SELECT u.role FROM users u WHERE u.id = audit_events.actor_id) WHERE actor_id IS NOT NULL"
        )


def downgrade():
    if op.get_bind().execute(sa.text("SELECT count(*) FROM users WHERE role = 'assistant'")).scalar_one():
        raise RuntimeError(
            "An assistant's account exists: it has no place in the older schema. "
            "Deactivate and remove it, or keep this version."
        )
    op.execute("UPDATE users SET role = 'practitioner' WHERE role = 'owner'")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("actor_role")
    _put_back_audit_trigger_on_sqlite()
    op.drop_table("invitations")
    with op.batch_alter_table("care_team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_team_client_id"))
    op.drop_table("care_team")
    with _sqlite_foreign_keys_off(), op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_role_valid"), type_="check")
        batch_op.drop_column("deactivated_at")
        batch_op.create_check_constraint(batch_op.f("ck_users_role_valid"), sa.text(OLD_ROLES))


def _put_back_audit_trigger_on_sqlite():
    """SQLite's batch drop of a column rebuilds the table, which loses its trigger."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only")
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, '{AUDIT_REFUSAL}'); END"
        )


@contextmanager
def _audit_open_for_one_update():
    """Lift the audit table's append-only trigger for the migration's own backfill, and put it back."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        yield
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only")
        yield
        _put_back_audit_trigger_on_sqlite()


@contextmanager
def _sqlite_foreign_keys_off():
    """SQLite rebuilds users to change its CHECK constraint (batch mode), dropping the old table while every
    other table points at it: foreign keys are switched off meanwhile, outside a transaction as SQLite needs."""
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
