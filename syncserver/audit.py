"""The tenant's tamper-evident audit trail: an append-only hash chain written in the same
transaction as the action it records.

Each entry's hash is SHA-256 over the previous hash and the entry's canonical JSON, so
changing, removing or reordering any entry breaks every hash after it. Clinical content is
never copied here: an entry names the record and holds a keyed hash of what was written
(``content_hash``: HMAC under the tenant's audit key, see syncserver/crypto/audit_keys.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

import sqlalchemy as sa

from syncserver.db.bulk import insert_many
from syncserver.db.tables import audit_log, tenants

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    action: str
    user_id: str | None = None
    device_id: str | None = None
    subject: str | None = None
    detail: dict[str, Any] | None = None


KEYED_PREFIX = "hmac-sha256:1:"


def content_hash(value: Any, key: bytes) -> str:
    """A keyed hash (HMAC-SHA256 under the tenant's audit key) of what was written: it shows
    the content was not changed afterwards, but nobody without the key can confirm a guess of
    a personal value from it. Entries from before the audit key hold a plain SHA-256 (64 hex
    digits, no prefix)."""
    return KEYED_PREFIX + hmac.digest(key, canonical(value).encode(), "sha256").hex()


def content_matches(value: Any, stored: str, key: bytes) -> bool:
    """Whether ``stored`` (an entry's ``content``) is the hash of ``value``."""
    if stored.startswith(KEYED_PREFIX):
        return hmac.compare_digest(stored, content_hash(value, key))
    legacy = hashlib.sha256(canonical(value).encode()).hexdigest()
    return hmac.compare_digest(stored, legacy)


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces (``json.dumps`` with those options, without making
    an encoder per call)."""
    return _CANONICAL.encode(value)


def _scalar(value: Any) -> str:
    """``canonical(value)`` for the values an entry holds, without json.dumps' set-up."""
    if isinstance(value, str):
        return str(encode_basestring(value))
    if value is None:
        return "null"
    if type(value) is int:
        return str(value)
    return canonical(value)


def entry_hash(prev_hash: str, tenant_id: str, seq: int, at: str, row: dict[str, Any]) -> str:
    # The canonical JSON of {"tenant", "seq", "at", "action", "user", "device", "subject",
    # "detail"} (keys sorted, no spaces), written out directly: it is hashed once per entry
    # on every write and every verify (tests/syncserver/test_audit.py holds it to canonical).
    return _chained_hash(
        prev_hash,
        action=_scalar(row["action"]),
        at=_scalar(at),
        detail=_scalar(row["detail"]),
        device=_scalar(row["device_id"]),
        seq=_scalar(seq),
        subject=_scalar(row["subject"]),
        tenant=_scalar(tenant_id),
        user=_scalar(row["user_id"]),
    )


def _chained_hash(
    prev_hash: str,
    *,
    action: str,
    at: str,
    detail: str,
    device: str,
    seq: str,
    subject: str,
    tenant: str,
    user: str,
) -> str:
    """The hash over ``prev_hash`` and the entry's canonical JSON, each value given as JSON."""
    body = (
        f'{{"action":{action},"at":{at},"detail":{detail},"device":{device},"seq":{seq},'
        f'"subject":{subject},"tenant":{tenant},"user":{user}}}'
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def _at_text(at: dt.datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def append(conn: sa.Connection, tenant_id: str, entries: list[AuditEntry]) -> None:
    """Append entries to the tenant's chain. Locks the tenant row: call inside the action's
    own transaction."""
    if not entries:
        return
    head = conn.execute(
        sa.update(tenants)
        .where(tenants.c.id == tenant_id)
        .values(audit_seq=tenants.c.audit_seq)
        .returning(tenants.c.audit_seq, tenants.c.audit_head)
    ).one()
    seq, prev = write_entries(conn, tenant_id, int(head.audit_seq), head.audit_head, entries)
    conn.execute(
        sa.update(tenants).where(tenants.c.id == tenant_id).values(audit_seq=seq, audit_head=prev)
    )


def write_entries(
    conn: sa.Connection,
    tenant_id: str,
    head_seq: int,
    head_hash: str | None,
    entries: list[AuditEntry],
) -> tuple[int, str]:
    """Insert ``entries`` after the chain's head (``head_seq``, ``head_hash``, read under the
    tenant's row lock, which the caller holds); returns the new head, which the caller
    stores on the tenant's row in the same transaction."""
    seq, prev = head_seq, head_hash or GENESIS
    if not entries:
        return seq, prev
    now = dt.datetime.now(dt.UTC)
    at, tenant = _scalar(_at_text(now)), _scalar(tenant_id)
    # A batch's entries repeat their action, device and author: each is written as JSON once.
    as_json: dict[str | None, str] = {}

    def json_of(value: str | None) -> str:
        found = as_json.get(value)
        if found is None:
            found = as_json[value] = _scalar(value)
        return found

    rows = []
    for entry in entries:
        seq += 1
        detail = canonical(entry.detail or {})
        prev_hash = prev
        prev = _chained_hash(
            prev_hash,
            action=json_of(entry.action),
            at=at,
            detail=_scalar(detail),
            device=json_of(entry.device_id),
            seq=str(seq),
            subject=_scalar(entry.subject),
            tenant=tenant,
            user=json_of(entry.user_id),
        )
        rows.append(
            {
                "tenant_id": tenant_id,
                "seq": seq,
                "at": now,
                "action": entry.action,
                "user_id": entry.user_id,
                "device_id": entry.device_id,
                "subject": entry.subject,
                "detail": detail,
                "prev_hash": prev_hash,
                "hash": prev,
            }
        )
    insert_many(conn, audit_log, rows)
    return seq, prev


@dataclass(frozen=True)
class VerifyResult:
    entries: int
    first_bad_seq: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def verify(conn: sa.Connection, tenant_id: str) -> VerifyResult:
    """Walk the whole chain; report the first entry that was changed, removed or reordered."""
    head = conn.execute(
        sa.select(tenants.c.audit_seq, tenants.c.audit_head).where(tenants.c.id == tenant_id)
    ).one_or_none()
    if head is None:
        return VerifyResult(0, 0, f"no tenant {tenant_id}")
    prev = GENESIS
    expected_seq = 0
    count = 0
    # A streamed (server-side) cursor: closed by the ``with`` when a broken entry ends the
    # walk early, rather than left open until garbage collection.
    # The option is set on the statement, not the connection, so later statements in the same
    # transaction are not streamed too.
    with conn.execute(
        sa.select(audit_log)
        .where(audit_log.c.tenant_id == tenant_id)
        .order_by(audit_log.c.seq)
        .execution_options(yield_per=20000)
    ) as result:
        for row in result.mappings():
            expected_seq += 1
            count += 1
            seq = int(row["seq"])
            if seq != expected_seq:
                return VerifyResult(count, expected_seq, f"entry {expected_seq} is missing")
            if row["prev_hash"] != prev:
                return VerifyResult(count, seq, f"entry {seq} does not follow entry {seq - 1}")
            computed = entry_hash(prev, tenant_id, seq, _at_text(row["at"]), dict(row))
            if computed != row["hash"]:
                return VerifyResult(count, seq, f"entry {seq} was changed")
            prev = row["hash"]
    if expected_seq != int(head.audit_seq) or prev != (head.audit_head or GENESIS):
        return VerifyResult(count, expected_seq + 1, f"entries after {expected_seq} were removed")
    return VerifyResult(count, None, None)
