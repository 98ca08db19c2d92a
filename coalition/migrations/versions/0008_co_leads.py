"""co-leads and roles (issue 17)

Roles inside an organisation (admin, editor, viewer: the first account of each
organisation becomes its admin, the others editors, as they were); the role a colleague
is invited with; co-lead organisations of a statement and their invitations; co-leads'
sign-offs of a revision; whether a statement requires them; the conveners an edition froze.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 19:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

ROLE_CHECK = "role IN ('admin', 'editor', 'viewer')"


def _postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    # Plain ALTER TABLE ADD/DROP COLUMN, never a batch copy: SQLite's copy drops the table,
    # which its foreign keys refuse once other rows point at it. SQLite cannot add a CHECK
    # to an existing table either, so the role checks are PostgreSQL's (a database made by
    # the models has them everywhere).
    op.add_column('user', sa.Column('role', sa.String(length=10), nullable=False,
                                    server_default='editor'))
    op.add_column('colleague_invitation', sa.Column('role', sa.String(length=10),
                                                    nullable=False, server_default='editor'))
    if _postgresql():
        op.create_check_constraint(op.f('ck_user_role'), 'user', ROLE_CHECK)
        op.create_check_constraint(op.f('ck_colleague_invitation_role'),
                                   'colleague_invitation', ROLE_CHECK)
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('organisation_id', sa.Integer),
                    sa.column('role', sa.String))
    first = sa.select(sa.func.min(user.c.id)).group_by(user.c.organisation_id)
    op.execute(user.update().where(user.c.id.in_(first)).values(role='admin'))
    op.add_column('statement', sa.Column('require_sign_off', sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
    op.add_column('edition', sa.Column('conveners', sa.JSON(), nullable=True))
    op.create_table(
        'co_lead',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('invited_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('accepted_by_id', sa.Integer(), nullable=True),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('removed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['statement_id'], ['statement.id'],
                                name=op.f('fk_co_lead_statement_id_statement')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_co_lead_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'],
                                name=op.f('fk_co_lead_invited_by_id_user')),
        sa.ForeignKeyConstraint(['accepted_by_id'], ['user.id'],
                                name=op.f('fk_co_lead_accepted_by_id_user')),
        sa.ForeignKeyConstraint(['removed_by_id'], ['user.id'],
                                name=op.f('fk_co_lead_removed_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_co_lead')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_co_lead_token_hash')),
    )
    op.create_index(op.f('ix_co_lead_statement_id'), 'co_lead', ['statement_id'], unique=False)
    op.create_index(op.f('ix_co_lead_organisation_id'), 'co_lead', ['organisation_id'],
                    unique=False)
    op.create_table(
        'sign_off',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('revision_number', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['statement_id'], ['statement.id'],
                                name=op.f('fk_sign_off_statement_id_statement')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_sign_off_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sign_off_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_off')),
    )
    op.create_index(op.f('ix_sign_off_statement_id'), 'sign_off', ['statement_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_sign_off_statement_id'), table_name='sign_off')
    op.drop_table('sign_off')
    op.drop_index(op.f('ix_co_lead_organisation_id'), table_name='co_lead')
    op.drop_index(op.f('ix_co_lead_statement_id'), table_name='co_lead')
    op.drop_table('co_lead')
    op.drop_column('edition', 'conveners')
    op.drop_column('statement', 'require_sign_off')
    if _postgresql():
        op.drop_constraint(op.f('ck_colleague_invitation_role'), 'colleague_invitation',
                           type_='check')
        op.drop_constraint(op.f('ck_user_role'), 'user', type_='check')
    op.drop_column('colleague_invitation', 'role')
    op.drop_column('user', 'role')
