"""Managers and admins sign in with a second factor: they set up an authenticator app once,
then prove a fresh code (or a single-use recovery code) after their password. Every code
works once; every step is audited; failures at the second step count towards the lock."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DEMO_PASSWORD, DemoProvider
from shared.permissions import MFA_ROLES
from syncserver import signin
from syncserver.db.engine import Database
from syncserver.db.tables import users
from syncserver.security import mfa
from tests.helpers.security import Authenticator, sign_in
from tests.helpers.server import EnrolledDevice, audit_rows, make_app, staff_of


def _login(client: TestClient, pc: EnrolledDevice, username: str) -> dict[str, Any]:
    response = client.post(
        "/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}, headers=pc.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _mfa(client: TestClient, token: str, **code: str) -> httpx.Response:
    response: httpx.Response = client.post("/v1/auth/mfa", json={"mfa_token": token, **code})
    return response


def _enrolled(client: TestClient, pc: EnrolledDevice, username: str) -> Authenticator:
    """A manager who has set up their authenticator app (their first sign-in)."""
    app = Authenticator()
    sign_in(client, pc, username, "home_manager", app=app)
    return app


@pytest.fixture
def manager(demo_provider: DemoProvider, home_a: str) -> str:
    return staff_of(demo_provider, "home_manager", home_a).username


def test_the_roles_that_need_a_second_factor() -> None:
    assert frozenset({"deputy_manager", "home_manager", "provider_admin", "it_admin"}) == MFA_ROLES


@pytest.mark.parametrize(
    ("role", "needs_mfa"),
    [("care_assistant", False), ("nurse", False), ("deputy_manager", True), ("it_admin", True)],
)
def test_a_correct_password_of_a_manager_or_admin_gives_a_challenge_not_tokens(
    client: TestClient,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    role: str,
    needs_mfa: bool,
) -> None:
    person = staff_of(demo_provider, role, None if role == "it_admin" else pc_a.home_id)
    body = _login(client, pc_a, person.username)
    if needs_mfa:
        assert body["step"] == "mfa_required" and body["enrolled"] is False
        assert "access_token" not in body and "refresh_token" not in body
    else:
        assert body["access_token"] and "mfa_token" not in body


def test_first_sign_in_sets_up_the_app_and_hands_out_recovery_codes(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    manager: str,
) -> None:
    challenge = _login(client, pc_a, manager)
    setup = client.post("/v1/auth/mfa/enrol", json={"mfa_token": challenge["mfa_token"]})
    assert setup.status_code == 200, setup.text
    secret, uri = setup.json()["secret"], setup.json()["provisioning_uri"]
    assert uri.startswith("otpauth://totp/") and "WriteCareNotes" in uri and secret in uri
    done = _mfa(client, challenge["mfa_token"], code=mfa.code_at(secret, mfa.current_step()))
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["access_token"] and body["refresh_token"]
    assert len(body["recovery_codes"]) == 10 and len(set(body["recovery_codes"])) == 10
    with seeded_db.reader.connect() as conn:
        stored = conn.execute(
            sa.select(users.c.totp_secret, users.c.totp_enabled_at).where(
                users.c.username == manager
            )
        ).one()
    assert stored.totp_enabled_at is not None
    assert secret not in stored.totp_secret  # sealed with the tenant's data key
    actions = [
        (r.action, r.detail)
        for r in audit_rows(seeded_db, demo_provider.tenant_id)
        if r.action.startswith(("signin.", "mfa."))
    ]
    assert actions == [
        ("signin.password_ok", {"mfa": "required"}),
        ("mfa.enrolment_started", {}),
        ("signin.ok", {"mfa": "totp", "mfa_enrolled": True}),
    ]


def test_a_code_cannot_be_replayed(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    manager = staff_of(demo_provider, "home_manager", pc_a.home_id).username
    app = _enrolled(client, pc_a, manager)
    code = app.code()
    assert _mfa(client, _login(client, pc_a, manager)["mfa_token"], code=code).status_code == 200
    replay = _mfa(client, _login(client, pc_a, manager)["mfa_token"], code=code)
    assert (replay.status_code, replay.json()["code"]) == (401, "mfa_invalid")
    failed = audit_rows(seeded_db, demo_provider.tenant_id, "signin.failed")
    assert failed[-1].detail == {"username_known": True, "code": "mfa_invalid", "step": "mfa"}


def test_an_older_code_is_refused_once_a_newer_one_was_used(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice, manager: str
) -> None:
    app = _enrolled(client, pc_a, manager)  # used the current step (or the next)
    assert app.secret is not None
    older = mfa.code_at(app.secret, mfa.current_step() - 1)
    response = _mfa(client, _login(client, pc_a, manager)["mfa_token"], code=older)
    assert response.json()["code"] == "mfa_invalid"


def test_the_challenge_token_works_once(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice, manager: str
) -> None:
    app = _enrolled(client, pc_a, manager)
    token = _login(client, pc_a, manager)["mfa_token"]
    assert _mfa(client, token, code=app.code()).status_code == 200
    again = _mfa(client, token, code=app.code())
    assert (again.status_code, again.json()["code"]) == (401, "mfa_token_invalid")


def test_a_newer_password_step_cancels_the_older_challenge(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice, manager: str
) -> None:
    app = _enrolled(client, pc_a, manager)
    first = _login(client, pc_a, manager)["mfa_token"]
    _login(client, pc_a, manager)
    assert _mfa(client, first, code=app.code()).json()["code"] == "mfa_token_invalid"


def test_wrong_codes_count_towards_the_lock(
    client: TestClient, server_app: Any, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    manager = staff_of(demo_provider, "home_manager", pc_a.home_id).username
    app = _enrolled(client, pc_a, manager)
    limit = server_app.state.wcn.settings.max_login_failures
    for _ in range(limit):
        token = _login(client, pc_a, manager)["mfa_token"]
        assert _mfa(client, token, code="000000").json()["code"] in ("mfa_invalid",)
    response = client.post(
        "/v1/auth/login",
        json={"username": manager, "password": DEMO_PASSWORD},
        headers=pc_a.headers,
    )
    assert response.json()["code"] == "account_locked"
    del app


def test_a_recovery_code_works_once(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    manager = staff_of(demo_provider, "home_manager", pc_a.home_id).username
    app = _enrolled(client, pc_a, manager)
    spare = app.recovery_codes[3]
    first = _mfa(client, _login(client, pc_a, manager)["mfa_token"], recovery_code=spare.lower())
    assert first.status_code == 200, first.text
    again = _mfa(client, _login(client, pc_a, manager)["mfa_token"], recovery_code=spare)
    assert again.json()["code"] == "mfa_invalid"
    ok = audit_rows(seeded_db, demo_provider.tenant_id, "signin.ok")
    assert ok[-1].detail == {"mfa": "recovery_code"}


def test_setting_up_again_is_refused_once_an_app_is_confirmed(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice, manager: str
) -> None:
    _enrolled(client, pc_a, manager)
    challenge = _login(client, pc_a, manager)
    assert challenge["enrolled"] is True
    again = client.post("/v1/auth/mfa/enrol", json={"mfa_token": challenge["mfa_token"]})
    assert (again.status_code, again.json()["code"]) == (409, "mfa_already_enrolled")


def test_it_resets_a_lost_app_and_the_person_sets_up_again(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    manager: str,
) -> None:
    app = _enrolled(client, pc_a, manager)
    with seeded_db.writer.begin() as conn:
        signin.reset_mfa(conn, demo_provider.tenant_id, manager)
    challenge = _login(client, pc_a, manager)
    assert challenge["enrolled"] is False
    refused = _mfa(client, challenge["mfa_token"], recovery_code=app.recovery_codes[0])
    assert refused.json()["code"] == "mfa_invalid"  # old recovery codes died with the reset
    assert [r.action for r in audit_rows(seeded_db, demo_provider.tenant_id, "mfa.reset")] == [
        "mfa.reset"
    ]


def test_the_challenge_is_not_an_access_token(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice, manager: str
) -> None:
    token = _login(client, pc_a, manager)["mfa_token"]
    response = client.get("/v1/admin/devices", headers={"authorization": f"Bearer {token}"})
    assert (response.status_code, response.json()["code"]) == (401, "token_invalid")
    forged = _mfa(client, "not.a.token", code="123456")
    assert (forged.status_code, forged.json()["code"]) == (401, "token_invalid")


def test_a_code_or_a_recovery_code_but_not_both(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice, manager: str
) -> None:
    token = _login(client, pc_a, manager)["mfa_token"]
    assert _mfa(client, token).status_code == 400
    both = _mfa(client, token, code="123456", recovery_code="ABCD-EFGH-JKLM-NPQR")
    assert both.status_code == 400


def test_without_enforcement_managers_sign_in_with_a_password(
    seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice, manager: str
) -> None:
    with TestClient(make_app(seeded_db, mfa_enforced=False)) as client:
        body = _login(client, pc_a, manager)
    assert body["access_token"]


# --- the TOTP rules themselves -------------------------------------------------------------


def test_a_code_matches_its_step_and_the_steps_either_side_only() -> None:
    secret = mfa.new_secret()
    now = 1_700_000_000.0
    here = mfa.current_step(now)
    for offset in (-1, 0, 1):
        assert mfa.matching_step(secret, mfa.code_at(secret, here + offset), None, now) == (
            here + offset
        )
    for offset in (-3, -2, 2, 3):
        assert mfa.matching_step(secret, mfa.code_at(secret, here + offset), None, now) is None
    assert mfa.matching_step(secret, mfa.code_at(secret, here), here, now) is None  # replay
    assert mfa.matching_step(secret, "12345", None, now) is None
    assert mfa.matching_step(secret, "abcdef", None, now) is None


def test_recovery_codes_are_random_and_stored_as_digests() -> None:
    codes = mfa.new_recovery_codes()
    assert len(set(codes)) == len(codes) == mfa.RECOVERY_CODES
    assert all(len(mfa.normalise_recovery_code(c)) == 16 for c in codes)
    digest = mfa.recovery_digest("user-1", codes[0])
    assert digest == mfa.recovery_digest("user-1", codes[0].lower().replace("-", " "))
    assert digest != mfa.recovery_digest("user-2", codes[0])  # salted per person
    assert codes[0] not in digest


def test_the_secret_goes_only_to_the_pc_that_asks_after_both_factors(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    """For offline codes on a ward PC: the reply to a proven code carries the person's own
    secret and last step only when the PC asks (``offline``); never with a wrong code."""
    manager = staff_of(demo_provider, "home_manager", pc_a.home_id).username
    app = _enrolled(client, pc_a, manager)
    recovery = app.recovery_codes[0]  # spares the next code (no waiting for a new step)
    plain = _mfa(client, _login(client, pc_a, manager)["mfa_token"], recovery_code=recovery)
    assert plain.status_code == 200 and "offline_totp_secret" not in plain.json()

    token = _login(client, pc_a, manager)["mfa_token"]
    code = app.code()
    wrong = _mfa(client, token, code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 401 and "offline_totp_secret" not in wrong.text
    asked = client.post("/v1/auth/mfa", json={"mfa_token": token, "code": code, "offline": True})
    assert asked.status_code == 200, asked.text
    assert asked.json()["offline_totp_secret"] == app.secret
    assert mfa.code_at(str(app.secret), asked.json()["offline_totp_last_step"]) == code
    ok = audit_rows(seeded_db, demo_provider.tenant_id, "signin.ok")
    assert ok[-1].detail == {"mfa": "totp", "offline_totp": True}
