"""PostgreSQL row-level security, the second layer under every query's tenant filter, checked
AS the application role (a login granted only ``wcn_app``): tests run as a superuser would
bypass the policies and prove nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, ProgrammingError

from shared.demo_data import DemoProvider
from syncserver.db.engine import Database, open_database
from syncserver.db.scope import Scope
from syncserver.db.tables import devices, metadata
from syncserver.errors import ConfigError
from tests.helpers.security import APP_LOGIN, APP_ROLE, app_login_url
from tests.helpers.server import EnrolledDevice

pytestmark = pytest.mark.parametrize(
    "server_db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

TENANT_COLUMN = {
    t.name: ("id" if t.name == "tenants" else "tenant_id") for t in metadata.tables.values()
}
TENANT_TABLES = sorted(
    t.name for t in metadata.tables.values() if "tenant_id" in t.c or t.name == "tenants"
)


@pytest.fixture
def as_app(server_db_url: str, seeded_db: Database) -> Iterator[Database]:
    """The seeded database, reached through a login that holds only the application role."""
    db = open_database(app_login_url(server_db_url))
    try:
        yield db
    finally:
        db.dispose()


def _count(conn: sa.Connection, table: str) -> int:
    return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def _as_tenant(conn: sa.Connection, tenant_id: str) -> None:
    Scope(APP_ROLE).enter(conn, tenant_id=tenant_id)


def test_every_tenant_table_forces_row_level_security(seeded_db: Database) -> None:
    """Including tables added later by anyone: a table with a tenant column and no policy
    fails here."""
    with seeded_db.reader.connect() as conn:
        flags = {
            r.relname: (r.relrowsecurity, r.relforcerowsecurity)
            for r in conn.execute(
                sa.text(
                    "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                    "WHERE relname = ANY(:names)"
                ),
                {"names": TENANT_TABLES},
            )
        }
        policies = {
            r.tablename
            for r in conn.execute(
                sa.text("SELECT tablename FROM pg_policies WHERE policyname = 'wcn_tenant'")
            )
        }
    assert flags == dict.fromkeys(TENANT_TABLES, (True, True))
    assert policies == set(TENANT_TABLES)


def test_the_application_role_owns_nothing_and_cannot_bypass(seeded_db: Database) -> None:
    with seeded_db.reader.connect() as conn:
        role = conn.execute(
            sa.text("SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = :r"),
            {"r": APP_ROLE},
        ).one()
        owned = conn.execute(
            sa.text("SELECT count(*) FROM pg_tables WHERE tableowner = :r"), {"r": APP_ROLE}
        ).scalar_one()
    assert tuple(role) == (False, False, False)
    assert owned == 0


def test_without_a_tenant_the_application_sees_no_rows(as_app: Database) -> None:
    with as_app.reader.begin() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar_one() == APP_LOGIN
        seen = {table: _count(conn, table) for table in TENANT_TABLES}
    assert seen == dict.fromkeys(TENANT_TABLES, 0)


def test_the_wrong_tenant_sees_zero_rows_of_the_right_one(
    as_app: Database,
    seeded_db: Database,
    demo_provider: DemoProvider,
    other_provider: DemoProvider,
) -> None:
    with as_app.reader.begin() as conn:
        _as_tenant(conn, other_provider.tenant_id)
        theirs = {
            table: int(
                conn.execute(
                    sa.text(f"SELECT count(*) FROM {table} WHERE {TENANT_COLUMN[table]} = :t"),
                    {"t": demo_provider.tenant_id},
                ).scalar_one()
            )
            for table in TENANT_TABLES
        }
        own_records = _count(conn, "records")
    assert theirs == dict.fromkeys(TENANT_TABLES, 0)
    assert own_records > 0  # and it does see its own
    with as_app.reader.begin() as conn:
        _as_tenant(conn, demo_provider.tenant_id)
        assert _count(conn, "audit_log") > 100


def test_writing_another_tenants_rows_is_refused(
    as_app: Database, demo_provider: DemoProvider, other_provider: DemoProvider
) -> None:
    with as_app.writer.begin() as conn:
        _as_tenant(conn, other_provider.tenant_id)
        hidden = conn.execute(
            sa.text("UPDATE records SET hlc = 'x' WHERE tenant_id = :t"),
            {"t": demo_provider.tenant_id},
        )
        assert hidden.rowcount == 0
    with pytest.raises(DBAPIError, match="row-level security"), as_app.writer.begin() as conn:
        _as_tenant(conn, other_provider.tenant_id)
        conn.execute(
            sa.text(
                "INSERT INTO changes (tenant_id, change_id, seq, entity, record_id, op, fields, "
                "base_versions, hlc, received_at) VALUES (:t, 'c', 1, 'care_note', 'r', 'create', "
                "'{}', '{}', 'h', now())"
            ),
            {"t": demo_provider.tenant_id},
        )


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_log",
        "UPDATE audit_log SET detail = '{}'",
        "DELETE FROM records",
        "TRUNCATE changes",
        "ALTER TABLE records DISABLE ROW LEVEL SECURITY",
        "UPDATE tenant_keys SET retired_at = now()",
    ],
)
def test_the_application_cannot_erase_or_rewrite_history(
    as_app: Database, demo_provider: DemoProvider, statement: str
) -> None:
    with pytest.raises(ProgrammingError), as_app.writer.begin() as conn:
        _as_tenant(conn, demo_provider.tenant_id)
        conn.execute(sa.text(statement))


def test_a_device_can_be_looked_up_by_its_id_and_nothing_else(
    as_app: Database, pc_a: EnrolledDevice, pc_b: EnrolledDevice
) -> None:
    with as_app.reader.begin() as conn:
        Scope(APP_ROLE).enter(conn, device_id=pc_a.device_id)
        found = conn.execute(sa.select(devices.c.id)).scalars().all()
        users = _count(conn, "users")
    assert found == [pc_a.device_id]
    assert users == 0


def test_a_server_whose_login_cannot_use_the_role_refuses_to_start(seeded_db: Database) -> None:
    with pytest.raises(ConfigError, match="cannot run as the database role 'no_such_role'"):
        Scope("no_such_role").check(seeded_db.writer)
    with pytest.raises(ConfigError, match="plain lower-case name"):
        Scope("wcn_app; DROP TABLE records")
