"""the viewer's time zone (issue 20, point 11): a user's own zone, an organisation's default

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 17:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation') as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_column('timezone')
    with op.batch_alter_table('organisation') as batch_op:
        batch_op.drop_column('timezone')
