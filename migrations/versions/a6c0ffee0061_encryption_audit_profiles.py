"""cases: encrypted health text, audit trail, client profiles

Revision ID: a6c0ffee0061
Revises: a5c0ffee0005
Create Date: 2026-11-25 08:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a6c0ffee0061'
down_revision = 'a5c0ffee0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
