"""signatures not named publicly (issue 15)

A signature may be counted without being named: its flag and public description; the
statement's wording of the public line and the lead's "hide from staff" setting; what an
edition froze of them (its count and line, and a flag on each list row).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 15:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signature') as batch:
        batch.add_column(sa.Column('public', sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column('public_description', sa.String(length=200), nullable=False,
                                   server_default=''))
    with op.batch_alter_table('statement') as batch:
        batch.add_column(sa.Column('withheld_wording_one', sa.String(length=300),
                                   nullable=False, server_default=''))
        batch.add_column(sa.Column('withheld_wording_other', sa.String(length=300),
                                   nullable=False, server_default=''))
        batch.add_column(sa.Column('withheld_hidden_from_staff', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table('edition') as batch:
        batch.add_column(sa.Column('withheld_count', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('withheld_line', sa.String(length=500), nullable=False,
                                   server_default=''))
    with op.batch_alter_table('edition_signatory') as batch:
        batch.add_column(sa.Column('public', sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
    with op.batch_alter_table('edition_translation') as batch:
        batch.add_column(sa.Column('withheld_line', sa.String(length=500), nullable=False,
                                   server_default=''))


def downgrade():
    with op.batch_alter_table('edition_translation') as batch:
        batch.drop_column('withheld_line')
    with op.batch_alter_table('edition_signatory') as batch:
        batch.drop_column('public')
    with op.batch_alter_table('edition') as batch:
        batch.drop_column('withheld_line')
        batch.drop_column('withheld_count')
    with op.batch_alter_table('statement') as batch:
        batch.drop_column('withheld_hidden_from_staff')
        batch.drop_column('withheld_wording_other')
        batch.drop_column('withheld_wording_one')
    with op.batch_alter_table('signature') as batch:
        batch.drop_column('public_description')
        batch.drop_column('public')
