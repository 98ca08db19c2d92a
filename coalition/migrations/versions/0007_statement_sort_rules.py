"""a statement's collation rules (issue 19): the oldest rules its signatures' keys were made under

Every page and export orders the signatories by one rule; while a stored sort key was made
under older collation rules (after an upgrade that changes them, until `flask resort`),
the roster orders in Python. This column says so without reading the signatures, so the
lead's paged list (SQL) knows when to follow.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 18:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('statement') as batch:
        batch.add_column(sa.Column('sort_rules', sa.Integer(), nullable=False,
                                   server_default='1'))
    # The oldest rules among the statement's keys (1, the rules so far, when it has none).
    op.execute(
        "UPDATE statement SET sort_rules = COALESCE("
        "(SELECT MIN(signature.sort_rules) FROM signature"
        " WHERE signature.statement_id = statement.id), 1)"
    )


def downgrade():
    # Dropped in place (SQLite 3.35+ and PostgreSQL): a batch copy of the table would
    # drop `statement`, which every other table's rows refer to.
    with op.batch_alter_table('statement', recreate='never') as batch:
        batch.drop_column('sort_rules')
