"""signatures recorded on a partner's behalf, and CSV imports held until confirmed (issue 22)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 18:18:51

`signature_record`: who recorded a signature for its partner, when the partner approved,
and the evidence. `signature_import`: an uploaded CSV, written to no signature until the
lead confirms it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signature_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user.id'], name=op.f('fk_signature_import_confirmed_by_id_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_signature_import_created_by_id_user')),
    sa.ForeignKeyConstraint(['statement_id'], ['statement.id'], name=op.f('fk_signature_import_statement_id_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature_import'))
    )
    with op.batch_alter_table('signature_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signature_import_statement_id'), ['statement_id'], unique=False)

    op.create_table('signature_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signature_id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('evidence_text', sa.Text(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('file_type', sa.String(length=100), nullable=True),
    sa.Column('file_content', sa.LargeBinary(), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('import_line', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['signature_import.id'], name=op.f('fk_signature_record_import_id_signature_import')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_signature_record_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['signature_id'], ['signature.id'], name=op.f('fk_signature_record_signature_id_signature')),
    sa.ForeignKeyConstraint(['statement_id'], ['statement.id'], name=op.f('fk_signature_record_statement_id_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature_record')),
    sa.UniqueConstraint('signature_id', name=op.f('uq_signature_record_signature_id'))
    )
    with op.batch_alter_table('signature_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signature_record_statement_id'), ['statement_id'], unique=False)



def downgrade():
    with op.batch_alter_table('signature_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_record_statement_id'))

    op.drop_table('signature_record')
    with op.batch_alter_table('signature_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_import_statement_id'))

    op.drop_table('signature_import')
