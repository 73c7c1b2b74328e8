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
from syncserver import json_text
from syncserver.crypto import SEALED_ENTITIES, TenantCipher, sealed_names
from syncserver.crypto.fields import RECORDS
from syncserver.db.bulk import insert_rows
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

    def get(self, name: str, default: Any = None) -> Any:
        return self._parsed().get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._parsed()

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
        closed = self._closed
        if closed is None:
            closed = self._closed = {n for n in sealed_names(self._entity, values) if n in values}
        if name in closed:
            value = self._cipher.open_value(RECORDS, self._record_id, name, value)
            values[name] = value
            closed.discard(name)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self._parsed() else default


# What the rules and a push read of stored records: built once (see ``Lookup``, ``load_rows``).
_IN_TENANT = records.c.tenant_id == sa.bindparam("tenant")
_IN_HOME = sa.select(records).where(
    _IN_TENANT,
    sa.or_(records.c.home_id == sa.bindparam("home"), records.c.home_id.is_(None)),
)
_ONE_IN_HOME = _IN_HOME.where(records.c.record_id == sa.bindparam("record"))
_RESIDENT_EVENTS = _IN_HOME.where(
    records.c.entity == sa.bindparam("entity"), records.c.resident_id == sa.bindparam("resident")
)
_BY_IDS = sa.select(records).where(
    _IN_TENANT, records.c.record_id.in_(sa.bindparam("ids", expanding=True))
)
_IS_STORED = sa.select(records.c.record_id).where(
    _IN_TENANT, records.c.record_id == sa.bindparam("record")
)
_UPDATE = (
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
    )
)
_INSERTED = (
    "tenant_id",
    "record_id",
    "entity",
    "home_id",
    "resident_id",
    "fields",
    "versions",
    "hlc",
    "server_seq",
    "user_id",
    "device_id",
)


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

    def _load(self, query: sa.Select[Any], params: dict[str, str]) -> None:
        params.update(tenant=self._tenant_id, home=self._home_id)
        for r in self._conn.execute(query, params).mappings():
            self._rows.setdefault(r["record_id"], to_row(r, self._cipher))

    def get_record(self, entity: str, record_id: str) -> rules.StoredRecord | None:
        if record_id not in self._rows:
            self._load(_ONE_IN_HOME, {"record": record_id})
        row = self._rows.get(record_id)
        if row is None or row.entity != entity:
            return None
        return rules.StoredRecord(row.entity, row.record_id, row.fields, row.versions)

    def events_for_resident(self, entity: str, resident_id: str) -> list[rules.StoredRecord]:
        if (entity, resident_id) not in self._loaded:
            self._loaded.add((entity, resident_id))
            self._load(_RESIDENT_EVENTS, {"entity": entity, "resident": resident_id})
        return [
            rules.StoredRecord(row.entity, row.record_id, row.fields, row.versions)
            for row in self._rows.values()
            if row.entity == entity and row.resident_id == resident_id
        ]


def stored(conn: sa.Connection, tenant_id: str, record_id: str) -> bool:
    return conn.execute(_IS_STORED, {"tenant": tenant_id, "record": record_id}).first() is not None


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
        for r in conn.execute(_BY_IDS, {"tenant": tenant_id, "ids": chunk}).mappings():
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
    inserts: list[tuple[Any, ...]] = []
    updates: list[dict[str, Any]] = []
    for row in rows.values():
        if not row.dirty:
            continue
        seq += 1
        fields = row.stored_json or json_text.dumps(
            cipher.seal(row.entity, row.record_id, row.fields)
        )
        versions = row.versions
        versions_json = json_text.dumps(versions if type(versions) is dict else dict(versions))
        if row.exists:
            updates.append(
                {
                    "b_tenant": tenant_id,
                    "b_record": row.record_id,
                    "b_fields": fields,
                    "b_versions": versions_json,
                    "b_hlc": row.hlc,
                    "b_seq": seq,
                    "b_user": row.user_id,
                    "b_device": row.device_id,
                }
            )
        else:
            inserts.append(
                (
                    tenant_id,
                    row.record_id,
                    row.entity,
                    row.home_id,
                    row.resident_id,
                    fields,
                    versions_json,
                    row.hlc,
                    seq,
                    row.user_id,
                    row.device_id,
                )
            )
    if inserts:
        insert_rows(conn, records, _INSERTED, inserts)
    if updates:
        conn.execute(_UPDATE, updates)
    return seq
