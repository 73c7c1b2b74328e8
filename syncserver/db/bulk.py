"""Inserting many rows in one statement: on PostgreSQL one ``INSERT … SELECT FROM unnest``
per table, its arrays sent in binary (fixed SQL text, so the driver prepares it once, and one
round trip however many rows; text arrays of JSON cost the server more to parse than the
insert itself); on SQLite the driver's ``executemany`` of fixed SQL text, values converted
by the column types' own bind processors (what SQLAlchemy would send, without building each
row's parameters through the compiler)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from operator import itemgetter
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


@cache
def _plain_insert(
    table: sa.Table, names: tuple[str, ...], dialect: sa.Dialect
) -> tuple[str, tuple[Callable[[Any], Any] | None, ...]]:
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    processors = tuple(
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    return f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', processors


def insert_many(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (each with the same keys) into ``table``."""
    if not rows:
        return
    names = tuple(rows[0])
    if conn.dialect.name == "sqlite":
        sql, processors = _plain_insert(table, names, conn.dialect)
        values_of = itemgetter(*names)
        convert = [(i, process) for i, process in enumerate(processors) if process is not None]
        params: list[tuple[Any, ...]] = []
        for row in rows:
            values = list(values_of(row)) if len(names) > 1 else [values_of(row)]
            for i, process in convert:
                if values[i] is not None:
                    values[i] = process(values[i])
            params.append(tuple(values))
        conn.exec_driver_sql(sql, params)
        return
    if conn.dialect.name != "postgresql":
        conn.execute(sa.insert(table), list(rows))
        return
    arrays = tuple([row[name] for row in rows] for name in names)
    conn.exec_driver_sql(_unnest_sql(table, names), arrays)
