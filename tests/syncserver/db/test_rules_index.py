"""The index the safety rules' look-ups use (migration 0004): created on SQLite and PostgreSQL,
gone after a downgrade and back after an upgrade, and chosen by the database for the rules'
query (a resident's records of one entity)."""

from __future__ import annotations

import sqlalchemy as sa

from syncserver.db import migrate
from syncserver.db.engine import Database
from syncserver.db.tables import records
from tests.helpers.server import open_migrated
from tests.syncserver.db.migration_steps import downgrade, index_columns

INDEX = "ix_records_tenant_resident_entity"


def _columns(db: Database) -> list[str] | None:
    return index_columns(db, "records", INDEX)


def test_the_rules_index_comes_and_goes_with_its_migration(server_db_url: str) -> None:
    db = open_migrated(server_db_url)
    try:
        assert _columns(db) == ["tenant_id", "resident_id", "entity"]
        downgrade(db, "0003")
        assert _columns(db) is None
        migrate.upgrade(db)
        assert migrate.current_revision(db) == migrate.head_revision()
        assert _columns(db) == ["tenant_id", "resident_id", "entity"]
    finally:
        db.dispose()


def test_the_rules_query_uses_the_index(server_db_url: str) -> None:
    db = open_migrated(server_db_url)
    query = sa.select(records.c.record_id).where(
        records.c.tenant_id == "t",
        sa.or_(records.c.home_id == "h", records.c.home_id.is_(None)),
        records.c.entity == "medication_administration",
        records.c.resident_id == "r",
    )
    try:
        with db.writer.begin() as conn:
            if db.is_sqlite:
                compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
                plan = conn.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            else:
                conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
                compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
                plan = conn.execute(sa.text(f"EXPLAIN {compiled}")).all()
        assert INDEX in " ".join(str(row) for row in plan), plan
    finally:
        db.dispose()
