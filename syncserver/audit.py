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
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from syncserver import audit_chain, audit_ranges, json_text
from syncserver.audit_chain import GENESIS, _at_text, _chained_hash, _scalar, canonical, entry_hash
from syncserver.db.bulk import insert_rows
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
_ENTRY_COLUMNS = (
    "tenant_id",
    "seq",
    "at",
    "action",
    "user_id",
    "device_id",
    "subject",
    "detail",
    "prev_hash",
    "hash",
)


def content_hash(value: Any, key: bytes) -> str:
    """A keyed hash (HMAC-SHA256 under the tenant's audit key) of what was written: it shows
    the content was not changed afterwards, but nobody without the key can confirm a guess of
    a personal value from it. Entries from before the audit key hold a plain SHA-256 (64 hex
    digits, no prefix)."""
    return KEYED_PREFIX + hmac.digest(key, json_text.canonical(value).encode(), "sha256").hex()


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

    rows: list[tuple[Any, ...]] = []
    for entry in entries:
        seq += 1
        detail = json_text.canonical(entry.detail or {})
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
            (
                tenant_id,
                seq,
                now,
                entry.action,
                entry.user_id,
                entry.device_id,
                entry.subject,
                detail,
                prev_hash,
                prev,
            )
        )
    insert_rows(conn, audit_log, _ENTRY_COLUMNS, rows)
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
    conn: sa.Connection,
    tenant_id: str,
    *,
    workers: int = 1,
    batch: int = audit_chain.BATCH,
    parallel_from: int = audit_ranges.PARALLEL_FROM,
) -> VerifyResult:
    """Walk the whole chain; report the first entry that was changed, removed or reordered.

    ``workers`` > 1 checks a chain of ``parallel_from`` entries or more in that many
    processes, each reading a range of it on a connection of its own, so it checks what is
    committed: only for a caller that has not written to the chain in its transaction (a
    restore checks what it restored before committing, in one process). It names the same
    entry, for the same reason, as the walk in one process. ``batch``: entries read at a time.
    """
    head = conn.execute(
        sa.select(tenants.c.audit_seq, tenants.c.audit_head).where(tenants.c.id == tenant_id)
    ).one_or_none()
    if head is None:
        return VerifyResult(0, 0, f"no tenant {tenant_id}")
    dialect, head_seq = conn.dialect.name, int(head.audit_seq)
    walked = None
    if workers > 1 and head_seq >= parallel_from and audit_ranges.shareable(conn):
        walked = audit_ranges.walk_ranges(conn, tenant_id, head_seq, workers, batch)
    if walked is None or _after_head(walked, head_seq, head.audit_head):
        # Entries past the head read in another transaction may have been appended since:
        # this transaction's own walk decides.
        batches = audit_ranges.read_batches(conn, tenant_id, batch)
        try:
            walked = audit_chain.walk(batches, tenant_id, dialect)
        finally:
            batches.close()
    if walked.bad is not None:
        return VerifyResult(walked.entries, walked.bad[0], walked.bad[1])
    if _after_head(walked, head_seq, head.audit_head):
        count = walked.entries
        return VerifyResult(count, count + 1, f"entries after {count} were removed")
    return VerifyResult(walked.entries, None, None)


def _after_head(walked: audit_chain.Walked, head_seq: int, head_hash: str | None) -> bool:
    """Whether an unbroken walk ended anywhere but at the tenant's recorded head."""
    if walked.bad is not None:
        return False
    return walked.entries != head_seq or walked.last_hash != (head_hash or GENESIS)
