"""Repository of records (every entity, as the entity registry shapes it). Never commits."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop.store import driver
from desktop.store.errors import MalformedRecord
from desktop.store.schema import records


@dataclass(frozen=True)
class StoredRecord:
    entity: str
    record_id: str
    home_id: str | None
    resident_id: str | None
    fields: dict[str, Any]
    versions: dict[str, str]
    hlc: str
    server_seq: int | None
    user_id: str | None
    device_id: str | None
    occurred_at: str | None
    pending: bool


# The columns in StoredRecord's order: the fixed queries run on the driver's connection
# select them so, and rows of SQLAlchemy's queries are read so.
_ORDER = (
    "entity",
    "record_id",
    "home_id",
    "resident_id",
    "fields",
    "versions",
    "hlc",
    "server_seq",
    "user_id",
    "device_id",
    "occurred_at",
    "pending",
)
_COLUMNS = ", ".join(_ORDER)
_GET = f"SELECT {_COLUMNS} FROM records WHERE record_id = ?"


def _tuple(t: Sequence[Any]) -> StoredRecord:
    entity, record_id, home_id, resident_id, fields, versions, hlc, seq, user, device, at, p = t
    return StoredRecord(
        entity,
        record_id,
        home_id,
        resident_id,
        json.loads(fields),
        json.loads(versions),
        hlc,
        seq,
        user,
        device,
        at,
        bool(p),
    )


def _row(r: sa.Row[Any]) -> StoredRecord:
    return _tuple([getattr(r, name) for name in _ORDER])


def get(conn: sa.Connection, record_id: str) -> StoredRecord | None:
    found = driver.execute(conn, _GET, (record_id,))
    return _tuple(found[0]) if found else None


def get_many(conn: sa.Connection, record_ids: Iterable[str]) -> dict[str, StoredRecord]:
    ids = list(set(record_ids))
    found: dict[str, StoredRecord] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in conn.execute(sa.select(records).where(records.c.record_id.in_(chunk))):
            found[row.record_id] = _row(row)
    return found


def by_entity(conn: sa.Connection, entity: str) -> list[StoredRecord]:
    return [
        _row(r)
        for r in conn.execute(
            sa.select(records).where(records.c.entity == entity).order_by(records.c.record_id)
        )
    ]


def for_resident(
    conn: sa.Connection,
    resident_id: str,
    entities: Sequence[str],
    *,
    since: str | None = None,
    before: str | None = None,
    limit: int | None = None,
) -> list[StoredRecord]:
    """Events of one resident, newest first (``occurred_at`` is ISO-8601 with zone)."""
    query = sa.select(records).where(
        records.c.resident_id == resident_id, records.c.entity.in_(entities)
    )
    if since is not None:
        query = query.where(records.c.occurred_at >= since)
    if before is not None:
        query = query.where(records.c.occurred_at < before)
    query = query.order_by(records.c.occurred_at.desc(), records.c.record_id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [_row(r) for r in conn.execute(query)]


def for_residents(
    conn: sa.Connection,
    resident_ids: Sequence[str],
    entities: Sequence[str],
    *,
    since: str,
    before: str,
) -> dict[str, list[StoredRecord]]:
    """Each resident's events with ``since <= occurred_at < before``: one statement built
    once, then one short walk down the (resident, time) index per resident."""
    query = sa.select(records).where(
        records.c.resident_id == sa.bindparam("rid"),
        records.c.entity.in_(entities),
        records.c.occurred_at >= since,
        records.c.occurred_at < before,
    )
    return {rid: [_row(r) for r in conn.execute(query, {"rid": rid})] for rid in resident_ids}


def for_residents_since(
    conn: sa.Connection, resident_ids: Sequence[str], entities: Sequence[str], since: str
) -> list[StoredRecord]:
    """Events of several residents from ``since`` on, in one query (each resident's part is a
    walk of the (resident, time) index), each resident's newest first."""
    found: list[StoredRecord] = []
    ids = sorted(resident_ids)
    for start in range(0, len(ids), 500):
        query = (
            sa.select(records)
            .where(
                records.c.resident_id.in_(ids[start : start + 500]),
                records.c.occurred_at >= since,
                records.c.entity.in_(entities),
            )
            .order_by(records.c.occurred_at.desc(), records.c.record_id.desc())
        )
        found += [_row(r) for r in conn.execute(query)]
    return found


