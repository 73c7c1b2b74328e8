"""Per-tenant data keys: random 256-bit AES keys, stored only wrapped by the master key, one
row per version. The newest version seals new values; every version stays readable, so a
rotation can re-encrypt in batches while the server keeps running."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import threading
from dataclasses import dataclass

import sqlalchemy as sa

from syncserver.crypto.master import KEY_BYTES, MasterKeyProvider, UnwrapFailed
from syncserver.db.tables import tenant_keys, tenants


@dataclass(frozen=True)
class DataKey:
    tenant_id: str
    version: int
    key: bytes


def _context(tenant_id: str, version: int) -> bytes:
    return f"wcn-data-key/v1|{tenant_id}|{version}".encode()


class DataKeys:
    """Unwraps tenant data keys through the master key, caching each unwrapped key by the
    wrapped bytes it came from (so two databases holding the same tenant id never mix)."""

    def __init__(self, master: MasterKeyProvider) -> None:
        self.master = master
        self._cache: dict[tuple[str, int, str], bytes] = {}
        self._lock = threading.Lock()

    def _unwrap(self, tenant_id: str, version: int, wrapped: str, master_key_id: str) -> bytes:
        cache_key = (tenant_id, version, wrapped)
        with self._lock:
            found = self._cache.get(cache_key)
        if found is not None:
            return found
        if master_key_id != self.master.key_id:
            raise UnwrapFailed(
                f"The data key (version {version}) of tenant {tenant_id} was wrapped by master "
                f"key {master_key_id}, but this server has master key {self.master.key_id}: "
                "configure the right master key, or re-wrap the data keys with "
                "'writecarenotes-server keys rewrap'."
            )
        key = self.master.unwrap(base64.b64decode(wrapped), _context(tenant_id, version))
        with self._lock:
            self._cache[cache_key] = key
        return key

    def get(self, conn: sa.Connection, tenant_id: str, version: int) -> DataKey | None:
        row = conn.execute(
            sa.select(tenant_keys.c.wrapped_key, tenant_keys.c.master_key_id).where(
                tenant_keys.c.tenant_id == tenant_id, tenant_keys.c.version == version
            )
        ).one_or_none()
        if row is None:
            return None
        return DataKey(
            tenant_id, version, self._unwrap(tenant_id, version, row.wrapped_key, row.master_key_id)
        )

    def current(self, conn: sa.Connection, tenant_id: str) -> DataKey:
        """The newest data key, made now (under the tenant's row lock) if there is none."""
        found = self._newest(conn, tenant_id)
        if found is not None:
            return found
        # Take the tenant's lock, then look again: a concurrent first write may have won.
        conn.execute(sa.update(tenants).where(tenants.c.id == tenant_id).values(seq=tenants.c.seq))
        return self._newest(conn, tenant_id) or self.add_version(conn, tenant_id)

    def _newest(self, conn: sa.Connection, tenant_id: str) -> DataKey | None:
        row = conn.execute(
            sa.select(tenant_keys.c.version, tenant_keys.c.wrapped_key, tenant_keys.c.master_key_id)
            .where(tenant_keys.c.tenant_id == tenant_id)
            .order_by(tenant_keys.c.version.desc())
            .limit(1)
        ).one_or_none()
        if row is None:
            return None
        version = int(row.version)
        return DataKey(
            tenant_id, version, self._unwrap(tenant_id, version, row.wrapped_key, row.master_key_id)
        )

    def add_version(self, conn: sa.Connection, tenant_id: str) -> DataKey:
        """A new random data key as the tenant's newest version. Call under the tenant lock."""
        newest = conn.execute(
            sa.select(sa.func.max(tenant_keys.c.version)).where(
                tenant_keys.c.tenant_id == tenant_id
            )
        ).scalar_one()
        version = int(newest or 0) + 1
        key = secrets.token_bytes(KEY_BYTES)
        wrapped = base64.b64encode(self.master.wrap(key, _context(tenant_id, version))).decode()
        conn.execute(
            sa.insert(tenant_keys).values(
                tenant_id=tenant_id,
                version=version,
                wrapped_key=wrapped,
                master_key_id=self.master.key_id,
                created_at=dt.datetime.now(dt.UTC),
            )
        )
        with self._lock:
            self._cache[(tenant_id, version, wrapped)] = key
        return DataKey(tenant_id, version, key)

    def versions(self, conn: sa.Connection, tenant_id: str) -> list[tuple[int, bool]]:
        """(version, retired) for every data key of the tenant, oldest first."""
        return [
            (int(r.version), r.retired_at is not None)
            for r in conn.execute(
                sa.select(tenant_keys.c.version, tenant_keys.c.retired_at)
                .where(tenant_keys.c.tenant_id == tenant_id)
                .order_by(tenant_keys.c.version)
            )
        ]

    def retire_older_than(self, conn: sa.Connection, tenant_id: str, version: int) -> int:
        return int(
            conn.execute(
                sa.update(tenant_keys)
                .where(
                    tenant_keys.c.tenant_id == tenant_id,
                    tenant_keys.c.version < version,
                    tenant_keys.c.retired_at.is_(None),
                )
                .values(retired_at=dt.datetime.now(dt.UTC))
            ).rowcount
        )

    def rewrap_from(self, conn: sa.Connection, old: MasterKeyProvider) -> int:
        """Re-wrap every data key wrapped by ``old`` under this master key (a master key
        rotation); returns how many were re-wrapped."""
        rows = conn.execute(
            sa.select(tenant_keys).where(tenant_keys.c.master_key_id == old.key_id)
        ).all()
        for row in rows:
            context = _context(row.tenant_id, int(row.version))
            key = old.unwrap(base64.b64decode(row.wrapped_key), context)
            conn.execute(
                sa.update(tenant_keys)
                .where(
                    tenant_keys.c.tenant_id == row.tenant_id,
                    tenant_keys.c.version == row.version,
                )
                .values(
                    wrapped_key=base64.b64encode(self.master.wrap(key, context)).decode(),
                    master_key_id=self.master.key_id,
                )
            )
        return len(rows)
