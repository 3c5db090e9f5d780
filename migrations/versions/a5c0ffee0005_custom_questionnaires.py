"""questionnaires: custom questionnaires and the intake set

Revision ID: a5c0ffee0005
Revises: 986bfca95ddc
Create Date: 2026-11-25 08:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a5c0ffee0005'
down_revision = '986bfca95ddc'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
