"""Helpers for the migration tests: an index's columns as the database reports them, and a
downgrade to a revision on the test's database."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from syncserver.db import migrate
from syncserver.db.engine import Database


def index_columns(db: Database, table: str, index_name: str) -> list[str] | None:
    """The index's columns in order, or None when the table has no index of that name."""
    with db.reader.connect() as conn:
        for index in sa.inspect(conn).get_indexes(table):
            if index["name"] == index_name:
                return [str(c) for c in index["column_names"]]
    return None


def downgrade(db: Database, revision: str) -> None:
    config = migrate._config()
    with db.writer.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
