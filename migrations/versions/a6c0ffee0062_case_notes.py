"""cases: note templates, notes and amendments

Revision ID: a6c0ffee0062
Revises: a6c0ffee0061
Create Date: 2026-11-25 08:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a6c0ffee0062'
down_revision = 'a6c0ffee0061'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
