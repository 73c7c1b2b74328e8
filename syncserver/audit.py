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
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from syncserver import audit_chain
from syncserver.audit_chain import GENESIS, _at_text, _chained_hash, _scalar, canonical, entry_hash
from syncserver.db.bulk import insert_many
from syncserver.db.tables import audit_log, tenants


@dataclass(frozen=True)
class AuditEntry:
    action: str
    user_id: str | None = None
    device_id: str | None = None
    subject: str | None = None
    detail: dict[str, Any] | None = None


__all__ = [
    "GENESIS",
    "KEYED_PREFIX",
    "AuditEntry",
    "VerifyResult",
    "append",
    "canonical",
    "content_hash",
    "content_matches",
    "entry_hash",
    "verify",
    "write_entries",
]

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


def verify(
    conn: sa.Connection, tenant_id: str, *, workers: int = 1, batch: int = audit_chain.BATCH
) -> VerifyResult:
    """Walk the whole chain; report the first entry that was changed, removed or reordered.

    ``workers`` > 1 checks large chains in that many processes: this process reads the
    entries, in order, and hands out batches; each batch is checked against the stored hash of
    the entry before it (every entry stores the hash it follows), so each link, the batches'
    boundaries too, is checked once, and the first broken batch names the first broken entry,
    as the walk in one process does. ``batch``: entries a batch."""
    head = conn.execute(
        sa.select(tenants.c.audit_seq, tenants.c.audit_head).where(tenants.c.id == tenant_id)
    ).one_or_none()
    if head is None:
        return VerifyResult(0, 0, f"no tenant {tenant_id}")
    batches = _batches(conn, tenant_id, batch)
    try:
        if workers > 1:
            walked = audit_chain.walk_parallel(batches, tenant_id, conn.dialect.name, workers)
        else:
            walked = audit_chain.walk(batches, tenant_id, conn.dialect.name)
    finally:
        batches.close()
    if walked.bad is not None:
        return VerifyResult(walked.entries, walked.bad[0], walked.bad[1])
    count, prev = walked.entries, walked.last_hash
    if count != int(head.audit_seq) or prev != (head.audit_head or GENESIS):
        return VerifyResult(count, count + 1, f"entries after {count} were removed")
    return VerifyResult(count, None, None)


def _batches(conn: sa.Connection, tenant_id: str, batch: int) -> Generator[Sequence[Sequence[Any]]]:
    """The tenant's entries in order, as plain tuples of the columns the hash covers (see
    audit_chain.COLUMNS), a batch at a time, read on the connection's own transaction (so a
    restore checks what it wrote before committing). A server-side cursor on PostgreSQL, so
    the chain is never all in memory; closed when the walk ends, early or not."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    sqlite = conn.dialect.name == "sqlite"
    cursor = dbapi.cursor() if sqlite else dbapi.cursor(name="audit_verify")
    try:
        cursor.execute(
            f"SELECT {', '.join(audit_chain.COLUMNS)} FROM audit_log "
            f"WHERE tenant_id = {'?' if sqlite else '%s'} ORDER BY seq",
            (tenant_id,),
        )
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()
