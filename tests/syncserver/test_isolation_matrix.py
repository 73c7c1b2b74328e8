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
from typing import Any

import httpx
import jwt
import pytest
import sqlalchemy as sa

from shared import entities as ent
from shared.demo_data import DEMO_PASSWORD, DemoProvider
from shared.ids import new_id
from shared.protocol import Change
from syncserver.db.engine import Database
from syncserver.db.tables import devices
from tests.helpers.isolation import Findings, World, forge, snapshot, two_providers
from tests.helpers.security import sign_in
from tests.helpers.server import (
    JWT_SECRET,
    ChangeMaker,
    audit_rows,
    now_iso,
    pull_all,
    push,
    residents_of,
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
    moved = {"authorization": f"Bearer {forge(session['access_token'], tid=world.b.tenant_id)}"}
    found.refused(
        "list devices with a token moved to the other tenant",
        client.get("/v1/admin/devices", headers=moved),
        "token_revoked",
    )
    moved_refresh = forge(session["refresh_token"], tid=world.b.tenant_id)
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


@pytest.fixture
def world(
    server_db_url: str,
    seeded_db: Database,
    demo_provider: DemoProvider,
    other_provider: DemoProvider,
) -> Iterator[World]:
    with two_providers(server_db_url, seeded_db, demo_provider, other_provider) as built:
        yield built


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
