"""server identity: one row naming this server's database, stored in its backups

Revision ID: 0002
Revises: 0001
"""

import datetime as dt
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "server_identity",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Each database gets its own identity when it is created or upgraded; a restore may
    # replace it with the identity of the backup's server (see syncserver/backup).
    op.bulk_insert(table, [{"id": str(uuid.uuid4()), "created_at": dt.datetime.now(dt.UTC)}])


def downgrade() -> None:
    op.drop_table("server_identity")
