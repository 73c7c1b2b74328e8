"""Statements run on every push, as the database driver's own SQL.

A Core statement costs SQLAlchemy a cache key, a compiled-statement look-up and parameter
processing on every execution, and a list in ``IN`` is rendered anew each time (on
PostgreSQL as a new statement text, which the driver then never prepares). Here the text is
written once with ``?`` for each value and sent as it is, values converted by their columns'
own bind processors where the column has one (a time on SQLite): what SQLAlchemy would send.
``IN (?)`` takes a list: one mark per item on SQLite (the text kept per length), one array
(``= ANY(%s)``) on PostgreSQL. Rows come back as the driver gives them (no result
processors): select only columns whose type has none (text and whole numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

_LIST = " IN (?)"

Processor = Callable[[Any], Any]


class FixedSql:
    def __init__(self, sql: str, *, columns: Mapping[int, sa.Column[Any]] | None = None) -> None:
        """``sql`` with ``?`` marks; ``columns``: the column the value at that position goes
        to, where its type may need converting."""
        if sql.count(_LIST) > 1 or "%" in sql:
            raise ValueError("at most one IN (?) list, and no %")
        self.sql = sql
        self._list_at = sql[: sql.index(_LIST)].count("?") if _LIST in sql else None
        self._columns = dict(columns or {})
        self._texts: dict[tuple[str, int], str] = {}
        self._processors: dict[str, list[tuple[int, Processor]]] = {}

    def _text(self, dialect: str, items: int) -> str:
        key = (dialect, items)
        text = self._texts.get(key)
        if text is None:
            if dialect == "sqlite":
                text = self.sql.replace(_LIST, " IN (" + ",".join("?" * items) + ")")
            elif dialect == "postgresql":
                text = self.sql.replace(_LIST, " = ANY(?)").replace("?", "%s")
            else:
                raise NotImplementedError(f"no fixed SQL for {dialect}")
            self._texts[key] = text
        return text

    def _converters(self, dialect: sa.Dialect) -> list[tuple[int, Processor]]:
        found = self._processors.get(dialect.name)
        if found is None:
            found = []
            for index, column in sorted(self._columns.items()):
                process = column.type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    found.append((index, process))
            self._processors[dialect.name] = found
        return found

    def _params(self, dialect: sa.Dialect, values: Sequence[Any]) -> list[Any]:
        params = list(values)
        for index, process in self._converters(dialect):
            if params[index] is not None:
                params[index] = process(params[index])
        return params

    def run(self, conn: sa.Connection, *values: Any) -> sa.CursorResult[Any]:
        """Run with ``values`` for the marks (a list for ``IN (?)``)."""
        dialect = conn.dialect
        params = self._params(dialect, values)
        at, items = self._list_at, 0
        if at is not None:
            listed = list(params[at])
            if dialect.name == "sqlite":
                params[at : at + 1] = listed
                items = len(listed)
            else:
                params[at] = listed
        return conn.exec_driver_sql(self._text(dialect.name, items), tuple(params))

    def run_many(self, conn: sa.Connection, rows: Sequence[Sequence[Any]]) -> None:
        """Run once for each row of values (a statement without a list)."""
        if self._list_at is not None:
            raise ValueError("run_many takes no IN (?) list")
        if not rows:
            return
        dialect = conn.dialect
        params = [tuple(self._params(dialect, row)) for row in rows]
        conn.exec_driver_sql(self._text(dialect.name, 0), params)
