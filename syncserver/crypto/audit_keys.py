"""Each tenant's audit key: a random 256-bit key, stored only wrapped by the master key (on the
tenant's row), that keys the content hashes in the audit trail.

A plain hash of what was written would let anyone who can read the audit log confirm a guess
("is this resident's NHS number 943 476 5919?") by hashing it; an HMAC under a key they do
not hold cannot be checked without the master key.
"""

from __future__ import annotations

import base64
import secrets
import threading

import sqlalchemy as sa

from syncserver.crypto.master import KEY_BYTES, MasterKeyProvider, UnwrapFailed
from syncserver.db.tables import tenants

AUDIT_KEY_VERSION = 1  # named in every keyed hash, so a new scheme can come later


def _context(tenant_id: str) -> bytes:
    return f"wcn-audit-key/v{AUDIT_KEY_VERSION}|{tenant_id}".encode()


class AuditKeys:
    """Unwraps (or, on first use, makes) tenants' audit keys; one per process."""

    def __init__(self, master: MasterKeyProvider) -> None:
        self.master = master
        self._cache: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def get(
        self,
        conn: sa.Connection,
        tenant_id: str,
        *,
        stored: tuple[str | None, str | None] | None = None,
    ) -> bytes:
        """``stored``: the tenant row's (audit_key_wrapped, audit_key_master_id) when the
        caller has read them in this transaction."""
        if stored is None:
            row = conn.execute(
                sa.select(tenants.c.audit_key_wrapped, tenants.c.audit_key_master_id).where(
                    tenants.c.id == tenant_id
                )
            ).one()
            stored = (row.audit_key_wrapped, row.audit_key_master_id)
        wrapped, master_key_id = stored
        if wrapped is None:
            return self._create(conn, tenant_id)
        return self._unwrap(tenant_id, wrapped, master_key_id or "")

    def _create(self, conn: sa.Connection, tenant_id: str) -> bytes:
        key = secrets.token_bytes(KEY_BYTES)
        wrapped = base64.b64encode(self.master.wrap(key, _context(tenant_id))).decode()
        made = conn.execute(
            sa.update(tenants)
            .where(tenants.c.id == tenant_id, tenants.c.audit_key_wrapped.is_(None))
            .values(audit_key_wrapped=wrapped, audit_key_master_id=self.master.key_id)
        ).rowcount
        if not made:  # another transaction made it first: use theirs
            return self.get(conn, tenant_id)
        with self._lock:
            self._cache[(tenant_id, wrapped)] = key
        return key

    def _unwrap(self, tenant_id: str, wrapped: str, master_key_id: str) -> bytes:
        with self._lock:
            found = self._cache.get((tenant_id, wrapped))
        if found is not None:
            return found
        if master_key_id != self.master.key_id:
            raise UnwrapFailed(
                f"The audit key of tenant {tenant_id} was wrapped by master key "
                f"{master_key_id}, but this server has master key {self.master.key_id}: "
                "configure the right master key, or re-wrap with "
                "'writecarenotes-server keys rewrap'."
            )
        key = self.master.unwrap(base64.b64decode(wrapped), _context(tenant_id))
        with self._lock:
            self._cache[(tenant_id, wrapped)] = key
        return key

    def rewrap_from(self, conn: sa.Connection, old: MasterKeyProvider) -> int:
        """Re-wrap every audit key wrapped by ``old`` under this master key."""
        rows = conn.execute(
            sa.select(tenants.c.id, tenants.c.audit_key_wrapped).where(
                tenants.c.audit_key_master_id == old.key_id
            )
        ).all()
        for row in rows:
            key = old.unwrap(base64.b64decode(row.audit_key_wrapped), _context(row.id))
            conn.execute(
                sa.update(tenants)
                .where(tenants.c.id == row.id)
                .values(
                    audit_key_wrapped=base64.b64encode(
                        self.master.wrap(key, _context(row.id))
                    ).decode(),
                    audit_key_master_id=self.master.key_id,
                )
            )
        return len(rows)
