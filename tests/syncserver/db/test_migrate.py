"""Migrations run from code, and a schema that does not match the code is refused with the
command that fixes it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from syncserver.db import migrate
from syncserver.db.engine import open_database
from syncserver.db.tables import metadata
from syncserver.errors import ConfigError
from tests.helpers.server import open_migrated


def test_upgrade_creates_every_table_at_head(server_db_url: str) -> None:
    db = open_migrated(server_db_url)
    try:
        assert migrate.current_revision(db) == migrate.head_revision()
        migrate.check_current(db)
        with db.reader.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
        assert set(metadata.tables) <= tables
    finally:
        db.dispose()


def test_upgrade_twice_is_harmless(server_db_url: str) -> None:
    db = open_migrated(server_db_url)
    try:
        migrate.upgrade(db)
        assert migrate.current_revision(db) == migrate.head_revision()
    finally:
        db.dispose()


def test_an_empty_database_is_refused_with_init(server_db_url: str) -> None:
    db = open_database(server_db_url)
    try:
        assert migrate.current_revision(db) is None
        with pytest.raises(ConfigError, match="run 'writecarenotes-server init'"):
            migrate.check_current(db)
    finally:
        db.dispose()


def test_a_newer_schema_is_refused(server_db_url: str) -> None:
    db = open_migrated(server_db_url)
    try:
        with db.writer.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
        with pytest.raises(ConfigError, match="newer than this server"):
            migrate.check_current(db)
    finally:
        db.dispose()
