"""Migration 0006 (``users.access_until``) goes down and up cleanly on SQLite and PostgreSQL,
and on PostgreSQL the users table keeps its row-level security: the application role cannot
move another provider's inspector's end."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command

from shared.demo_data import DemoProvider
from syncserver.db import migrate
from syncserver.db.engine import Database, open_database
from syncserver.db.scope import Scope
from syncserver.db.tables import users
from tests.helpers.security import APP_ROLE, app_login_url
from tests.helpers.server import open_migrated


def _downgrade(db: Database, revision: str) -> None:
    config = migrate._config()
    with db.writer.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def _user_columns(db: Database) -> set[str]:
    with db.reader.connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns("users")}


def _users_security(db: Database) -> tuple[bool, bool, set[str]]:
    with db.reader.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'users'"
            )
        ).one()
        policies = conn.execute(
            sa.text("SELECT policyname FROM pg_policies WHERE tablename = 'users'")
        ).scalars()
        return bool(row[0]), bool(row[1]), {str(p) for p in policies}


def test_access_until_comes_and_goes_with_its_migration(server_db_url: str) -> None:
    db = open_migrated(server_db_url)
    try:
        assert "access_until" in _user_columns(db)
        before = None if db.is_sqlite else _users_security(db)
        _downgrade(db, "0005")
        assert "access_until" not in _user_columns(db)
        migrate.upgrade(db)
        assert migrate.current_revision(db) == migrate.head_revision()
        assert "access_until" in _user_columns(db)
        if not db.is_sqlite:
            assert before is not None and "wcn_tenant" in before[2]
            assert _users_security(db) == before == (True, True, before[2])
    finally:
        db.dispose()


@pytest.mark.parametrize(
    "server_db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_the_app_role_cannot_change_another_providers_access_end(
    server_db_url: str,
    seeded_db: Database,
    demo_provider: DemoProvider,
    other_provider: DemoProvider,
) -> None:
    as_app = open_database(app_login_url(server_db_url))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    try:
        with as_app.writer.begin() as conn:
            Scope(APP_ROLE).enter(conn, tenant_id=other_provider.tenant_id)
            changed = conn.execute(
                sa.update(users)
                .where(users.c.tenant_id == demo_provider.tenant_id)
                .values(access_until=later)
            ).rowcount
            seen = conn.execute(sa.select(users.c.access_until)).scalars().all()
        assert changed == 0
        assert seen and set(seen) == {None}  # its own users only, none time-limited
    finally:
        as_app.dispose()
    with seeded_db.reader.connect() as conn:
        ends = conn.execute(
            sa.select(users.c.access_until).where(users.c.tenant_id == demo_provider.tenant_id)
        ).scalars()
        assert set(ends) == {None}
