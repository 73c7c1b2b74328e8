"""The records one pushed batch reads and writes: loaded (personal fields opened) before the
merge, and written back (personal fields sealed) with fresh sequence numbers after it."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from shared import entities as ent
from shared import rules
from shared.protocol import Change
from syncserver.crypto import SEALED_ENTITIES, TenantCipher, sealed_names
from syncserver.crypto.fields import RECORDS
from syncserver.db.bulk import insert_many
from syncserver.db.tables import records
from syncserver.sync.context import DeviceContext


@dataclass
class Row:
    entity: str
    record_id: str
    home_id: str | None
    resident_id: str | None
    fields: Mapping[str, Any]  # a stored record's are parsed and opened as they are read
    versions: Mapping[str, str]
    hlc: str
    user_id: str | None
    device_id: str | None
    exists: bool
    dirty: bool = False
    # ``fields`` as stored (JSON, personal values sealed) while they are what was pushed:
    # a created record's row reuses its change's sealed text instead of sealing twice.
    stored_json: str | None = None


class StoredJson(Mapping[str, Any]):
    """A stored JSON object, parsed when first read: a push names every resident its changes
    are about, and mostly needs only their home, not their fields."""

    __slots__ = ("_text", "_values")

    def __init__(self, text: str) -> None:
        self._text = text
        self._values: dict[str, Any] | None = None

    def _parsed(self) -> dict[str, Any]:
        if self._values is None:
            self._values = json.loads(self._text)
        return self._values

    def __getitem__(self, name: str) -> Any:
        return self._parsed()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed())

    def __len__(self) -> int:
        return len(self._parsed())


class StoredFields(StoredJson):
    """A stored record's fields, whose sealed values are opened when first read: the rules
    mostly read a resident's status, so a push need not decrypt every resident it names."""

    __slots__ = ("_cipher", "_closed", "_entity", "_record_id")

    def __init__(self, text: str, entity: str, record_id: str, cipher: TenantCipher) -> None:
        super().__init__(text)
        self._entity = entity
        self._record_id = record_id
        self._cipher = cipher
        self._closed: set[str] | None = None

    def __getitem__(self, name: str) -> Any:
        values = self._parsed()
        value = values[name]
        if self._closed is None:
            self._closed = {n for n in sealed_names(self._entity, values) if n in values}
        if name in self._closed:
            value = self._cipher.open_value(RECORDS, self._record_id, name, value)
            values[name] = value
            self._closed.discard(name)
        return value


class Lookup:
    """What the safety rules may read: the batch's rows (pending ones included) and, loaded
    on demand into the same map, this home's stored records."""

    def __init__(
        self,
        rows: dict[str, Row],
        conn: sa.Connection,
        device: DeviceContext,
        cipher: TenantCipher,
    ) -> None:
        self._rows = rows
        self._conn = conn
        self._cipher = cipher
        self._tenant_id = device.tenant_id
        self._home_id = device.home_id
        self._loaded: set[tuple[str, str]] = set()

    def _load(self, condition: sa.ColumnElement[bool]) -> None:
        query = sa.select(records).where(
            records.c.tenant_id == self._tenant_id,
            sa.or_(records.c.home_id == self._home_id, records.c.home_id.is_(None)),
            condition,
        )
        for r in self._conn.execute(query).mappings():
            self._rows.setdefault(r["record_id"], to_row(r, self._cipher))

    def get_record(self, entity: str, record_id: str) -> rules.StoredRecord | None:
        if record_id not in self._rows:
            self._load(records.c.record_id == record_id)
        row = self._rows.get(record_id)
        if row is None or row.entity != entity:
            return None
        return rules.StoredRecord(row.entity, row.record_id, row.fields, row.versions)

    def events_for_resident(self, entity: str, resident_id: str) -> list[rules.StoredRecord]:
        if (entity, resident_id) not in self._loaded:
            self._loaded.add((entity, resident_id))
            self._load(sa.and_(records.c.entity == entity, records.c.resident_id == resident_id))
        return [
            rules.StoredRecord(row.entity, row.record_id, row.fields, row.versions)
            for row in self._rows.values()
            if row.entity == entity and row.resident_id == resident_id
        ]


def stored(conn: sa.Connection, tenant_id: str, record_id: str) -> bool:
    return (
        conn.execute(
            sa.select(records.c.record_id).where(
                records.c.tenant_id == tenant_id, records.c.record_id == record_id
            )
        ).first()
        is not None
    )


def load_rows(
    conn: sa.Connection, tenant_id: str, batch: list[Change], cipher: TenantCipher
) -> dict[str, Row]:
    wanted: set[str] = set()
    for change in batch:
        wanted.add(change.record_id)
        entity = ent.ENTITIES.get(change.entity)
        if entity is not None and entity.resident_field:
            value = change.fields.get(entity.resident_field)
            if isinstance(value, str):
                wanted.add(value)
    loaded: dict[str, Row] = {}
    ids = sorted(wanted)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for r in conn.execute(
            sa.select(records).where(
                records.c.tenant_id == tenant_id, records.c.record_id.in_(chunk)
            )
        ).mappings():
            loaded[r["record_id"]] = to_row(r, cipher)
    return loaded


def to_row(r: sa.RowMapping, cipher: TenantCipher) -> Row:
    entity, record_id = r["entity"], r["record_id"]
    fields = (
        StoredFields(r["fields"], entity, record_id, cipher)
        if entity in SEALED_ENTITIES
        else StoredJson(r["fields"])
    )
    return Row(
        entity,
        record_id,
        r["home_id"],
        r["resident_id"],
        fields,
        StoredJson(r["versions"]),
        r["hlc"],
        r["user_id"],
        r["device_id"],
        exists=True,
    )


def write_rows(
    conn: sa.Connection, tenant_id: str, rows: dict[str, Row], seq: int, cipher: TenantCipher
) -> int:
    """Write every changed record with a new sequence number, personal fields sealed;
    returns the last sequence number used."""
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in rows.values():
        if not row.dirty:
            continue
        seq += 1
        values = {
            "tenant_id": tenant_id,
            "record_id": row.record_id,
            "entity": row.entity,
            "home_id": row.home_id,
            "resident_id": row.resident_id,
            "fields": row.stored_json
            or json.dumps(cipher.seal(row.entity, row.record_id, row.fields)),
            "versions": json.dumps(dict(row.versions)),
            "hlc": row.hlc,
            "server_seq": seq,
            "user_id": row.user_id,
            "device_id": row.device_id,
        }
        (updates if row.exists else inserts).append(values)
    if inserts:
        insert_many(conn, records, inserts)
    if updates:
        conn.execute(
            sa.update(records)
            .where(
                records.c.tenant_id == sa.bindparam("b_tenant"),
                records.c.record_id == sa.bindparam("b_record"),
            )
            .values(
                fields=sa.bindparam("b_fields"),
                versions=sa.bindparam("b_versions"),
                hlc=sa.bindparam("b_hlc"),
                server_seq=sa.bindparam("b_seq"),
                user_id=sa.bindparam("b_user"),
                device_id=sa.bindparam("b_device"),
            ),
            [
                {
                    "b_tenant": u["tenant_id"],
                    "b_record": u["record_id"],
                    "b_fields": u["fields"],
                    "b_versions": u["versions"],
                    "b_hlc": u["hlc"],
                    "b_seq": u["server_seq"],
                    "b_user": u["user_id"],
                    "b_device": u["device_id"],
                }
                for u in updates
            ],
        )
    return seq
