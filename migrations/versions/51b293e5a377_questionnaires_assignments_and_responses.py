"""questionnaires: assignments and responses

Revision ID: 51b293e5a377
Revises: c1a1aef89c1a
Create Date: 2026-11-24 21:08:37.150420

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "51b293e5a377"
down_revision = "c1a1aef89c1a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "questionnaire_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=True),
        sa.Column("next_due", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "every_weeks IS NULL OR every_weeks BETWEEN 1 AND 52", name=op.f("ck_questionnaire_assignments_every_range")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["users.id"], name=op.f("fk_questionnaire_assignments_assigned_by_id_users")
        ),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_questionnaire_assignments_client_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_assignments")),
    )
    with op.batch_alter_table("questionnaire_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_assignments_client_id"), ["client_id"], unique=False)

    op.create_table(
        "questionnaire_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("band", sa.String(length=40), nullable=False),
        sa.Column("subscores", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status in ('draft', 'submitted')", name=op.f("ck_questionnaire_responses_status_valid")),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["questionnaire_assignments.id"],
            name=op.f("fk_questionnaire_responses_assignment_id_questionnaire_assignments"),
        ),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], name=op.f("fk_questionnaire_responses_client_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_responses")),
    )
    with op.batch_alter_table("questionnaire_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_responses_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_questionnaire_responses_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_questionnaire_responses_submitted_at"), ["submitted_at"], unique=False)


def downgrade():
    with op.batch_alter_table("questionnaire_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_responses_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_questionnaire_responses_client_id"))
        batch_op.drop_index(batch_op.f("ix_questionnaire_responses_assignment_id"))

    op.drop_table("questionnaire_responses")
    with op.batch_alter_table("questionnaire_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_assignments_client_id"))

    op.drop_table("questionnaire_assignments")
