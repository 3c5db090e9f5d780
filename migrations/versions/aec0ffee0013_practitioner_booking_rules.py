"""booking rules for every practitioner: made with her account from now on, so none is made on first read

Each owner or practitioner without booking rules gets the defaults, in her own time zone, as the portal used to
make them the first time a page needed them. Downgrade removes nothing: rules she has are hers.

Revision ID: aec0ffee0013
Revises: adc0ffee0012
Create Date: 2026-12-02 21:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "aec0ffee0013"
down_revision = "adc0ffee0012"
branch_labels = None
depends_on = None

DEFAULTS = {
    "buffer_before_minutes": 0,
    "buffer_after_minutes": 15,
    "min_notice_minutes": 12 * 60,
    "horizon_days": 60,
    "slot_step_minutes": 15,
    "cancellation_window_hours": 24,
    "hold_minutes": 15,
    "reminder_hours": 24,
}


def upgrade():
    bind = op.get_bind()
    missing = bind.execute(
        sa.text(
            "SELECT id, timezone FROM users WHERE role IN ('owner', 'practitioner') "
            "AND id NOT IN (SELECT practitioner_id FROM booking_rules)"
        )
    ).all()
    if not missing:
        return
    rules = sa.table(
        "booking_rules",
        sa.column("practitioner_id", sa.Integer),
        sa.column("timezone", sa.String),
        sa.column("intake_codes", sa.JSON),
        *(sa.column(name, sa.Integer) for name in DEFAULTS),
    )
    op.bulk_insert(
        rules,
        [{"practitioner_id": id_, "timezone": timezone, "intake_codes": [], **DEFAULTS} for id_, timezone in missing],
    )


def downgrade():
    pass
