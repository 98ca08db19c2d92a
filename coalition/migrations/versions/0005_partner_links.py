"""partner links that last (issue 14): one derived link per invitation

Revision ID: 0005
Revises: 0004

Every invitation gets a random `link_salt`; its link's token is the salt followed by an
HMAC of it under the secret key (coalition.invitations.access), so the database needs no
secret here. `token_hash` becomes optional: it keeps the SHA-256 of the link each
invitation was sent before this upgrade, so links already in partners' mailboxes keep
working; invitations made from now on have none.
"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

invitation = sa.table(
    'invitation',
    sa.column('id', sa.Integer),
    sa.column('link_salt', sa.String),
    sa.column('token_hash', sa.String),
)


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_salt', sa.String(length=32), nullable=True))
    connection = op.get_bind()
    ids = connection.execute(sa.select(invitation.c.id)).scalars().all()
    for invitation_id in ids:
        connection.execute(
            invitation.update()
            .where(invitation.c.id == invitation_id)
            .values(link_salt=secrets.token_urlsafe(12))
        )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.alter_column('link_salt', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_invitation_link_salt'), ['link_salt'])
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=True)


def downgrade():
    # Invitations made after the upgrade had no hashed link: they get one nobody holds
    # (their links stop working, as any link would without the derived token).
    connection = op.get_bind()
    ids = connection.execute(
        sa.select(invitation.c.id).where(invitation.c.token_hash.is_(None))
    ).scalars().all()
    for invitation_id in ids:
        connection.execute(
            invitation.update()
            .where(invitation.c.id == invitation_id)
            .values(token_hash=secrets.token_hex(32))
        )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_invitation_link_salt'), type_='unique')
        batch_op.drop_column('link_salt')
