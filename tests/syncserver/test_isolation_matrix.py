"""The isolation matrix: for every endpoint and the sync protocol, a credential of one care
provider (in each role) tries to read and write another provider's data, and a care
assistant tries every manager-only action. Everything is refused and nothing is written: the
other provider's rows are identical before and after, and so are the attacker's own (apart
from the audit entries recording the refusals).

On PostgreSQL the server connects AS a login holding only the application role, so row-level
security is in force under the application's own checks. Some attacks use tokens forged
with the server's real signing key: the tenant they name must still not open another's data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared import entities as ent
from shared.demo_data import DEMO_PASSWORD, DemoProvider
from shared.ids import new_id
from shared.protocol import Change
from syncserver import tenancy
from syncserver.db.engine import Database, open_database
from syncserver.db.tables import devices, metadata
from tests.helpers.security import app_login_url, sign_in
from tests.helpers.server import (
    JWT_SECRET,
    ChangeMaker,
    EnrolledDevice,
    audit_rows,
    enrol_device,
    make_app,
    now_iso,
    pull_all,
    push,
    residents_of,
    stored_record,
)

# Paths that hold no tenant data (health, status, the API description).
PUBLIC = {"/healthz", "/readyz", "/v1/status", "/metrics"}
# Paths this matrix attacks; a new endpoint fails the coverage test until it is added here.
ATTACKED = {
    "/v1/devices/enrol",
    "/v1/sync/hello",
    "/v1/sync/push",
    "/v1/sync/pull",
    "/v1/sync/live",
    "/v1/auth/login",
    "/v1/auth/refresh",
    "/v1/auth/logout",
    "/v1/auth/mfa",
    "/v1/auth/mfa/enrol",
    "/v1/admin/devices",
}
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


@pytest.fixture
def world(
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


def _forge(token: str, **changes: Any) -> str:
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


def _attack_sync(world: World, role: str, found: Findings) -> None:
    user_id, _username = world.person(role)
    b_resident = world.b.residents[0]
    b_user = world.b.staff[0].user_id
    a_resident = residents_of(world.a, world.pc_a.home_id)[0].record_id
    maker = ChangeMaker("attacker")
    headers = world.pc_a.headers

    def one(change: Change) -> httpx.Response:
        return push(world.client, headers, [change])

    def change(entity: str, record: str, op: str, fields: dict[str, Any], who: str) -> Change:
        return maker.change(entity, record, op, fields, who, device_seq=1)

    note = {"category": "general", "text": "x", "occurred_at": now_iso()}
    found.refused(
        "push a note about the other provider's resident",
        one(
            change(
                "care_note",
                new_id(),
                "create",
                {**note, "resident_id": b_resident.record_id},
                user_id,
            )
        ),
    )
    found.refused(
        "push an edit of the other provider's resident",
        one(change("resident", b_resident.record_id, "update", {"diet": "Soft"}, user_id)),
    )
    found.refused(
        "push a change signed by the other provider's staff",
        one(change("care_note", new_id(), "create", {**note, "resident_id": a_resident}, b_user)),
        "unknown_user",
    )
    found.refused(
        "push an observation about the other provider's resident",
        one(
            change(
                "observation",
                new_id(),
                "create",
                {
                    "resident_id": b_resident.record_id,
                    "values": {"pulse": 70},
                    "occurred_at": now_iso(),
                },
                user_id,
            )
        ),
    )
    pulled, _cursor = pull_all(world.client, headers)
    theirs = {r.record_id for r in world.b.residents} | {s.user_id for s in world.b.staff}
    found.check(
        "a pull returned the other provider's records", not theirs & {r.record_id for r in pulled}
    )
    hello = world.client.post(
        "/v1/sync/hello",
        json={"min_protocol": 1, "max_protocol": 2, "app_version": "0.1.0"},
        headers=headers,
    )
    found.check("hello named another tenant", hello.json()["tenant_id"] == world.a.tenant_id)


def _attack_endpoints(world: World, role: str, session: dict[str, Any], found: Findings) -> None:
    client = world.client
    bearer = {"authorization": f"Bearer {session['access_token']}"}
    listed = client.get("/v1/admin/devices", headers=bearer)
    if listed.status_code == 200:
        ids = {d["id"] for d in listed.json()}
        found.check(
            "the device list showed the other provider's PC", world.pc_b.device_id not in ids
        )
    else:
        found.refused("list devices", listed, "permission_denied")
    moved = {"authorization": f"Bearer {_forge(session['access_token'], tid=world.b.tenant_id)}"}
    found.refused(
        "list devices with a token moved to the other tenant",
        client.get("/v1/admin/devices", headers=moved),
        "token_revoked",
    )
    moved_refresh = _forge(session["refresh_token"], tid=world.b.tenant_id)
    found.refused(
        "refresh a token moved to the other tenant",
        client.post("/v1/auth/refresh", json={"refresh_token": moved_refresh}),
        "token_revoked",
    )
    found.refused(
        "sign out a session moved to the other tenant",
        client.post("/v1/auth/logout", json={"refresh_token": moved_refresh}),
        "token_revoked",
    )
    stranger = world.b.staff[0]
    found.refused(
        "sign in at this provider's PC as the other provider's staff",
        client.post(
            "/v1/auth/login",
            json={"username": stranger.username, "password": DEMO_PASSWORD},
            headers=world.pc_a.headers,
        ),
        "bad_credentials",
    )
    mfa_claims = {
        "sub": world.person(role)[0],
        "tid": world.b.tenant_id,
        "dev": None,
        "typ": "mfa",
        "aud": "writecarenotes",
        "iss": "writecarenotes-server",
        "iat": 1,
        "exp": 9_999_999_999,
        "jti": new_id(),
    }
    mfa_token = jwt.encode(mfa_claims, JWT_SECRET, algorithm="HS256")
    found.refused(
        "finish an MFA sign-in in the other tenant",
        client.post("/v1/auth/mfa", json={"mfa_token": mfa_token, "code": "123456"}),
        "mfa_token_invalid",
    )
    found.refused(
        "set up MFA in the other tenant",
        client.post("/v1/auth/mfa/enrol", json={"mfa_token": mfa_token}),
        "mfa_token_invalid",
    )
    found.refused(
        "enrol a PC with a made-up code",
        client.post(
            "/v1/devices/enrol",
            json={"code": "ZZZZ-ZZZZ-ZZZZ", "device_name": "x", "app_version": "0"},
        ),
        "enrol_code_invalid",
    )
    live = client.get("/v1/sync/live", headers=bearer)  # a person's token is not a PC's
    found.refused("open the live feed with a person's token", live, "device_unauthenticated")


@pytest.mark.parametrize("role", ent.ROLES)
def test_a_credential_of_one_provider_reaches_nothing_of_another(world: World, role: str) -> None:
    session = sign_in(world.client, world.pc_a, world.person(role)[1], role)
    before_a = snapshot(world.db, world.a.tenant_id, audit=False)
    before_b = snapshot(world.db, world.b.tenant_id, audit=True)
    found = Findings()
    _attack_sync(world, role, found)
    _attack_endpoints(world, role, session, found)
    assert found.problems == []
    assert snapshot(world.db, world.b.tenant_id, audit=True) == before_b
    assert snapshot(world.db, world.a.tenant_id, audit=False) == before_a


def test_a_care_assistant_is_refused_every_manager_only_action(world: World) -> None:
    user_id, username = world.person("care_assistant")
    session = sign_in(world.client, world.pc_a, username, "care_assistant")
    resident = residents_of(world.a, world.pc_a.home_id)[0]
    stored = stored_record(world.db, world.a.tenant_id, resident.record_id)
    assert stored is not None
    before = snapshot(world.db, world.a.tenant_id, audit=False)
    found = Findings()
    bearer = {"authorization": f"Bearer {session['access_token']}"}
    found.refused(
        "list the PCs", world.client.get("/v1/admin/devices", headers=bearer), "permission_denied"
    )
    maker = ChangeMaker("carer")

    def attempt(
        what: str, entity: str, record: str, op: str, fields: dict[str, Any], *codes: str
    ) -> None:
        change = maker.change(
            entity,
            record,
            op,
            fields,
            user_id,
            device_seq=1,
            base_versions={k: stored.versions.get(k, "") for k in fields},
        )
        found.refused(what, push(world.client, world.pc_a.headers, [change]), *codes)

    restricted = {
        "first_name": "X",
        "last_name": "Y",
        "date_of_birth": "1950-01-01",
        "nhs_number": "9434765919",
        "unit_id": new_id(),
        "room": "99",
        "status": "discharged",
        "dnacpr": False,
    }
    for name, value in restricted.items():
        attempt(
            f"change a resident's {name}",
            "resident",
            resident.record_id,
            "update",
            {name: value},
            "permission_denied",
        )
    attempt(
        "admit a resident",
        "resident",
        new_id(),
        "create",
        {**resident.fields, "room": "50"},
        "permission_denied",
    )
    attempt(
        "resolve a review item",
        "review_resolution",
        new_id(),
        "create",
        {"review_item_id": new_id(), "outcome": "done", "occurred_at": now_iso()},
        "permission_denied",
    )
    own_staff_record = world.person("care_assistant")[0]
    attempt(
        "promote themselves",
        "staff_user",
        own_staff_record,
        "update",
        {"role": "home_manager"},
        "read_only",
        "not_found",
    )
    attempt(
        "change a setting",
        "setting",
        new_id(),
        "create",
        {"key": "lock_minutes", "value": 600},
        "read_only",
    )
    attempt(
        "rename the home",
        "home",
        world.pc_a.home_id,
        "update",
        {"name": "Mine"},
        "read_only",
        "not_found",
    )
    assert found.problems == []
    assert snapshot(world.db, world.a.tenant_id, audit=False) == before
    refusals = audit_rows(world.db, world.a.tenant_id, "permission.refused")
    assert [(r.user_id, r.detail["action"]) for r in refusals] == [(user_id, "admin.devices.list")]
    pushes = audit_rows(world.db, world.a.tenant_id, "push.refused")
    assert len(pushes) == len(restricted) + 5


def test_the_matrix_covers_every_endpoint(world: World) -> None:
    paths = set(world.client.app.openapi()["paths"])  # type: ignore[attr-defined]
    assert paths - PUBLIC - ATTACKED == set(), "add the new endpoint to the isolation matrix"


def test_the_other_providers_pc_is_untouched_by_all_of_it(world: World) -> None:
    with world.db.reader.connect() as conn:
        row = conn.execute(
            sa.select(devices.c.acked_seq, devices.c.status).where(
                devices.c.id == world.pc_b.device_id
            )
        ).one()
    assert (row.acked_seq, row.status) == (0, "active")
    assert json.dumps(audit_rows(world.db, world.b.tenant_id, "push.refused")) == "[]"
