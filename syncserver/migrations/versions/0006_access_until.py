"""access until: when a person's access ends (required for inspectors). Sign-in, token
refresh and every signed-in request are refused after it. A new nullable column on ``users``:
the row-level security policy and grants of 0003 cover it as they cover the whole table.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("access_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("access_until")
