"""payments: payments, refunds, stripe events

Revision ID: 889b5b61c605
Revises: 08b4782290b5
Create Date: 2026-11-24 20:11:42.451952

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "889b5b61c605"
down_revision = "08b4782290b5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stripe_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_events")),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refunded_minor", sa.Integer(), nullable=False),
        sa.Column("stripe_payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_client_secret", sa.String(length=255), nullable=True),
        sa.Column("failure_message", sa.String(length=300), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "method in ('card', 'cash', 'bank_transfer', 'other')", name=op.f("ck_payments_method_valid")
        ),
        sa.CheckConstraint(
            "status in ('pending', 'succeeded', 'failed', 'canceled')", name=op.f("ck_payments_status_valid")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payments_amount_positive")),
        sa.CheckConstraint(
            "refunded_minor >= 0 AND refunded_minor <= amount_minor", name=op.f("ck_payments_refunds_within_amount")
        ),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_payments_booking_id_bookings")),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_payments_client_id_users")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_payments_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("stripe_payment_intent_id", name=op.f("uq_payments_stripe_payment_intent_id")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_succeeded_at"), ["succeeded_at"], unique=False)

    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stripe_refund_id", sa.String(length=255), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status in ('pending', 'succeeded', 'failed')", name=op.f("ck_refunds_status_valid")),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_refunds_amount_positive")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_refunds_created_by_id_users")),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name=op.f("fk_refunds_payment_id_payments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("stripe_refund_id", name=op.f("uq_refunds_stripe_refund_id")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refunds_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_refunds_payment_id"), ["payment_id"], unique=False)


def downgrade():
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refunds_payment_id"))
        batch_op.drop_index(batch_op.f("ix_refunds_created_at"))

    op.drop_table("refunds")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_succeeded_at"))
        batch_op.drop_index(batch_op.f("ix_payments_client_id"))
        batch_op.drop_index(batch_op.f("ix_payments_booking_id"))

    op.drop_table("payments")
    op.drop_table("stripe_events")
