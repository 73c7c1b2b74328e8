"""The security migration (0003) goes down and up again cleanly, and names its application
role from the settings."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from syncserver.db import migrate
from syncserver.db.engine import Database
from tests.helpers.server import open_migrated


def _downgrade(db: Database, revision: str) -> None:
    config = migrate._config()
    with db.writer.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def _forced(db: Database) -> int:
    with db.reader.connect() as conn:
        return int(
            conn.execute(
                sa.text("SELECT count(*) FROM pg_class WHERE relforcerowsecurity")
            ).scalar_one()
        )


def test_the_security_migration_goes_down_and_up(server_db_url: str) -> None:
    db = open_migrated(server_db_url)
    try:
        _downgrade(db, "0002")
        with db.reader.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
        assert not {"tenant_keys", "audit_checkpoints", "mfa_recovery_codes"} & tables
        if not db.is_sqlite:
            assert _forced(db) == 0
        migrate.upgrade(db)
        assert migrate.current_revision(db) == migrate.head_revision()
        if not db.is_sqlite:
            assert _forced(db) == 11
    finally:
        db.dispose()
