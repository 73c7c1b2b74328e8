"""Merging one pushed batch into the tenant's state: all of it in one transaction, or none.

Order of work: lock the tenant's counter row (so sequence numbers commit in order), drop
changes already stored (a retried batch), refuse gaps, check every change against the
entity registry and the permission matrix, merge, run the safety rules, append the audit
trail, and move the device's acknowledged sequence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from shared import entities as ent
from shared import permissions, rules
from shared.merge import make_version, merge_fields
from shared.protocol import Change
from syncserver import audit, json_text
from syncserver.crypto import SEALED_ENTITIES, TenantCipher
from syncserver.db.bulk import insert_rows
from syncserver.db.fixed_sql import FixedSql
from syncserver.db.tables import changes, devices
from syncserver.errors import AuthError, BadRequest, Conflict, Forbidden
from syncserver.sync.context import NOT_ENROLLED, DeviceContext
from syncserver.sync.rows import Lookup, Row, load_rows, stored, write_rows

# The statements of every push, as fixed SQL.
_LOCK_TENANT = FixedSql(
    "UPDATE tenants SET seq = seq WHERE id = ? "
    "RETURNING seq, audit_seq, audit_head, audit_key_wrapped, audit_key_master_id"
)
# The device as it stands now: IT may have removed it from service since its credential
# was checked (a removed PC may still hand over what it recorded; its changes are marked).
_DEVICE_NOW = FixedSql("SELECT acked_seq, status FROM devices WHERE id = ? AND tenant_id = ?")
_ROLES = FixedSql("SELECT id, role FROM users WHERE tenant_id = ? AND id IN (?)")
_MOVE_TENANT = FixedSql("UPDATE tenants SET seq = ?, audit_seq = ?, audit_head = ? WHERE id = ?")
_MOVE_DEVICE = FixedSql(
    "UPDATE devices SET acked_seq = ?, last_seen_at = ? WHERE id = ?",
    columns={1: devices.c.last_seen_at},
)
_CHANGE_COLUMNS = (
    "tenant_id",
    "change_id",
    "seq",
    "device_id",
    "device_seq",
    "user_id",
    "entity",
    "record_id",
    "op",
    "fields",
    "base_versions",
    "hlc",
    "received_at",
)


@dataclass
class IngestResult:
    acknowledged_seq: int
    seq_before: int = 0  # the tenant's sequence when this push took its lock
    audit_seq: int = 0  # the tenant's audit trail after this push (0: nothing appended)
    applied: int = 0
    duplicates: int = 0
    review_items: int = 0
    server_seq: int = 0
    touched_homes: set[str | None] = field(default_factory=set)


def _refuse(change: Change, message: str, code: str, kind: type[BadRequest | Forbidden]) -> None:
    raise kind(
        f"Change {change.device_seq} ({change.entity} {change.record_id}): {message}",
        code=code,
        detail={"device_seq": change.device_seq, "change_id": change.change_id},
    )


def ingest(
    conn: sa.Connection, device: DeviceContext, batch: list[Change], cipher: TenantCipher
) -> IngestResult:
    """Merge ``batch``; ``cipher`` (of the device's tenant, on ``conn``) opens and seals the
    personal fields of the records read and written."""
    # Take the tenant lock first: it orders every write of this tenant behind this batch.
    # The same statement reads the audit chain's head and key, which the lock also guards.
    head = _LOCK_TENANT.run(conn, device.tenant_id).one()
    seq = int(head.seq)
    now_row = _DEVICE_NOW.run(conn, device.device_id, device.tenant_id).one_or_none()
    if now_row is None:
        raise AuthError(NOT_ENROLLED, code="device_unauthenticated")
    acked, revoked = int(now_row.acked_seq), now_row.status != "active"
    ordered = sorted(batch, key=lambda c: c.device_seq)
    fresh = [c for c in ordered if c.device_seq > acked]
    result = IngestResult(acknowledged_seq=acked, duplicates=len(ordered) - len(fresh))
    result.server_seq = result.seq_before = seq
    if not fresh:
        return result
    expected = acked + 1
    for change in fresh:
        if change.device_seq != expected:
            raise Conflict(
                f"Changes are missing from this device: expected change {expected}, "
                f"got {change.device_seq}.",
                code="sequence_gap",
                detail={"expected_seq": expected, "got_seq": change.device_seq},
            )
        expected += 1

    known_ids = [c.change_id for c in fresh]
    if len(set(known_ids)) != len(known_ids):
        # Caught here: the primary key would otherwise fail the insert as a server error.
        raise Conflict("A change id appears twice in one batch.", code="change_id_reused")

    user_ids = sorted({c.user_id for c in fresh})
    roles: dict[str, str] = {r.id: r.role for r in _ROLES.run(conn, device.tenant_id, user_ids)}
    rows = load_rows(conn, device.tenant_id, fresh, cipher)
    lookup = Lookup(rows, conn, device, cipher)
    change_rows: list[tuple[Any, ...]] = []
    audit_entries: list[audit.AuditEntry] = []
    audit_key = cipher.audit_key(stored=(head.audit_key_wrapped, head.audit_key_master_id))
    now = dt.datetime.now(dt.UTC)
    occurred_now = now.isoformat(timespec="seconds")

    for change in fresh:
        entity = ent.ENTITIES.get(change.entity)
        if entity is None:
            _refuse(
                change, f"unknown kind of record {change.entity!r}", "unknown_entity", BadRequest
            )
            raise AssertionError  # unreachable; keeps type checkers informed
        if entity.kind is ent.Kind.REFERENCE:
            _refuse(change, "this kind of record is managed by the server", "read_only", Forbidden)
        # Active or not: a user disabled after recording offline still had the right to
        # record then, so the record is kept (nothing on the floor is lost); sign-in is what
        # is refused.
        role = roles.get(change.user_id)
        if role is None:
            _refuse(
                change, "the author is not a member of this provider", "unknown_user", Forbidden
            )
            raise AssertionError
        row = rows.get(change.record_id)
        creating = row is None
        # Whose record it is comes before what may be done to it, so a refusal never tells
        # a PC about a record outside its home. An update names a record that must exist
        # in this tenant (another tenant's id is simply unknown here).
        if row is not None and (row.entity != change.entity or row.home_id != device.home_id):
            _refuse(change, "no such record", "not_found", Forbidden)
        if row is None and change.op == "update":
            _refuse(change, "no such record", "not_found", Forbidden)
        refusal = permissions.write_refusal(
            role, change.entity, list(change.fields), creating=creating
        )
        if refusal:
            _refuse(change, refusal, "permission_denied", Forbidden)
        if entity.kind is ent.Kind.EVENT and change.op != "create":
            _refuse(
                change,
                "clinical records are never changed; add an amendment",
                "append_only",
                BadRequest,
            )
        try:
            ent.validate_fields(change.entity, change.fields, partial=not creating)
        except ent.FieldError as exc:
            _refuse(change, str(exc), "invalid_field", BadRequest)
        resident_id = _resident_of(entity, change, row)
        if resident_id is not None and change.entity != "resident":
            if resident_id not in rows:
                lookup.get_record("resident", resident_id)  # an update names no resident
            resident = rows.get(resident_id)
            if (
                resident is None
                or resident.entity != "resident"
                or resident.home_id != device.home_id
            ):
                _refuse(change, "the resident is not in this home", "not_found", Forbidden)

        seq += 1
        version = make_version(change.hlc, change.change_id)
        conflicts: list[Any] = []
        sealed_json = json_text.dumps(
            cipher.seal(change.entity, change.record_id, change.fields)
            if change.entity in SEALED_ENTITIES
            else change.fields
        )
        if row is None:
            row = Row(
                change.entity,
                change.record_id,
                device.home_id,
                resident_id,
                dict(change.fields),
                dict.fromkeys(change.fields, version),
                change.hlc,
                change.user_id,
                device.device_id,
                exists=False,
                dirty=True,
                stored_json=sealed_json,
            )
            lookup.add(row)
        elif entity.kind is ent.Kind.EVENT:
            pass  # the same event id twice: the first one stands (stable-id review items)
        else:
            merged = merge_fields(
                dict(row.fields), dict(row.versions), change.fields, change.base_versions, version
            )
            row.fields, row.versions, row.stored_json = merged.values, merged.versions, None
            row.hlc = max(row.hlc, change.hlc)
            row.user_id, row.device_id = change.user_id, device.device_id
            row.dirty = True
            conflicts = merged.conflicts
        result.applied += 1
        change_rows.append(
            (
                device.tenant_id,
                change.change_id,
                seq,
                device.device_id,
                change.device_seq,
                change.user_id,
                change.entity,
                change.record_id,
                change.op,
                sealed_json,
                json_text.dumps(change.base_versions) if change.base_versions else "{}",
                change.hlc,
                now,
            )
        )
        audit_entries.append(
            audit.AuditEntry(
                _audit_action(change.entity, change.op, revoked),
                change.user_id,
                device.device_id,
                f"{change.entity}:{change.record_id}",
                _audit_detail(change, resident_id, audit_key),
            )
        )
        applied = rules.AppliedChange(
            change.entity,
            change.record_id,
            change.op,
            change.fields,
            change.base_versions,
            resident_id,
            occurred_now,
        )
        drafts = [
            rules.conflict_review(change.entity, change.record_id, resident_id, c, occurred_now)
            for c in conflicts
        ]
        drafts.extend(rules.run_rules(applied, lookup))
        for draft in drafts:
            # Review ids are stable, so an earlier batch may have raised this one already.
            if draft.record_id in rows or stored(conn, device.tenant_id, draft.record_id):
                continue
            lookup.add(
                Row(
                    "review_item",
                    draft.record_id,
                    device.home_id,
                    draft.fields.get("resident_id"),
                    draft.fields,
                    {name: make_version(change.hlc, draft.record_id) for name in draft.fields},
                    change.hlc,
                    None,
                    None,
                    exists=False,
                    dirty=True,
                )
            )
            result.review_items += 1
            audit_entries.append(
                audit.AuditEntry(
                    "review.raised",
                    None,
                    device.device_id,
                    f"review_item:{draft.record_id}",
                    {"rule": draft.fields["rule"]},
                )
            )

    try:
        insert_rows(conn, changes, _CHANGE_COLUMNS, change_rows)
    except sa.exc.IntegrityError:
        # Only its key can clash: an id this tenant already stored, under an older sequence
        # number. Found by the insert rather than by a look-up before it.
        raise Conflict(
            "A change id was reused with a new sequence number.", code="change_id_reused"
        ) from None
    seq = write_rows(conn, device.tenant_id, rows, seq, cipher)
    audit_seq, audit_head = audit.write_entries(
        conn, device.tenant_id, int(head.audit_seq), head.audit_head, audit_entries
    )
    _MOVE_TENANT.run(conn, seq, audit_seq, audit_head, device.tenant_id)
    result.audit_seq = audit_seq
    _MOVE_DEVICE.run(conn, fresh[-1].device_seq, now, device.device_id)
    result.acknowledged_seq = fresh[-1].device_seq
    result.server_seq = seq
    result.touched_homes.add(device.home_id)
    return result


def _audit_detail(change: Change, resident_id: str | None, key: bytes) -> dict[str, Any]:
    """What the audit keeps of a change: ids and a keyed hash of the content, never the
    content. The resident lets ``audit search --record`` answer "who saw or changed this
    person"."""
    detail: dict[str, Any] = {
        "change": change.change_id,
        "content": audit.content_hash(change.fields, key),
    }
    if resident_id is not None:
        detail["resident"] = resident_id
    return detail


def _audit_action(entity: str, op: str, from_revoked_device: bool) -> str:
    action = "record.viewed" if entity == "record_view" else "change." + op
    return action + (".from_revoked_device" if from_revoked_device else "")


def _resident_of(entity: ent.EntityType, change: Change, row: Row | None) -> str | None:
    if change.entity == "resident":
        return change.record_id
    if entity.resident_field is None:
        return None
    if row is not None:
        return row.resident_id
    value = change.fields.get(entity.resident_field)
    return value if isinstance(value, str) else None
