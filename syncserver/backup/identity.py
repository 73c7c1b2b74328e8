"""The server identity: one id per server database, made by the migration that created its
table and carried in every backup, so a restore can tell its own server from another."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from syncserver.db.tables import server_identity, tenants


def server_id(conn: sa.Connection) -> str:
    """This database's identity (made now if the row was ever lost)."""
    found = conn.execute(sa.select(server_identity.c.id)).scalars().all()
    if len(found) == 1:
        return str(found[0])
    conn.execute(sa.delete(server_identity))
    new = str(uuid.uuid4())
    conn.execute(sa.insert(server_identity).values(id=new, created_at=dt.datetime.now(dt.UTC)))
    return new


def tenant_names(conn: sa.Connection) -> dict[str, str]:
    """Every provider on this server: id -> name."""
    return {
        str(row.id): str(row.name)
        for row in conn.execute(sa.select(tenants.c.id, tenants.c.name).order_by(tenants.c.name))
    }
