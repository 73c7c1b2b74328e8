"""scope count index: a home's records by sequence, so that a pull's integrity count reads
only this index

Every full sync ends with the server counting the PC's scope (its home's records and the
provider's records without a home, ``sync/pull.py``). With only ``ix_records_tenant_seq`` each
of the tenant's rows had to be read for its ``home_id``; with this index the count is two
index-only range counts (``home_id = ?`` and ``home_id IS NULL``). The home comes first: an
index led by ``tenant_id`` competes with the rules' index of 0004 for their look-ups
(PostgreSQL chose such an index over it on an empty table).

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEX = "ix_records_home_tenant_seq"


def upgrade() -> None:
    op.create_index(INDEX, "records", ["home_id", "tenant_id", "server_seq"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="records")
