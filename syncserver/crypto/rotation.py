"""Rotating a tenant's data key while the server runs.

1. A new data key version is made (and audited): from then on every write seals with it.
2. Every sealed value (records, the change log, authenticator secrets) still under an older
   version, or still in clear from before encryption, is re-sealed in short batches. Each
   batch takes the tenant's row lock, like every writer, so it never overwrites a push that
   changed the same record; PCs see nothing (no sequence numbers move).
3. When a final pass finds nothing left under an old version, the old versions are marked
   retired. Until then they stay readable, so reads never fail mid-rotation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from syncserver import audit
from syncserver.crypto.fields import SEALED_ENTITIES, FieldCipher, TenantCipher, sealed_names
from syncserver.db.tables import changes, records, tenants, users


@dataclass
class RotationReport:
    tenant_id: str
    version: int
    records: int = 0
    changes: int = 0
    secrets: int = 0
    retired: int = 0

    @property
    def resealed(self) -> int:
        return self.records + self.changes + self.secrets


def _lock(conn: sa.Connection, tenant_id: str) -> None:
    conn.execute(sa.update(tenants).where(tenants.c.id == tenant_id).values(seq=tenants.c.seq))


def _stale(cipher: TenantCipher, entity: str, fields: dict[str, Any]) -> bool:
    return any(
        fields.get(name) is not None and not cipher.is_current(fields[name])
        for name in sealed_names(entity, fields)
    )


def _reseal_table(
    engine: sa.Engine,
    cipher: FieldCipher,
    tenant_id: str,
    table: sa.Table,
    *,
    key: sa.Column[Any],
    batch: int,
    progress: Callable[[str, int], None],
) -> int:
    done = 0
    last = ""
    while True:
        with engine.begin() as conn:
            _lock(conn, tenant_id)
            rows = conn.execute(
                sa.select(key.label("k"), table.c.entity, table.c.record_id, table.c.fields)
                .where(
                    table.c.tenant_id == tenant_id,
                    table.c.entity.in_(sorted(SEALED_ENTITIES)),
                    key > last,
                )
                .order_by(key)
                .limit(batch)
            ).all()
            if not rows:
                return done
            sealer = cipher.for_tenant(conn, tenant_id)
            updates = []
            for row in rows:
                fields = json.loads(row.fields)
                if _stale(sealer, row.entity, fields):
                    plain = sealer.open(row.entity, row.record_id, fields)
                    resealed = sealer.seal(row.entity, row.record_id, plain)
                    updates.append({"b_key": row.k, "b_fields": json.dumps(resealed)})
            if updates:
                conn.execute(
                    sa.update(table)
                    .where(table.c.tenant_id == tenant_id, key == sa.bindparam("b_key"))
                    .values(fields=sa.bindparam("b_fields")),
                    updates,
                )
            done += len(updates)
            last = str(rows[-1].k)
        progress(table.name, done)


def _reseal_secrets(engine: sa.Engine, cipher: FieldCipher, tenant_id: str) -> int:
    with engine.begin() as conn:
        sealer = cipher.for_tenant(conn, tenant_id)
        found = conn.execute(
            sa.select(users.c.id, users.c.totp_secret).where(
                users.c.tenant_id == tenant_id, users.c.totp_secret.is_not(None)
            )
        ).all()
        count = 0
        for row in found:
            if sealer.is_current(row.totp_secret):
                continue
            plain = sealer.open_value("users", row.id, "totp_secret", row.totp_secret)
            conn.execute(
                sa.update(users)
                .where(users.c.id == row.id)
                .values(totp_secret=sealer.seal_value("users", row.id, "totp_secret", plain))
            )
            count += 1
        return count


def stale_values(engine: sa.Engine, cipher: FieldCipher, tenant_id: str) -> int:
    """How many stored values are not sealed with the tenant's newest data key."""
    count = 0
    with engine.begin() as conn:
        sealer = cipher.for_tenant(conn, tenant_id)
        for table in (records, changes):
            for row in conn.execute(
                sa.select(table.c.entity, table.c.fields).where(
                    table.c.tenant_id == tenant_id, table.c.entity.in_(sorted(SEALED_ENTITIES))
                )
            ):
                count += _stale(sealer, row.entity, json.loads(row.fields))
        for secret in conn.execute(
            sa.select(users.c.totp_secret).where(
                users.c.tenant_id == tenant_id, users.c.totp_secret.is_not(None)
            )
        ).scalars():
            count += not sealer.is_current(secret)
    return count


def rotate_tenant(
    engine: sa.Engine,
    cipher: FieldCipher,
    tenant_id: str,
    *,
    batch: int = 500,
    progress: Callable[[str, int], None] = lambda _table, _done: None,
) -> RotationReport:
    with engine.begin() as conn:
        _lock(conn, tenant_id)
        key = cipher.keys.add_version(conn, tenant_id)
        audit.append(
            conn, tenant_id, [audit.AuditEntry("keys.rotated", detail={"version": key.version})]
        )
    report = RotationReport(tenant_id, key.version)
    report.records = _reseal_table(
        engine, cipher, tenant_id, records, key=records.c.record_id, batch=batch, progress=progress
    )
    report.changes = _reseal_table(
        engine, cipher, tenant_id, changes, key=changes.c.change_id, batch=batch, progress=progress
    )
    report.secrets = _reseal_secrets(engine, cipher, tenant_id)
    if stale_values(engine, cipher, tenant_id) == 0:
        with engine.begin() as conn:
            _lock(conn, tenant_id)
            report.retired = cipher.keys.retire_older_than(conn, tenant_id, key.version)
            detail = {"version": key.version, "resealed": report.resealed}
            audit.append(
                conn, tenant_id, [audit.AuditEntry("keys.rotation_completed", detail=detail)]
            )
    return report
