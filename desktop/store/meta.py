"""Repository of the store's own settings and sync state (JSON values by key)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from desktop.store.schema import meta


def get(conn: sa.Connection, key: str, default: Any = None) -> Any:
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()
    return default if value is None else json.loads(value)


def put(conn: sa.Connection, key: str, value: Any) -> None:
    text = json.dumps(value)
    conn.exec_driver_sql(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, text),
    )


def get_all(conn: sa.Connection) -> dict[str, Any]:
    return {r.key: json.loads(r.value) for r in conn.execute(sa.select(meta))}
