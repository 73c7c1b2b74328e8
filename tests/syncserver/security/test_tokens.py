"""Access tokens are checked strictly: algorithm allow-list, key, audience, issuer, type and
expiry. Checked through an endpoint that needs a signed-in manager."""

from __future__ import annotations

import base64
import datetime as dt
import json
import warnings
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from jwt.warnings import InsecureKeyLengthWarning

from shared.demo_data import DemoProvider
from syncserver.db.engine import Database
from syncserver.security.tokens import AUDIENCE, ISSUER, TokenService
from tests.helpers.security import sign_in
from tests.helpers.server import JWT_SECRET, EnrolledDevice, audit_rows, enrol_device, staff_of


def _session(
    client: TestClient, demo_provider: DemoProvider, pc: EnrolledDevice, role: str
) -> dict[str, str]:
    user = staff_of(demo_provider, role, pc.home_id)
    tokens: dict[str, str] = sign_in(client, pc, user.username, role)
    return tokens


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _sign(claims: dict[str, Any], key: str = JWT_SECRET, algorithm: str = "HS256") -> str:
    with warnings.catch_warnings():
        # The server's 40-character key is short for HS512, which is the point of that case.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims, key, algorithm=algorithm)


def _unsigned(claims: dict[str, Any]) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _expired(claims: dict[str, Any]) -> dict[str, Any]:
    past = int((dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).timestamp())
    return {**claims, "iat": past - 60, "exp": past}


Forge = Callable[[dict[str, Any], str], str]

FORGERIES: dict[str, Forge] = {
    "alg_none": lambda claims, _refresh: _unsigned(claims),
    "wrong_key": lambda claims, _refresh: _sign(claims, "y" * 40),
    "wrong_audience": lambda claims, _refresh: _sign({**claims, "aud": "someone-else"}),
    "wrong_issuer": lambda claims, _refresh: _sign({**claims, "iss": "evil"}),
    "no_expiry": lambda claims, _refresh: _sign({k: v for k, v in claims.items() if k != "exp"}),
    "expired": lambda claims, _refresh: _sign(_expired(claims)),
    "hs512": lambda claims, _refresh: _sign(claims, algorithm="HS512"),
    "refresh_as_access": lambda _claims, refresh: refresh,
    "tampered_role": lambda claims, _refresh: _tamper(claims),
    "garbage": lambda _claims, _refresh: "not.a.token",
}


def _tamper(claims: dict[str, Any]) -> str:
    header, _payload, signature = _sign(claims).split(".")
    return f"{header}.{_b64({**claims, 'role': 'provider_admin'})}.{signature}"


