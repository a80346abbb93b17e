"""wallet offers and deliveries

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 10:22:11+00:00

Wallets (#16, OpenID4VCI 1.0). `wallet_offers`: a credential offer one person made for one of their
claimed credentials, with hashes of its pre-authorised code, transaction code and access token, when
it expires and when its code was used. `wallet_deliveries`: each holder-bound copy handed to a wallet
(format, holder DID, the copy's id). New tables only; downgrade drops them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('wallet_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('credential_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('tx_code_hash', sa.String(length=64), nullable=True),
    sa.Column('failed_tx_codes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('access_token_hash', sa.String(length=64), nullable=True),
    sa.Column('access_token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'], name=op.f('fk_wallet_offers_credential_id_credentials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wallet_offers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_offers')),
    sa.UniqueConstraint('access_token_hash', name=op.f('uq_wallet_offers_access_token_hash')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_wallet_offers_code_hash')),
    sa.UniqueConstraint('public_id', name=op.f('uq_wallet_offers_public_id'))
    )
    with op.batch_alter_table('wallet_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_offers_credential_id'), ['credential_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_offers_user_id'), ['user_id'], unique=False)

    op.create_table('wallet_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('configuration_id', sa.String(length=64), nullable=False),
    sa.Column('holder_did', sa.Text(), nullable=False),
    sa.Column('document_id', sa.String(length=80), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'], name=op.f('fk_wallet_deliveries_credential_id_credentials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['wallet_offers.id'], name=op.f('fk_wallet_deliveries_offer_id_wallet_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wallet_deliveries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_deliveries')),
    sa.UniqueConstraint('offer_id', 'configuration_id', name=op.f('uq_wallet_deliveries_offer_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_wallet_deliveries_public_id'))
    )
    with op.batch_alter_table('wallet_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_deliveries_credential_id'), ['credential_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_deliveries_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_deliveries_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('wallet_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_deliveries_user_id'))
        batch_op.drop_index(batch_op.f('ix_wallet_deliveries_offer_id'))
        batch_op.drop_index(batch_op.f('ix_wallet_deliveries_credential_id'))

    op.drop_table('wallet_deliveries')
    with op.batch_alter_table('wallet_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_offers_user_id'))
        batch_op.drop_index(batch_op.f('ix_wallet_offers_credential_id'))

    op.drop_table('wallet_offers')
