"""Repository of the outbox: changes made on this PC and not yet acknowledged by the server.
A change and its record are written in one transaction by the caller."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop.store.schema import outbox


@dataclass(frozen=True)
class OutboxEntry:
    device_seq: int
    change_id: str
    record_id: str
    entity: str
    body: dict[str, Any]


def append(conn: sa.Connection, device_seq: int, body: dict[str, Any]) -> None:
    conn.execute(
        sa.insert(outbox).values(
            device_seq=device_seq,
            change_id=body["change_id"],
            record_id=body["record_id"],
            entity=body["entity"],
            body=json.dumps(body),
        )
    )


def pending(conn: sa.Connection, limit: int) -> list[OutboxEntry]:
    rows = conn.execute(sa.select(outbox).order_by(outbox.c.device_seq).limit(limit))
    return [
        OutboxEntry(r.device_seq, r.change_id, r.record_id, r.entity, json.loads(r.body))
        for r in rows
    ]


def pending_record_ids(conn: sa.Connection) -> set[str]:
    return set(conn.execute(sa.select(outbox.c.record_id).distinct()).scalars())


def pending_fields(conn: sa.Connection, record_id: str) -> set[str]:
    fields: set[str] = set()
    for body in conn.execute(
        sa.select(outbox.c.body).where(outbox.c.record_id == record_id)
    ).scalars():
        fields.update(json.loads(body)["fields"])
    return fields


def remove_through(conn: sa.Connection, device_seq: int) -> list[str]:
    """Drop acknowledged entries; returns the record ids they were about."""
    ids = list(
        conn.execute(
            sa.select(outbox.c.record_id).where(outbox.c.device_seq <= device_seq)
        ).scalars()
    )
    conn.execute(sa.delete(outbox).where(outbox.c.device_seq <= device_seq))
    return ids


def count(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one())


def all_entries(conn: sa.Connection) -> list[OutboxEntry]:
    return pending(conn, 1 << 62)
