"""Recording a change on this PC: the record and its outbox entry are written together in the
caller's transaction, so "saved" always means "will be sent"."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop.store import meta, outbox
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from desktop.sync.errors import PermissionDenied
from shared import entities as ent
from shared import permissions
from shared.hlc import HybridClock
from shared.ids import new_id
from shared.merge import make_version


@dataclass(frozen=True)
class Author:
    user_id: str
    role: str


class ChangeRecorder:
    def __init__(self, device_id: str, home_id: str, clock: HybridClock) -> None:
        self.device_id = device_id
        self.home_id = home_id
        self.clock = clock

    def _queue(
        self,
        conn: sa.Connection,
        *,
        entity: str,
        record_id: str,
        op: str,
        fields: dict[str, Any],
        base_versions: dict[str, str],
        hlc: str,
        change_id: str,
        author: Author,
    ) -> None:
        seq = meta.next_device_seq(conn, hlc)
        outbox.append(
            conn,
            seq,
            {
                "change_id": change_id,
                "device_seq": seq,
                "entity": entity,
                "record_id": record_id,
                "op": op,
                "fields": fields,
                "base_versions": base_versions,
                "hlc": hlc,
                "user_id": author.user_id,
                "recorded_at_ms": int(time.time() * 1000),
            },
        )

    def create(
        self,
        conn: sa.Connection,
        entity: str,
        fields: dict[str, Any],
        author: Author,
        *,
        record_id: str | None = None,
        check_permission: bool = True,
    ) -> StoredRecord:
        spec = ent.ENTITIES[entity]
        if check_permission:
            refusal = permissions.write_refusal(author.role, entity, list(fields), creating=True)
            if refusal:
                raise PermissionDenied(_sentence(refusal))
        ent.validate_fields(entity, fields, partial=False)
        change_id = new_id()
        record_id = record_id or change_id
        hlc = self.clock.now()
        version = make_version(hlc, change_id)
        resident_id = record_id if entity == "resident" else None
        if spec.resident_field:
            value = fields.get(spec.resident_field)
            resident_id = value if isinstance(value, str) else None
        occurred = fields.get("occurred_at")
        record = StoredRecord(
            entity,
            record_id,
            None if spec.tenant_wide else self.home_id,
            resident_id,
            dict(fields),
            {name: version for name in fields},
            hlc,
            None,
            author.user_id,
            self.device_id,
            occurred if isinstance(occurred, str) else None,
            True,
        )
        records_repo.insert(conn, record)
        self._queue(
            conn,
            entity=entity,
            record_id=record_id,
            op="create",
            fields=dict(fields),
            base_versions={},
            hlc=hlc,
            change_id=change_id,
            author=author,
        )
        return record

    def update(
        self, conn: sa.Connection, record_id: str, fields: dict[str, Any], author: Author
    ) -> StoredRecord:
        current = records_repo.get(conn, record_id)
        if current is None:
            raise PermissionDenied("That record is not on this PC.")
        spec = ent.ENTITIES[current.entity]
        if spec.kind is not ent.Kind.MUTABLE:
            raise PermissionDenied(
                "Clinical records are never changed: add an amendment or mark it entered in error."
            )
        changed = {k: v for k, v in fields.items() if current.fields.get(k) != v}
        if not changed:
            return current
        refusal = permissions.write_refusal(
            author.role, current.entity, list(changed), creating=False
        )
        if refusal:
            raise PermissionDenied(_sentence(refusal))
        ent.validate_fields(current.entity, changed, partial=True)
        change_id = new_id()
        hlc = self.clock.now()
        version = make_version(hlc, change_id)
        base = {name: current.versions[name] for name in changed if name in current.versions}
        record = StoredRecord(
            current.entity,
            current.record_id,
            current.home_id,
            current.resident_id,
            {**current.fields, **changed},
            {**current.versions, **{name: version for name in changed}},
            hlc,
            current.server_seq,
            author.user_id,
            self.device_id,
            current.occurred_at,
            True,
        )
        records_repo.replace(conn, record)
        self._queue(
            conn,
            entity=current.entity,
            record_id=record_id,
            op="update",
            fields=changed,
            base_versions=base,
            hlc=hlc,
            change_id=change_id,
            author=author,
        )
        return record


def _sentence(reason: str) -> str:
    return reason[0].upper() + reason[1:] + "."
