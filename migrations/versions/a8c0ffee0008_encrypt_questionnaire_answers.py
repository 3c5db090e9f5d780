"""questionnaires: answers encrypted at rest

Questionnaire answers hold health data, and the practitioner's own questionnaires take free text: the
answers column becomes a Fernet token of the answers' JSON (portal.crypto.EncryptedJSON), existing rows
included; downgrade turns them back into plain JSON.

Revision ID: a8c0ffee0008
Revises: a7c0ffee0007
Create Date: 2026-11-25 09:20:00

"""

import json

from alembic import op
import sqlalchemy as sa

from portal.crypto import decrypt_text, encrypt_text


# revision identifiers, used by Alembic.
revision = "a8c0ffee0008"
down_revision = "a7c0ffee0007"
branch_labels = None
depends_on = None

TABLE = "questionnaire_responses"


def upgrade():
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.alter_column(
            "answers",
            existing_type=sa.JSON(),
            type_=sa.Text(),
            existing_nullable=False,
            postgresql_using="answers::text",
        )
    _rewrite(lambda stored: encrypt_text(json.dumps(json.loads(stored), separators=(",", ":"), sort_keys=True)))


def downgrade():
    _rewrite(decrypt_text)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.alter_column(
            "answers",
            existing_type=sa.Text(),
            type_=sa.JSON(),
            existing_nullable=False,
            postgresql_using="answers::json",
        )


def _rewrite(convert):
    """Convert every stored answers value, in batches."""
    table = sa.table(TABLE, sa.column("id", sa.Integer()), sa.column("answers", sa.Text()))
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(table.c.id, table.c.answers).where(table.c.id > last_id).order_by(table.c.id).limit(500)
        ).all()
        if not rows:
            return
        for row_id, value in rows:
            bind.execute(table.update().where(table.c.id == row_id).values(answers=convert(value or "{}")))
        last_id = rows[-1][0]
