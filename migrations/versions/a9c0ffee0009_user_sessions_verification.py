"""accounts: login sessions in the database, confirmed e-mail addresses

Each login becomes a row in user_sessions (only the SHA-256 of its token is stored), so logging out ends that
session for every copy of its cookie; users.session_token, which could only end all of them at once, goes.
users.email_verified_at records when the address was confirmed: accounts that exist already are marked confirmed
(as of their creation), so nobody is locked out. Downgrade gives every account a fresh session_token again
(logging everyone out) and forgets the sessions and confirmations.

Revision ID: a9c0ffee0009
Revises: aac0ffee0010
Create Date: 2026-11-26 10:00:00

"""

import secrets
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a9c0ffee0009"
down_revision = "aac0ffee0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("device", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    with _sqlite_foreign_keys_off(), op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_users_session_token"), type_="unique")
        batch_op.drop_column("session_token")
    users = sa.table(
        "users",
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("email_verified_at", sa.DateTime(timezone=True)),
    )
    op.execute(users.update().values(email_verified_at=users.c.created_at))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer()), sa.column("session_token", sa.String(length=64)))
    bind = op.get_bind()
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(users.update().where(users.c.id == user_id).values(session_token=secrets.token_urlsafe(32)))
    with _sqlite_foreign_keys_off(), op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_users_session_token"), ["session_token"])
        batch_op.drop_column("email_verified_at")

    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))

    op.drop_table("user_sessions")


@contextmanager
def _sqlite_foreign_keys_off():
    """On SQLite, batch mode rebuilds users (copy, drop, rename) while every other table points at it; the drop
    would fail with foreign keys on, and SQLite lets them be switched off only outside a transaction."""
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
