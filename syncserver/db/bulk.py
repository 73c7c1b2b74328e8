"""Inserting many rows in one statement: on PostgreSQL one ``INSERT … SELECT FROM unnest``
per table, its arrays sent in binary (fixed SQL text, so the driver prepares it once, and one
round trip however many rows; text arrays of JSON cost the server more to parse than the
insert itself), elsewhere the driver's ``executemany`` (SQLite runs in-process)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa


def _array_type(column: sa.Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, sa.BigInteger):
        return "int8[]"
    if isinstance(kind, sa.Integer):
        return "int4[]"
    if isinstance(kind, sa.Boolean):
        return "bool[]"
    if isinstance(kind, sa.DateTime):
        return "timestamptz[]" if kind.timezone else "timestamp[]"
    if isinstance(kind, sa.String):  # Text too
        return "text[]"
    raise TypeError(f"no array type for {column.table.name}.{column.name} ({kind})")


@cache
def _unnest_sql(table: sa.Table, names: tuple[str, ...]) -> str:
    columns = ", ".join(f'"{name}"' for name in names)
    arrays = ", ".join(f"%b::{_array_type(table.c[name])}" for name in names)
    return f'INSERT INTO "{table.name}" ({columns}) SELECT * FROM unnest({arrays})'


def insert_many(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (each with the same keys) into ``table``."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(sa.insert(table), list(rows))
        return
    names = tuple(rows[0])
    params = tuple([row[name] for row in rows] for name in names)
    conn.exec_driver_sql(_unnest_sql(table, names), params)
