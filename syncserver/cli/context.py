"""What the security commands share: settings, the database, the tenant named on the command
line, and the field cipher. (``main`` keeps its own copies; these live apart so that command
modules never import ``main``, which imports them.)"""

from __future__ import annotations

import argparse

import sqlalchemy as sa

from syncserver.config import Settings, load_settings
from syncserver.crypto import FieldCipher, load_master_key
from syncserver.db import migrate
from syncserver.db.engine import Database, check_reachable, open_database
from syncserver.db.tables import tenants
from syncserver.errors import ServerError


def settings_of(args: argparse.Namespace) -> Settings:
    return load_settings(
        getattr(args, "config", None), database_url=getattr(args, "database_url", None)
    )


def open_db(args: argparse.Namespace, opened: list[Database]) -> Database:
    """The configured database at the current schema; ``main`` disposes of it afterwards."""
    db = open_database(settings_of(args).database_url)
    opened.append(db)
    check_reachable(db)
    migrate.check_current(db)
    return db


def tenant_id(conn: sa.Connection, tenant: str) -> str:
    rows = (
        conn.execute(
            sa.select(tenants.c.id).where(sa.or_(tenants.c.id == tenant, tenants.c.name == tenant))
        )
        .scalars()
        .all()
    )
    if len(rows) != 1:
        raise ServerError(f"There is no single provider called {tenant!r}.", code="unknown_tenant")
    return str(rows[0])


def field_cipher(settings: Settings) -> FieldCipher:
    """Refuses (one sentence) when no master key is configured."""
    return FieldCipher(load_master_key(settings))
