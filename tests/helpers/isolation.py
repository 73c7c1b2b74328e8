"""The two providers of the isolation tests, on one server: the app (on PostgreSQL reached AS a
login holding only the application role), a PC of each, a person of every role in the first,
and snapshots of every row a provider has, to prove an attack wrote nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DEMO_PASSWORD, DemoProvider
from syncserver import tenancy
from syncserver.db.engine import Database, open_database
from syncserver.db.tables import metadata
from tests.helpers.security import app_login_url
from tests.helpers.server import JWT_SECRET, EnrolledDevice, enrol_device, make_app

VOLATILE = {"devices": {"last_seen_at", "clock_skew_ms", "app_version"}}
AUDIT_TABLES = {"audit_log", "audit_checkpoints"}


@dataclass
class World:
    client: TestClient
    db: Database  # the owner's view, for footprints
    a: DemoProvider
    b: DemoProvider
    pc_a: EnrolledDevice
    pc_b: EnrolledDevice
    people: dict[str, tuple[str, str]]  # role -> (user id, username) in provider A

    def person(self, role: str) -> tuple[str, str]:
        return self.people[role]


def _tenant_tables() -> list[sa.Table]:
    return [t for t in metadata.sorted_tables if "tenant_id" in t.c or t.name == "tenants"]


def snapshot(db: Database, tenant_id: str, *, audit: bool) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the tenant has, table by table (the audit trail too when ``audit``)."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with db.reader.connect() as conn:
        for table in _tenant_tables():
            if table.name in AUDIT_TABLES and not audit:
                continue
            column = table.c.id if table.name == "tenants" else table.c.tenant_id
            skip = VOLATILE.get(table.name, set())
            if table.name == "tenants" and not audit:
                skip = {"audit_seq", "audit_head"}
            kept = [c for c in table.c if c.name not in skip]
            rows = conn.execute(sa.select(*kept).where(column == tenant_id)).all()
            found[table.name] = sorted(tuple(str(v) for v in r) for r in rows)
    return found


@contextmanager
def two_providers(
    server_db_url: str,
    seeded_db: Database,
    demo_provider: DemoProvider,
    other_provider: DemoProvider,
) -> Iterator[World]:
    home_a = demo_provider.homes[0].record_id
    people = {
        s.role: (s.user_id, s.username)
        for s in reversed(demo_provider.staff)  # the first of each role wins
        if home_a in s.home_ids
    }
    with seeded_db.writer.begin() as conn:
        for role in ("provider_admin", "inspector"):  # roles the demo provider lacks
            username = f"{role}.matrix"
            user_id = tenancy.add_user(
                conn,
                demo_provider.tenant_id,
                username=username,
                display_name=role.replace("_", " ").title(),
                role=role,
                home_ids=[home_a],
                password=DEMO_PASSWORD,
                access_until=(
                    dt.datetime.now(dt.UTC) + dt.timedelta(days=30) if role == "inspector" else None
                ),
            )
            people[role] = (user_id, username)
    app_db = seeded_db if seeded_db.is_sqlite else open_database(app_login_url(server_db_url))
    try:
        with TestClient(make_app(app_db)) as client:
            pc_a = enrol_device(client, seeded_db, demo_provider.tenant_id, home_a, "A office")
            pc_b = enrol_device(
                client, seeded_db, other_provider.tenant_id, other_provider.homes[0].record_id
            )
            yield World(client, seeded_db, demo_provider, other_provider, pc_a, pc_b, people)
    finally:
        if app_db is not seeded_db:
            app_db.dispose()


def forge(token: str, **changes: Any) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode({**claims, **changes}, JWT_SECRET, algorithm="HS256")


class Findings:
    """Every attack that was not refused, named, so one run shows them all."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def refused(self, what: str, response: httpx.Response, *codes: str) -> None:
        code = response.json().get("code") if response.status_code >= 400 else None
        if response.status_code < 400 or (codes and code not in codes):
            self.problems.append(f"{what}: {response.status_code} {response.text[:200]}")

    def check(self, what: str, ok: bool) -> None:
        if not ok:
            self.problems.append(what)
