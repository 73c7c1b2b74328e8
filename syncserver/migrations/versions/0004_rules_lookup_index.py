"""rules look-up index: a resident's records of one entity, for the safety rules at ingest

The medication rules (same dose twice, PRN limits, dose after discontinuation, CD balance)
read every record of one entity for one resident on each push (``sync/rows.py``,
``events_for_resident``). Without this index that read walks the tenant's whole entity
(``ix_records_tenant_entity``): every dose the provider ever recorded.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEX = "ix_records_tenant_resident_entity"


def upgrade() -> None:
    op.create_index(INDEX, "records", ["tenant_id", "resident_id", "entity"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="records")