def latest_event_time_by_resident(
    conn: sa.Connection, entities: Sequence[str], resident_ids: Sequence[str]
) -> dict[str, str]:
    """The newest event of each resident: one short walk down the (resident, time) index per
    resident, instead of grouping every event the home ever recorded."""
    latest: dict[str, str] = {}
    query = (
        sa.select(records.c.occurred_at)
        .where(
            records.c.resident_id == sa.bindparam("rid"),
            records.c.entity.in_(entities),
        )
        .order_by(records.c.occurred_at.desc())
        .limit(1)
    )
    for resident_id in resident_ids:
        value = conn.execute(query, {"rid": resident_id}).scalar_one_or_none()
        if value is not None:
            latest[resident_id] = value
    return latest


# The literal entity lets SQLite use the partial indexes of store version 5; the unary + strips
# the column's text affinity, which would otherwise keep the amends index from being searched.
_DOSES_OF_SLOT = (
    f"SELECT {_COLUMNS} FROM records WHERE entity = 'medication_administration' "
    "AND json_extract(fields, '$.slot_id') = :slot "
    f"UNION SELECT {', '.join('a.' + c for c in _ORDER)} "
    "FROM records AS s CROSS JOIN records AS a "
    "ON json_extract(a.fields, '$.amends_id') = +s.record_id "
    "AND a.entity = 'medication_administration' "
    "WHERE s.entity = 'medication_administration' AND json_extract(s.fields, '$.slot_id') = :slot"
)


def doses_of_slot(conn: sa.Connection, slot_id: str) -> list[StoredRecord]:
    """The administrations recorded for one scheduled dose, with every correction of them."""
    return [_tuple(t) for t in driver.execute(conn, _DOSES_OF_SLOT, {"slot": slot_id})]


_SETTING = (
    f"SELECT {_COLUMNS} FROM records WHERE entity = 'setting' "
    "AND json_extract(fields, '$.key') = ? ORDER BY record_id LIMIT 1"
)


def setting(conn: sa.Connection, key: str) -> StoredRecord | None:
    """The tenant setting ``key`` (the first by id, were there two)."""
    found = driver.execute(conn, _SETTING, (key,))
    return _tuple(found[0]) if found else None


# Fixed SQL with positional parameters: a note is one of these, and building or looking up a
# compiled SQLAlchemy statement per call cost more than SQLite's own work.
_INSERT = (
    "INSERT INTO records (entity, home_id, resident_id, fields, versions, hlc, server_seq, "
    "user_id, device_id, occurred_at, pending, record_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_REPLACE = (
    "UPDATE records SET entity = ?, home_id = ?, resident_id = ?, fields = ?, versions = ?, "
    "hlc = ?, server_seq = ?, user_id = ?, device_id = ?, occurred_at = ?, pending = ? "
    "WHERE record_id = ?"
)


def insert(conn: sa.Connection, record: StoredRecord) -> None:
    driver.execute(conn, _INSERT, _params(record))


def replace(conn: sa.Connection, record: StoredRecord) -> None:
    driver.execute(conn, _REPLACE, _params(record))


def _params(record: StoredRecord) -> tuple[Any, ...]:
    """The columns in the order of ``_INSERT`` and ``_REPLACE`` (the record's id last)."""
    return (
        record.entity,
        record.home_id,
        record.resident_id,
        json.dumps(record.fields),
        json.dumps(record.versions),
        record.hlc,
        record.server_seq,
        record.user_id,
        record.device_id,
        record.occurred_at,
        1 if record.pending else 0,
        record.record_id,
    )


