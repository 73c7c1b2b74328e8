"""The records one pushed batch reads and writes: loaded (personal fields opened) before the
merge, and written back (personal fields sealed) with fresh sequence numbers after it."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
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
from syncserver.db.fixed_sql import FixedSql
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


class RecentlyParsed:
    """JSON objects of flat values parsed lately, by their text: the pushes of a busy home
    name the same residents again and again, and their stored text changes rarely. Each
    caller gets its own copy (the copy of a flat object is whole)."""

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._parsed: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._parsed)

    def parse(self, text: str) -> dict[str, Any]:
        with self._lock:
            known = self._parsed.get(text)
            if known is not None:
                self._parsed.move_to_end(text)
                return dict(known)
        values: dict[str, Any] = json.loads(text)
        if all(not isinstance(v, dict | list) for v in values.values()):
            with self._lock:
                self._parsed[text] = dict(values)
                if len(self._parsed) > self._capacity:
                    self._parsed.popitem(last=False)
        return values


_RECENT = RecentlyParsed()


class StoredJson(Mapping[str, Any]):
    """A stored JSON object, parsed when first read: a push names every resident its changes
    are about, and mostly needs only their home, not their fields."""

    __slots__ = ("_text", "_values")

    def __init__(self, text: str) -> None:
        self._text = text
        self._values: dict[str, Any] | None = None

    def _parsed(self) -> dict[str, Any]:
        if self._values is None:
            self._values = _RECENT.parse(self._text)
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


# What the rules and a push read of stored records and write back, as fixed SQL.
_READ = "SELECT record_id, entity, home_id, resident_id, fields, versions, hlc, user_id, device_id"
_IN_HOME = f"{_READ} FROM records WHERE tenant_id = ? AND (home_id = ? OR home_id IS NULL)"
_ONE_IN_HOME = FixedSql(f"{_IN_HOME} AND record_id = ?")
_RESIDENT_EVENTS = FixedSql(f"{_IN_HOME} AND entity = ? AND resident_id = ?")
_BY_IDS = FixedSql(f"{_READ} FROM records WHERE tenant_id = ? AND record_id IN (?)")
_IS_STORED = FixedSql("SELECT record_id FROM records WHERE tenant_id = ? AND record_id = ?")
_UPDATE = FixedSql(
    "UPDATE records SET fields = ?, versions = ?, hlc = ?, server_seq = ?, user_id = ?, "
    "device_id = ? WHERE tenant_id = ? AND record_id = ?"
)
# A new record's values, in the table's own column order (every column).
_INSERTED = tuple(records.c.keys())


class Lookup:
    """What the safety rules may read: the batch's rows (pending ones included) and, loaded
    on demand into the same map, this home's stored records. Rows are added to the map
    through ``add``."""

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
        # The rows of each (entity, resident) asked for, in the map's order: kept up to date
        # as rows are added, so a rule's look-up does not walk every row of the batch.
        self._of_resident: dict[tuple[str, str | None], list[Row]] = {}

    def add(self, row: Row) -> None:
        """Put ``row`` (new, or read from the database) in the map."""
        self._rows[row.record_id] = row
        listed = self._of_resident.get((row.entity, row.resident_id))
        if listed is not None:
            listed.append(row)

    def _load(self, query: FixedSql, *values: str) -> None:
        found = query.run(self._conn, self._tenant_id, self._home_id, *values)
        for r in found:
            if r[0] not in self._rows:
                self.add(to_row(r, self._cipher))

    def get_record(self, entity: str, record_id: str) -> rules.StoredRecord | None:
        if record_id not in self._rows:
            self._load(_ONE_IN_HOME, record_id)
        row = self._rows.get(record_id)
        if row is None or row.entity != entity:
            return None
        return rules.StoredRecord(row.entity, row.record_id, row.fields, row.versions)

    def events_for_resident(self, entity: str, resident_id: str) -> list[rules.StoredRecord]:
        listed = self._of_resident.get((entity, resident_id))
        if listed is None:
            listed = self._of_resident[entity, resident_id] = [
                row
                for row in self._rows.values()
                if row.entity == entity and row.resident_id == resident_id
            ]
            self._load(_RESIDENT_EVENTS, entity, resident_id)
        return [
            rules.StoredRecord(row.entity, row.record_id, row.fields, row.versions)
            for row in listed
        ]


def stored(conn: sa.Connection, tenant_id: str, record_id: str) -> bool:
    return _IS_STORED.run(conn, tenant_id, record_id).first() is not None


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
        for r in _BY_IDS.run(conn, tenant_id, chunk):
            loaded[r[0]] = to_row(r, cipher)
    return loaded


def to_row(r: Sequence[Any], cipher: TenantCipher) -> Row:
    """A stored record from its columns as ``_READ`` names them."""
    record_id, entity, home_id, resident_id, fields, versions, hlc, user_id, device_id = r
    return Row(
        entity,
        record_id,
        home_id,
        resident_id,
        StoredFields(fields, entity, record_id, cipher)
        if entity in SEALED_ENTITIES
        else StoredJson(fields),
        StoredJson(versions),
        hlc,
        user_id,
        device_id,
        exists=True,
    )


def write_rows(
    conn: sa.Connection, tenant_id: str, rows: dict[str, Row], seq: int, cipher: TenantCipher
) -> int:
    """Write every changed record with a new sequence number, personal fields sealed;
    returns the last sequence number used."""
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
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
                (
                    fields,
                    versions_json,
                    row.hlc,
                    seq,
                    row.user_id,
                    row.device_id,
                    tenant_id,
                    row.record_id,
                )
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
    _UPDATE.run_many(conn, updates)
    return seq
