"""questionnaires: custom questionnaires and the intake set

Revision ID: a5c0ffee0005
Revises: 986bfca95ddc
Create Date: 2026-11-25 08:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a5c0ffee0005"
down_revision = "986bfca95ddc"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "custom_questionnaires",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sum_score", sa.Boolean(), nullable=False),
        sa.Column("draft_items", sa.JSON(), nullable=False),
        sa.Column("next_key", sa.Integer(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_custom_questionnaires_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_questionnaires")),
    )
    with op.batch_alter_table("custom_questionnaires", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_custom_questionnaires_practitioner_id"), ["practitioner_id"], unique=False)

    op.create_table(
        "custom_questionnaire_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sum_score", sa.Boolean(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["custom_questionnaires.id"],
            name=op.f("fk_custom_questionnaire_versions_questionnaire_id_custom_questionnaires"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_questionnaire_versions")),
        sa.UniqueConstraint("questionnaire_id", "number", name="uq_custom_questionnaire_versions_number"),
    )
    with op.batch_alter_table("custom_questionnaire_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custom_questionnaire_versions_questionnaire_id"), ["questionnaire_id"], unique=False
        )

    with op.batch_alter_table("questionnaire_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intake", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("booking_rules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("intake_codes", sa.JSON(), nullable=False, server_default="[]"))


def downgrade():
    with op.batch_alter_table("booking_rules", schema=None) as batch_op:
        batch_op.drop_column("intake_codes")
    with op.batch_alter_table("questionnaire_assignments", schema=None) as batch_op:
        batch_op.drop_column("intake")
    with op.batch_alter_table("custom_questionnaire_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custom_questionnaire_versions_questionnaire_id"))
    op.drop_table("custom_questionnaire_versions")
    with op.batch_alter_table("custom_questionnaires", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custom_questionnaires_practitioner_id"))
    op.drop_table("custom_questionnaires")
