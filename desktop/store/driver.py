"""Fixed SQL run on the driver's connection under a SQLAlchemy transaction: for the few
statements of every local save, where SQLAlchemy's execution machinery cost several times
SQLite's own work. Errors are raised as SQLAlchemy's (``IntegrityError``, ``OperationalError``)
as ``Connection.exec_driver_sql`` would raise them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
import sqlcipher3


def execute(
    conn: sa.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[Any]:
    """Run ``sql`` with positional (or named) ``params`` in ``conn``'s transaction; returns
    its rows."""
    raw = conn.connection.driver_connection
    if raw is None:
        raise sa.exc.ResourceClosedError("The store connection is closed.")
    try:
        return list(raw.execute(sql, params).fetchall())
    except sqlcipher3.Error as exc:
        raise sa.exc.DBAPIError.instance(sql, params, exc, sqlcipher3.Error) from None
