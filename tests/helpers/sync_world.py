"""A small world for sync tests: one server (real app, real database) and real PC stores,
with a tenant created quickly (one password hash shared by its staff)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from desktop.services.context import AppContext
from desktop.services.enrolment import enrol
from shared.demo_data import SeedRecord
from shared.ids import new_id
from syncserver import tenancy
from syncserver.db.engine import Database
from syncserver.db.tables import users
from syncserver.security.passwords import hash_password
from tests.helpers.server import server_cipher

PASSWORD = "Test-password-1"
_HASH: list[str] = []


def password_hash() -> str:
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


@dataclass
class Tenant:
    tenant_id: str
    home_id: str
    other_home_id: str
    unit_id: str
    residents: list[str]
    users: dict[str, str] = field(default_factory=dict)  # role -> user id


def make_tenant(db: Database, *, residents: int = 3, name: str | None = None) -> Tenant:
    now_ms = int(time.time() * 1000)
    tenant_id, home_id, other_home, unit_id = new_id(), new_id(), new_id(), new_id()
    resident_ids = [new_id() for _ in range(residents)]
    seeds = [
        SeedRecord(
            "home",
            home_id,
            home_id,
            None,
            {"name": "Home A", "nation": "england", "address": ""},
            now_ms,
        ),
        SeedRecord(
            "home",
            other_home,
            other_home,
            None,
            {"name": "Home B", "nation": "wales", "address": ""},
            now_ms,
        ),
        SeedRecord(
            "unit", unit_id, home_id, None, {"name": "Bluebell", "home_id": home_id}, now_ms
        ),
    ]
    for index, rid in enumerate(resident_ids):
        seeds.append(
            SeedRecord(
                "resident",
                rid,
                home_id,
                None,
                {
                    "first_name": f"Res{index}",
                    "last_name": "Test",
                    "date_of_birth": "1940-01-01",
                    "unit_id": unit_id,
                    "status": "admitted",
                    "room": str(index + 1),
                },
                now_ms,
            )
        )
    tenant = Tenant(tenant_id, home_id, other_home, unit_id, resident_ids)
    with db.writer.begin() as conn:
        tenancy.create_tenant(conn, name or f"Provider {tenant_id[-6:]}", tenant_id)
        tenancy.write_server_records(conn, tenant_id, seeds, cipher=server_cipher())
        staff: list[SeedRecord] = []
        for role in ("care_assistant", "senior_carer", "home_manager"):
            user_id = new_id()
            tenant.users[role] = user_id
            conn.execute(
                sa.insert(users).values(
                    id=user_id,
                    tenant_id=tenant_id,
                    username=f"{role}.{tenant_id[-6:]}",
                    password_hash=password_hash(),
                    role=role,
                    active=True,
                    failed_logins=0,
                )
            )
            staff.append(
                SeedRecord(
                    "staff_user",
                    user_id,
                    None,
                    None,
                    {
                        "username": f"{role}.{tenant_id[-6:]}",
                        "display_name": role.title(),
                        "role": role,
                        "home_ids": [home_id],
                        "active": True,
                    },
                    now_ms,
                )
            )
        tenancy.write_server_records(conn, tenant_id, staff)
    return tenant


def enrol_pc(
    db: Database,
    http: httpx.Client,
    tenant: Tenant,
    data_dir: Path,
    *,
    home_id: str | None = None,
    server_url: str = "http://testserver",
) -> AppContext:
    with db.writer.begin() as conn:
        code = tenancy.issue_enrol_code(conn, tenant.tenant_id, home_id or tenant.home_id, 10)
    return enrol(server_url, code, data_dir, http=http)


def replica_state(context: AppContext) -> dict[str, tuple[str, Any, Any]]:
    """Every synced record on a PC: id -> (entity, fields, versions)."""
    from desktop.store.schema import records

    with context.store.read() as conn:
        rows = conn.execute(
            sa.select(records.c.record_id, records.c.entity, records.c.fields, records.c.versions)
        ).all()
    import json

    return {r.record_id: (r.entity, json.loads(r.fields), json.loads(r.versions)) for r in rows}
