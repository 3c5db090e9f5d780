"""handouts: protocol library, protocols, published handouts

Revision ID: a7c0ffee0007
Revises: a6c0ffee0062
Create Date: 2026-11-25 08:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c0ffee0007'
down_revision = 'a6c0ffee0062'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
