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
    values_of = itemgetter(*names)
    if len(names) == 1:
        insert_rows(conn, table, names, [(values_of(row),) for row in rows])
    else:
        insert_rows(conn, table, names, [values_of(row) for row in rows])


def insert_rows(
    conn: sa.Connection, table: sa.Table, names: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows``, each the values of the columns ``names`` in that order, into ``table``."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        sql, processors = _plain_insert(table, names, conn.dialect)
        conn.exec_driver_sql(sql, _bound(rows, processors))
        return
    if conn.dialect.name != "postgresql":
        conn.execute(sa.insert(table), [dict(zip(names, row, strict=True)) for row in rows])
        return
    arrays = tuple(list(column) for column in zip(*rows, strict=True))
    conn.exec_driver_sql(_unnest_sql(table, names), arrays)


def _bound(
    rows: Sequence[Sequence[Any]], processors: tuple[Callable[[Any], Any] | None, ...]
) -> list[tuple[Any, ...]]:
    """``rows`` with each value converted by its column's bind processor, if it has one. A
    batch repeats one value in a column (its time), so a value that is the previous row's
    (the same object: the processors' types are immutable) reuses its conversion."""
    convert = [(i, process) for i, process in enumerate(processors) if process is not None]
    if not convert:
        return [tuple(row) for row in rows]
    seen: list[Any] = [None] * len(processors)
    made: list[Any] = [None] * len(processors)
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(row)
        for i, process in convert:
            value = values[i]
            if value is None:
                continue
            if value is not seen[i]:
                seen[i], made[i] = value, process(value)
            values[i] = made[i]
        params.append(tuple(values))
    return params
