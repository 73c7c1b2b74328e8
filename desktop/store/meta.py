"""Repository of the store's own settings and sync state (JSON values by key)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from desktop.store import driver
from desktop.store.errors import StoreError
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


# One statement: the device sequence is taken from the row in the caller's transaction (so a
# rollback gives the number back and every store or process on the file sees the same one), and
# the newest stamp this PC issued is written beside it.
_NEXT_DEVICE_SEQ = (
    "INSERT INTO meta (key, value) VALUES ('last_device_seq', '1'), ('last_hlc', ?) "
    "ON CONFLICT(key) DO UPDATE SET value = CASE key "
    "WHEN 'last_device_seq' THEN CAST(value AS INTEGER) + 1 ELSE excluded.value END "
    "RETURNING key, value"
)


def next_device_seq(conn: sa.Connection, last_hlc: str) -> int:
    """The next sequence number of this PC's changes (``last_device_seq`` + 1, stored), with
    ``last_hlc`` recorded in the same statement."""
    for key, value in driver.execute(conn, _NEXT_DEVICE_SEQ, (json.dumps(last_hlc),)):
        if key == "last_device_seq":
            return int(value)
    raise StoreError("The device sequence was not returned by the store.")
