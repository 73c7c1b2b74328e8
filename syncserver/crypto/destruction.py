"""Destroying a tenant's retired data keys (crypto-shredding after a retention review).

A data key version is retired by ``keys rotate`` once nothing is sealed under it any more.
Destroying it deletes its wrapped copy for good, so anything still sealed under it (in this
database) could never be read again: it is refused while any stored value, in the records,
the change log or the authenticator secrets, is still sealed under a version to destroy.
The newest version is never retired, so it is never destroyed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from syncserver import audit
from syncserver.crypto.fields import is_sealed, sealed_version
from syncserver.db.tables import changes, records, tenant_keys, tenants, users
from syncserver.errors import Conflict


@dataclass(frozen=True)
class Destroyed:
    versions: list[int]


def values_under(conn: sa.Connection, tenant_id: str, versions: set[int]) -> dict[str, int]:
    """How many stored values of the tenant are sealed under any of ``versions``, per table.
    Every sealed value is looked at, whichever field it is in."""
    found = {"records": 0, "changes": 0, "users": 0}
    if not versions:
        return found
    for table in (records, changes):
        for text in conn.execute(
            sa.select(table.c.fields).where(table.c.tenant_id == tenant_id)
        ).scalars():
            found[table.name] += sum(
                1
                for value in json.loads(text).values()
                if is_sealed(value) and sealed_version(value) in versions
            )
    for secret in conn.execute(
        sa.select(users.c.totp_secret).where(
            users.c.tenant_id == tenant_id, users.c.totp_secret.is_not(None)
        )
    ).scalars():
        found["users"] += is_sealed(secret) and sealed_version(secret) in versions
    return found


def destroy_retired(conn: sa.Connection, tenant_id: str) -> Destroyed:
    """Delete every retired data key of the tenant, after checking nothing needs it; audited.
    Raises ``Conflict`` (nothing changed) while a value is still sealed under one."""
    conn.execute(sa.update(tenants).where(tenants.c.id == tenant_id).values(seq=tenants.c.seq))
    retired = {
        int(v)
        for v in conn.execute(
            sa.select(tenant_keys.c.version).where(
                tenant_keys.c.tenant_id == tenant_id, tenant_keys.c.retired_at.is_not(None)
            )
        ).scalars()
    }
    if not retired:
        return Destroyed([])
    still = values_under(conn, tenant_id, retired)
    if any(still.values()):
        where = ", ".join(f"{count} in {table}" for table, count in still.items() if count)
        raise Conflict(
            f"Not destroyed: values are still sealed under retired key version(s) "
            f"{', '.join(map(str, sorted(retired)))} ({where}). Run 'keys rotate' for this "
            "provider first, then try again.",
            code="key_in_use",
        )
    # The deleted rows' bytes can linger in free pages until VACUUM (docs/admin-guide.md).
    conn.execute(
        sa.delete(tenant_keys).where(
            tenant_keys.c.tenant_id == tenant_id, tenant_keys.c.version.in_(sorted(retired))
        )
    )
    destroyed = sorted(retired)
    entry = audit.AuditEntry("keys.destroyed", detail={"versions": destroyed})
    audit.append(conn, tenant_id, [entry])
    return Destroyed(destroyed)
