"""a VC-JWT credential's document is kept once, in its JWT

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 08:05:00+00:00

`credentials.document` becomes nullable: new VC-JWT credentials leave it NULL (the JWT payload is
the document; `Credential.document` reads it from there). Rows stored before keep their copy.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLAIMS = ("iss", "jti", "nbf", "sub", "exp", "iat", "aud")


def upgrade() -> None:
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.alter_column('document', existing_type=sa.JSON(), nullable=True)


def downgrade() -> None:
    credentials = sa.table('credentials', sa.column('id', sa.Integer()), sa.column('document', sa.JSON()),
                           sa.column('jwt', sa.Text()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(credentials.c.id, credentials.c.jwt).where(credentials.c.document.is_(None)))
    for credential_id, token in rows.all():
        body = token.split('.')[1]
        payload = json.loads(base64.urlsafe_b64decode(body + '=' * (-len(body) % 4)))
        document = {key: value for key, value in payload.items() if key not in CLAIMS}
        connection.execute(credentials.update().where(credentials.c.id == credential_id).values(document=document))
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.alter_column('document', existing_type=sa.JSON(), nullable=False)