def bulk_upsert(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Write server states in one statement per batch (``fields``/``versions`` as JSON text)."""
    if not rows:
        return
    conn.exec_driver_sql(
        "INSERT INTO records (record_id, entity, home_id, resident_id, fields, versions, hlc, "
        "server_seq, user_id, device_id, occurred_at, pending) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT(record_id) DO UPDATE SET "
        "entity=excluded.entity, home_id=excluded.home_id, resident_id=excluded.resident_id, "
        "fields=excluded.fields, versions=excluded.versions, hlc=excluded.hlc, "
        "server_seq=excluded.server_seq, user_id=excluded.user_id, device_id=excluded.device_id, "
        "occurred_at=excluded.occurred_at, pending=0",
        [
            (
                r["record_id"],
                r["entity"],
                r["home_id"],
                r["resident_id"],
                r["fields"],
                r["versions"],
                r["hlc"],
                r["server_seq"],
                r["user_id"],
                r["device_id"],
                r["occurred_at"],
            )
            for r in rows
        ],
    )


def count_synced(conn: sa.Connection) -> int:
    return int(
        conn.execute(
            sa.select(sa.func.count()).select_from(records).where(records.c.server_seq.is_not(None))
        ).scalar_one()
    )


def count_not_synced(conn: sa.Connection, record_ids: Sequence[str]) -> int:
    """How many of these records (each counted once) this store does not hold as synced:
    by how much ``count_synced`` grows when they are written from the server."""
    unique = set(record_ids)
    held = conn.exec_driver_sql(
        "SELECT count(*) FROM records WHERE server_seq IS NOT NULL AND record_id IN "
        "(SELECT value FROM json_each(?))",
        (json.dumps(sorted(unique)),),
    ).scalar_one()
    return len(unique) - int(held)


def mark_synced(conn: sa.Connection, record_ids: Iterable[str]) -> None:
    ids = list(record_ids)
    for start in range(0, len(ids), 500):
        conn.execute(
            sa.update(records)
            .where(records.c.record_id.in_(ids[start : start + 500]))
            .values(pending=0)
        )


# Pulled rows go in as the server sent them (shared.pull_page.PULL_COLUMNS order, ``fields``
# and ``versions`` as JSON text), checked and read by SQLite in the same pass: ``fields`` is
# NULL, which the table refuses, unless ``fields`` is a JSON object and ``versions`` an object
# of strings (nested CASE, because the JSON functions other than json_valid fail on malformed
# text); ``occurred_at`` is read from ``fields``.
_UPSERT_PULLED = (
    "INSERT INTO records (record_id, entity, home_id, resident_id, fields, versions, hlc, "
    "server_seq, user_id, device_id, occurred_at, pending) VALUES (?1, ?2, ?3, ?4, "
    "CASE WHEN json_valid(?5) AND json_valid(?6) THEN (CASE WHEN json_type(?5) = 'object' "
    "AND json_type(?6) = 'object' AND NOT EXISTS (SELECT 1 FROM json_each(?6) "
    "WHERE type <> 'text') THEN ?5 END) END, "
    "?6, ?7, ?8, ?9, ?10, CASE WHEN json_valid(?5) THEN (CASE json_type(?5, '$.occurred_at') "
    "WHEN 'text' THEN json_extract(?5, '$.occurred_at') END) END, 0) "
    "ON CONFLICT(record_id) DO UPDATE SET "
    "entity=excluded.entity, home_id=excluded.home_id, resident_id=excluded.resident_id, "
    "fields=excluded.fields, versions=excluded.versions, hlc=excluded.hlc, "
    "server_seq=excluded.server_seq, user_id=excluded.user_id, device_id=excluded.device_id, "
    "occurred_at=excluded.occurred_at, pending=0"
)


def upsert_pulled(conn: sa.Connection, rows: Sequence[Sequence[Any]]) -> None:
    """Write server states given as rows of ``shared.pull_page.PULL_COLUMNS``. A row whose
    JSON text is not a record's raises MalformedRecord; the caller's transaction must then
    roll back (the rows before it in the batch are written)."""
    if not rows:
        return
    try:
        conn.exec_driver_sql(_UPSERT_PULLED, list(rows))
    except sa.exc.IntegrityError as exc:
        if "records.fields" not in str(exc.orig):
            raise
        raise MalformedRecord(
            "a record's fields or versions are not JSON objects of the expected kind"
        ) from None
