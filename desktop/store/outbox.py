"""Repository of the outbox: changes made on this PC and not yet acknowledged by the server.
A change and its record are written in one transaction by the caller."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop.store import driver
from desktop.store.schema import outbox, sent_changes


@dataclass(frozen=True)
class OutboxEntry:
    device_seq: int
    change_id: str
    record_id: str
    entity: str
    body: dict[str, Any]


_APPEND = (
    "INSERT INTO outbox (device_seq, change_id, record_id, entity, body) VALUES (?, ?, ?, ?, ?)"
)


def append(conn: sa.Connection, device_seq: int, body: dict[str, Any]) -> None:
    driver.execute(
        conn,
        _APPEND,
        (device_seq, body["change_id"], body["record_id"], body["entity"], json.dumps(body)),
    )


def pending(conn: sa.Connection, limit: int, max_bytes: int | None = None) -> list[OutboxEntry]:
    """The oldest ``limit`` changes waiting to be sent; with ``max_bytes``, only as many as
    fit in that many bytes of JSON (always at least one), so a batch of photos stays small."""
    return [
        OutboxEntry(r.device_seq, r.change_id, r.record_id, r.entity, json.loads(r.body))
        for r in _pending_rows(conn, limit, max_bytes)
    ]


def pending_json(
    conn: sa.Connection, limit: int, max_bytes: int | None = None
) -> list[tuple[int, str]]:
    """``pending`` as (device_seq, the change's JSON text as stored): what a push sends,
    without parsing it only to write it out again."""
    return [(r.device_seq, r.body) for r in _pending_rows(conn, limit, max_bytes)]


def _pending_rows(conn: sa.Connection, limit: int, max_bytes: int | None) -> list[sa.Row[Any]]:
    rows = conn.execute(sa.select(outbox).order_by(outbox.c.device_seq).limit(limit))
    chosen: list[sa.Row[Any]] = []
    total = 0
    for r in rows:
        total += len(r.body)
        if max_bytes is not None and chosen and total > max_bytes:
            break
        chosen.append(r)
    return chosen


def pending_record_ids(conn: sa.Connection) -> set[str]:
    return set(conn.execute(sa.select(outbox.c.record_id).distinct()).scalars())


def pending_fields(conn: sa.Connection, record_id: str) -> set[str]:
    fields: set[str] = set()
    for body in conn.execute(
        sa.select(outbox.c.body).where(outbox.c.record_id == record_id)
    ).scalars():
        fields.update(json.loads(body)["fields"])
    return fields


SENT_RETENTION_MS = 60 * 24 * 60 * 60 * 1000  # longer than any sensible backup interval


def remove_through(conn: sa.Connection, device_seq: int, now_ms: int | None = None) -> list[str]:
    """Move acknowledged entries out of the outbox into the sent log (kept for
    ``SENT_RETENTION_MS`` in case the server is restored from an older backup); returns the
    record ids they were about."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    acknowledged = outbox.c.device_seq <= device_seq
    ids = list(conn.execute(sa.select(outbox.c.record_id).where(acknowledged)).scalars())
    conn.execute(
        sa.insert(sent_changes).from_select(
            ["device_seq", "change_id", "record_id", "entity", "body", "acked_at_ms"],
            sa.select(
                outbox.c.device_seq,
                outbox.c.change_id,
                outbox.c.record_id,
                outbox.c.entity,
                outbox.c.body,
                sa.literal(now_ms),
            ).where(acknowledged),
        )
    )
    conn.execute(sa.delete(outbox).where(acknowledged))
    conn.execute(
        sa.delete(sent_changes).where(sent_changes.c.acked_at_ms < now_ms - SENT_RETENTION_MS)
    )
    return ids


def resend_from(conn: sa.Connection, device_seq: int) -> int | None:
    """Put sent changes from ``device_seq`` on back into the outbox (the server lost them).
    Returns how many, or None when the first of them is no longer kept on this PC."""
    first = conn.execute(
        sa.select(sa.func.min(sent_changes.c.device_seq)).where(
            sent_changes.c.device_seq >= device_seq
        )
    ).scalar_one_or_none()
    already_queued = conn.execute(sa.select(sa.func.min(outbox.c.device_seq))).scalar_one_or_none()
    if device_seq not in (first, already_queued):
        return None
    again = sent_changes.c.device_seq >= device_seq
    moved = conn.execute(
        sa.insert(outbox).from_select(
            ["device_seq", "change_id", "record_id", "entity", "body"],
            sa.select(
                sent_changes.c.device_seq,
                sent_changes.c.change_id,
                sent_changes.c.record_id,
                sent_changes.c.entity,
                sent_changes.c.body,
            ).where(again),
        )
    ).rowcount
    conn.execute(sa.delete(sent_changes).where(again))
    return int(moved or 0)


def count(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one())


def all_entries(conn: sa.Connection) -> list[OutboxEntry]:
    return pending(conn, 1 << 62)