def test_a_managers_own_token_is_accepted(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    session = _session(client, demo_provider, pc_a, "home_manager")
    response = client.get(
        "/v1/admin/devices", headers={"authorization": f"Bearer {session['access_token']}"}
    )
    assert response.status_code == 200
    assert [d["id"] for d in response.json()] == [pc_a.device_id]


def test_forged_or_wrong_tokens_are_refused(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    session = _session(client, demo_provider, pc_a, "home_manager")
    claims = _claims_of(session["access_token"])
    wrong = {}
    for forgery, forge in FORGERIES.items():
        token = forge(claims, session["refresh_token"])
        response = client.get("/v1/admin/devices", headers={"authorization": f"Bearer {token}"})
        expected = "token_expired" if forgery == "expired" else "token_invalid"
        if (response.status_code, response.json()["code"]) != (401, expected):
            wrong[forgery] = response.text
    assert wrong == {}


def test_no_bearer_token_means_unauthenticated(client: TestClient) -> None:
    wrong = {}
    for header in [None, "", "Bearer", "Basic abc", "Bearer " + "a" * 5000]:
        headers = {} if header is None else {"authorization": header}
        response = client.get("/v1/admin/devices", headers=headers)
        if (response.status_code, response.json()["code"]) != (401, "unauthenticated"):
            wrong[str(header)[:20]] = response.text
    assert wrong == {}


def test_a_carer_may_not_list_the_pcs(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    session = _session(client, demo_provider, pc_a, "care_assistant")
    response = client.get(
        "/v1/admin/devices", headers={"authorization": f"Bearer {session['access_token']}"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_manager_sees_only_their_own_providers_pcs(
    client: TestClient,
    demo_provider: DemoProvider,
    other_provider: DemoProvider,
    pc_a: EnrolledDevice,
    seeded_db: Database,
) -> None:
    stranger_pc = enrol_device(
        client, seeded_db, other_provider.tenant_id, other_provider.homes[0].record_id, "Elm PC"
    )
    session = _session(client, demo_provider, pc_a, "home_manager")
    listed = client.get(
        "/v1/admin/devices", headers={"authorization": f"Bearer {session['access_token']}"}
    ).json()
    assert stranger_pc.device_id not in {d["id"] for d in listed}


def test_the_token_service_refuses_a_short_secret() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        TokenService("short", 15, 14)


def test_an_access_token_carries_who_where_and_which_pc() -> None:
    service = TokenService(JWT_SECRET, 15, 14)
    token = service.issue_access("user-1", "tenant-1", "nurse", "device-1")
    claims = _claims_of(token)
    assert (claims["aud"], claims["iss"], claims["typ"]) == (AUDIENCE, ISSUER, "access")
    assert claims["exp"] - claims["iat"] == 15 * 60
    verified = service.verify_access(token)
    assert (verified.user_id, verified.tenant_id, verified.role, verified.device_id) == (
        "user-1",
        "tenant-1",
        "nurse",
        "device-1",
    )


# --- sessions end their access tokens too --------------------------------------------------


def _devices(client: TestClient, access_token: str) -> tuple[int, str]:
    response = client.get("/v1/admin/devices", headers={"authorization": f"Bearer {access_token}"})
    body = response.json()
    return response.status_code, body.get("code", "") if isinstance(body, dict) else ""


def test_an_access_token_is_refused_after_sign_out(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    session = _session(client, demo_provider, pc_a, "home_manager")
    assert _devices(client, session["access_token"])[0] == 200
    client.post("/v1/auth/logout", json={"refresh_token": session["refresh_token"]})
    assert _devices(client, session["access_token"]) == (401, "token_revoked")


def test_a_refresh_token_reuse_ends_the_sessions_access_tokens(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    session = _session(client, demo_provider, pc_a, "home_manager")
    rotated = client.post("/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    newer = rotated.json()
    assert _devices(client, newer["access_token"])[0] == 200
    reuse = client.post("/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert reuse.json()["code"] == "token_reused"
    assert _devices(client, newer["access_token"]) == (401, "token_revoked")
    assert _devices(client, session["access_token"]) == (401, "token_revoked")
    reused = audit_rows(seeded_db, demo_provider.tenant_id, "session.token_reused")
    assert len(reused) == 1


def test_a_well_signed_token_without_a_session_is_refused(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    session = _session(client, demo_provider, pc_a, "home_manager")
    claims = _claims_of(session["access_token"])
    orphan = _sign({k: v for k, v in claims.items() if k != "sid"})
    assert _devices(client, orphan) == (401, "token_invalid")
    stranger = _sign({**claims, "sid": "01900000-0000-7000-8000-000000000000"})
    assert _devices(client, stranger) == (401, "token_revoked")


def test_a_token_of_another_tenant_finds_nothing_of_this_one(
    client: TestClient,
    demo_provider: DemoProvider,
    other_provider: DemoProvider,
    pc_a: EnrolledDevice,
) -> None:
    """Even with the signing key, a token naming another tenant only reaches that tenant,
    where its session does not exist."""
    session = _session(client, demo_provider, pc_a, "home_manager")
    claims = _claims_of(session["access_token"])
    moved = _sign({**claims, "tid": other_provider.tenant_id})
    assert _devices(client, moved) == (401, "token_revoked")
