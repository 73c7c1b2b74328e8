"""Staff sign-in on an enrolled PC, lock-out, refresh-token rotation and sign-out.
Every sign-in attempt, good or bad, lands in the audit trail."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.demo_data import DEMO_PASSWORD, DemoProvider
from syncserver import tenancy
from syncserver.db.engine import Database
from syncserver.db.tables import users
from tests.helpers.security import sign_in
from tests.helpers.server import EnrolledDevice, audit_rows, staff_of


def _login(
    client: TestClient, pc: EnrolledDevice, username: str, password: str = DEMO_PASSWORD
) -> httpx.Response:
    response: httpx.Response = client.post(
        "/v1/auth/login", json={"username": username, "password": password}, headers=pc.headers
    )
    return response


def _refresh(client: TestClient, refresh_token: str) -> httpx.Response:
    response: httpx.Response = client.post(
        "/v1/auth/refresh", json={"refresh_token": refresh_token}
    )
    return response


def _signins(db: Database, tenant_id: str) -> list[tuple[str, str | None, dict[str, object]]]:
    return [
        (row.action, row.user_id, row.detail)
        for row in audit_rows(db, tenant_id)
        if row.action.startswith("signin.")
    ]


def test_a_carer_signs_in_on_a_pc_of_their_home(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    home_a: str,
) -> None:
    carer = staff_of(demo_provider, "care_assistant", home_a)
    response = _login(client, pc_a, carer.username)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user_id"] == carer.user_id
    assert body["display_name"] == carer.display_name
    assert body["role"] == "care_assistant"
    assert body["access_token"] and body["refresh_token"]
    assert _signins(seeded_db, demo_provider.tenant_id) == [("signin.ok", carer.user_id, {})]
    assert audit_rows(seeded_db, demo_provider.tenant_id, "signin.ok")[0].device_id == (
        pc_a.device_id
    )


def test_a_wrong_password_is_refused_counted_and_audited(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    home_a: str,
) -> None:
    carer = staff_of(demo_provider, "care_assistant", home_a)
    response = _login(client, pc_a, carer.username, "not-the-password")
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"
    assert "access_token" not in response.text
    with seeded_db.reader.connect() as conn:
        failures = conn.execute(
            sa.select(users.c.failed_logins).where(users.c.id == carer.user_id)
        ).scalar_one()
    assert failures == 1
    assert _signins(seeded_db, demo_provider.tenant_id) == [
        ("signin.failed", carer.user_id, {"username_known": True, "code": "bad_credentials"})
    ]


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    response = _login(client, pc_a, "nobody.here")
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"
    assert _signins(seeded_db, demo_provider.tenant_id) == [
        ("signin.failed", None, {"username_known": False, "code": "bad_credentials"})
    ]


def test_the_account_locks_after_repeated_wrong_passwords(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    server_app: FastAPI,
) -> None:
    limit = server_app.state.wcn.settings.max_login_failures
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id)
    for _ in range(limit):
        assert _login(client, pc_a, carer.username, "wrong").json()["code"] == "bad_credentials"
    response = _login(client, pc_a, carer.username)  # the right password, too late
    assert response.status_code == 401
    assert response.json()["code"] == "account_locked"
    codes = [detail["code"] for _, _, detail in _signins(seeded_db, demo_provider.tenant_id)]
    assert codes == ["bad_credentials"] * limit + ["account_locked"]


def test_a_successful_sign_in_resets_the_failure_count(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice, home_a: str
) -> None:
    carer = staff_of(demo_provider, "care_assistant", home_a)
    for _round in range(2):
        for _ in range(4):
            assert _login(client, pc_a, carer.username, "wrong").status_code == 401
        assert _login(client, pc_a, carer.username).status_code == 200


def test_a_disabled_user_cannot_sign_in(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    home_a: str,
) -> None:
    carer = staff_of(demo_provider, "care_assistant", home_a)
    with seeded_db.writer.begin() as conn:
        tenancy.set_user_active(conn, demo_provider.tenant_id, carer.username, False)
    response = _login(client, pc_a, carer.username)
    assert response.status_code == 403
    assert response.json()["code"] == "user_disabled"
    assert _signins(seeded_db, demo_provider.tenant_id)[-1] == (
        "signin.failed",
        carer.user_id,
        {"username_known": True, "code": "user_disabled"},
    )


def test_staff_of_another_home_cannot_sign_in_here(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    home_b: str,
) -> None:
    carer_b = staff_of(demo_provider, "care_assistant", home_b)
    response = _login(client, pc_a, carer_b.username)
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_home"
    assert _signins(seeded_db, demo_provider.tenant_id) == [
        ("signin.failed", carer_b.user_id, {"username_known": True, "code": "wrong_home"})
    ]


def test_it_admins_may_sign_in_at_any_home(
    client: TestClient, demo_provider: DemoProvider, pc_b: EnrolledDevice
) -> None:
    assert _login(client, pc_b, "it.admin").status_code == 200


def test_a_user_of_another_provider_is_unknown_here(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    other_provider: DemoProvider,
    pc_a: EnrolledDevice,
) -> None:
    ours = {s.username for s in demo_provider.staff}
    stranger = next(s for s in other_provider.staff if s.username not in ours)
    response = _login(client, pc_a, stranger.username)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"
    assert _signins(seeded_db, demo_provider.tenant_id) == [
        ("signin.failed", None, {"username_known": False, "code": "bad_credentials"})
    ]
    assert _signins(seeded_db, other_provider.tenant_id) == []


# --- tokens --------------------------------------------------------------------------------


def _manager_session(
    client: TestClient, demo_provider: DemoProvider, pc: EnrolledDevice
) -> dict[str, str]:
    manager = staff_of(demo_provider, "home_manager", pc.home_id)
    tokens: dict[str, str] = sign_in(client, pc, manager.username, "home_manager")
    return tokens


def _list_devices(client: TestClient, access_token: str) -> httpx.Response:
    response: httpx.Response = client.get(
        "/v1/admin/devices", headers={"authorization": f"Bearer {access_token}"}
    )
    return response


def test_refresh_rotates_the_refresh_token(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    first = _manager_session(client, demo_provider, pc_a)
    response = _refresh(client, first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert _list_devices(client, second["access_token"]).status_code == 200
    third = _refresh(client, second["refresh_token"])
    assert third.status_code == 200, third.text


def test_reusing_a_spent_refresh_token_ends_the_whole_session(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    first = _manager_session(client, demo_provider, pc_a)
    second = _refresh(client, first["refresh_token"]).json()
    reuse = _refresh(client, first["refresh_token"])  # a thief replays the old token
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "token_reused"
    after = _refresh(client, second["refresh_token"])  # so the owner's newer one died too
    assert after.status_code == 401
    assert after.json()["code"] == "token_revoked"


def test_sign_out_ends_the_refresh_token(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    session = _manager_session(client, demo_provider, pc_a)
    response = client.post("/v1/auth/logout", json={"refresh_token": session["refresh_token"]})
    assert response.status_code == 200
    after = _refresh(client, session["refresh_token"])
    assert after.status_code == 401
    assert after.json()["code"] == "token_revoked"


def test_refresh_is_refused_once_the_user_is_disabled(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    session = _manager_session(client, demo_provider, pc_a)
    manager = staff_of(demo_provider, "home_manager", pc_a.home_id)
    with seeded_db.writer.begin() as conn:
        tenancy.set_user_active(conn, demo_provider.tenant_id, manager.username, False)
    response = _refresh(client, session["refresh_token"])
    assert response.status_code == 403
    assert response.json()["code"] == "user_disabled"


def test_an_access_token_is_not_a_refresh_token(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    session = _manager_session(client, demo_provider, pc_a)
    response = _refresh(client, session["access_token"])
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"
