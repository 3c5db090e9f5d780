"""payments for package instalments: a payment is for one booking or for one instalment of a package plan

`payments.booking_id` may be empty now; `payments.instalment_id` names the package instalment a payment is for,
and a CHECK (`pays_one_thing`) keeps exactly one of the two filled. Package purchases remember when an online
purchase waiting for its first payment stops holding its promo code (`hold_until`).

Revision ID: c09ffee0027
Revises: c05ffee0023
Create Date: 2026-12-06 21:10:00.000000

"""

from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "c09ffee0027"
down_revision = "c05ffee0023"
branch_labels = None
depends_on = None


def upgrade():
    with _sqlite_foreign_keys_off(), op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instalment_id", sa.Integer(), nullable=True))
        batch_op.alter_column("booking_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_payments_instalment_id_package_instalments"),
            "package_instalments",
            ["instalment_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_payments_instalment_id"), ["instalment_id"], unique=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_payments_pays_one_thing"), "(booking_id IS NULL) != (instalment_id IS NULL)"
        )
    with op.batch_alter_table("package_purchases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hold_until", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("package_purchases", schema=None) as batch_op:
        batch_op.drop_column("hold_until")
    op.execute("DELETE FROM refunds WHERE payment_id IN (SELECT id FROM payments WHERE booking_id IS NULL)")
    op.execute("DELETE FROM payments WHERE booking_id IS NULL")
    with _sqlite_foreign_keys_off(), op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_payments_pays_one_thing"), type_="check")
        batch_op.drop_index(batch_op.f("ix_payments_instalment_id"))
        batch_op.drop_constraint(batch_op.f("fk_payments_instalment_id_package_instalments"), type_="foreignkey")
        batch_op.drop_column("instalment_id")
        batch_op.alter_column("booking_id", existing_type=sa.Integer(), nullable=False)


@contextmanager
def _sqlite_foreign_keys_off():
    """SQLite rebuilds payments (batch mode) while refunds point at it: foreign keys are switched off meanwhile,
    which SQLite allows only outside a transaction."""
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
