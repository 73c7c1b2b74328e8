"""The index a pull's integrity count uses (migration 0007): created on SQLite and PostgreSQL,
gone after a downgrade and back after an upgrade, and chosen by the database for the count
(the home's records, and the provider's records without a home)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from syncserver.db import migrate
from syncserver.db.engine import Database
from syncserver.db.tables import records
from tests.helpers.server import open_migrated
from tests.syncserver.db.migration_steps import downgrade, index_columns

INDEX = "ix_records_home_tenant_seq"


def _columns(db: Database) -> list[str] | None:
    return index_columns(db, "records", INDEX)


def test_the_scope_count_index_comes_and_goes_with_its_migration(server_db_url: str) -> None:
    db = open_migrated(server_db_url)
    try:
        assert _columns(db) == ["home_id", "tenant_id", "server_seq"]
        downgrade(db, "0006")
        assert _columns(db) is None
        migrate.upgrade(db)
        assert migrate.current_revision(db) == migrate.head_revision()
        assert _columns(db) == ["home_id", "tenant_id", "server_seq"]
    finally:
        db.dispose()


# SQLite only: PostgreSQL's planner picks among equally cheap indexes of an empty table
# arbitrarily, so its plan here would say nothing.
@pytest.mark.parametrize("server_db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("home", ["h", None], ids=["home", "no_home"])
def test_the_scope_count_uses_the_index(server_db_url: str, home: str | None) -> None:
    db = open_migrated(server_db_url)
    at_home = records.c.home_id.is_(None) if home is None else records.c.home_id == home
    query = (
        sa.select(sa.func.count())
        .select_from(records)
        .where(at_home, records.c.tenant_id == "t", records.c.server_seq <= 10)
    )
    try:
        with db.writer.begin() as conn:
            compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
            plan = conn.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        assert INDEX in " ".join(str(row) for row in plan), plan
    finally:
        db.dispose()
