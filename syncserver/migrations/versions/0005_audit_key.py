"""audit key: each tenant's key for the audit trail's content hashes (HMAC), wrapped by the
master key on the tenant's row; made on first use. Older entries keep their plain SHA-256
content hashes, which the chain covers, so they still verify.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("audit_key_wrapped", sa.Text(), nullable=True))
        batch.add_column(sa.Column("audit_key_master_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("audit_key_master_id")
        batch.drop_column("audit_key_wrapped")
