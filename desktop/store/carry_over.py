"""Copying what only this PC has (its identity, its signed-in staff, its unsent changes and the
records they touch) from one store into another, for a rebuild."""

from __future__ import annotations

import json

import sqlalchemy as sa

from desktop.store.schema import local_users, meta, outbox, records


def copy_identity(source: sa.Connection, target: sa.Connection) -> None:
    """Meta (except the pull cursor and sequence bookkeeping of the old file) and local staff."""
    rows = source.execute(sa.select(meta)).all()
    keep = [dict(r._mapping) for r in rows if r.key not in ("cursor", "server_seq")]
    if keep:
        target.execute(sa.insert(meta), keep)
    staff = [dict(r._mapping) for r in source.execute(sa.select(local_users)).all()]
    if staff:
        target.execute(sa.insert(local_users), staff)


def copy_unsent(source: sa.Connection, target: sa.Connection) -> int:
    """Outbox entries and the local state of every record they touch (replacing what the
    rebuild pulled for those records), and the device sequence reached meanwhile: changes
    recorded (and perhaps already sent) while the rebuild downloaded took numbers after the one
    ``copy_identity`` copied, and a number is never used twice. Returns how many changes were
    carried over."""
    _carry_sequence(source, target)
    entries = [dict(r._mapping) for r in source.execute(sa.select(outbox)).all()]
    if not entries:
        return 0
    target.execute(sa.insert(outbox), entries)
    ids = sorted({e["record_id"] for e in entries})
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        local = [
            dict(r._mapping)
            for r in source.execute(sa.select(records).where(records.c.record_id.in_(chunk)))
        ]
        target.execute(sa.delete(records).where(records.c.record_id.in_(chunk)))
        if local:
            target.execute(sa.insert(records), local)
    return len(entries)


def _carry_sequence(source: sa.Connection, target: sa.Connection) -> None:
    """The higher ``last_device_seq`` and ``last_hlc`` of the two stores into ``target``."""
    for key, order in (("last_device_seq", int), ("last_hlc", str)):
        query = sa.select(meta.c.value).where(meta.c.key == key)
        values = [v for c in (source, target) if (v := c.execute(query).scalar_one_or_none())]
        if values:
            target.exec_driver_sql(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, max(values, key=lambda v: order(json.loads(v)))),
            )
