"""Security helpers for tests: signing in (with the second factor for managers and admins),
reading sealed records as the server would, and connecting to PostgreSQL AS the application
role so that row-level security is really in force."""

from __future__ import annotations

import json
import time
from typing import Any

import psycopg
import sqlalchemy as sa
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy.engine import make_url

from shared.demo_data import DEMO_PASSWORD
from shared.permissions import MFA_ROLES
from syncserver.db.engine import Database
from syncserver.db.tables import records
from syncserver.security import mfa
from tests.helpers.server import EnrolledDevice, server_cipher

APP_ROLE = "wcn_app"
APP_LOGIN = "wcn_test_app_login"  # a login role granted the application role, nothing else


def totp_now(secret: str, step_offset: int = 0) -> str:
    return mfa.code_at(secret, mfa.current_step() + step_offset)


class Authenticator:
    """A person's authenticator app: remembers the secret and never gives one code twice
    (the server refuses a code of a step already used)."""

    def __init__(self) -> None:
        self.secret: str | None = None
        self.recovery_codes: list[str] = []
        self._last_step: int | None = None

    def code(self) -> str:
        assert self.secret is not None
        step = mfa.current_step()
        if self._last_step is not None and step <= self._last_step:
            step = self._last_step + 1  # the next step's code is accepted too (drift window)
        while step > mfa.current_step() + mfa.DRIFT_STEPS:
            wait_for_next_totp_step()
        self._last_step = step
        return mfa.code_at(self.secret, step)


def sign_in(
    client: TestClient,
    pc: EnrolledDevice,
    username: str,
    role: str,
    *,
    app: Authenticator | None = None,
    password: str = DEMO_PASSWORD,
) -> dict[str, Any]:
    """Sign in through the API as a person would; managers and admins set up (first time) or
    use their authenticator app. Returns the LoginResponse body."""
    response = client.post(
        "/v1/auth/login", json={"username": username, "password": password}, headers=pc.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    if role not in MFA_ROLES:
        assert "access_token" in body
        return body
    assert body["step"] == "mfa_required"
    app = app or Authenticator()
    if not body["enrolled"]:
        enrolled = client.post("/v1/auth/mfa/enrol", json={"mfa_token": body["mfa_token"]})
        assert enrolled.status_code == 200, enrolled.text
        app.secret = enrolled.json()["secret"]
    done = client.post("/v1/auth/mfa", json={"mfa_token": body["mfa_token"], "code": app.code()})
    assert done.status_code == 200, done.text
    result: dict[str, Any] = done.json()
    app.recovery_codes = result.get("recovery_codes") or app.recovery_codes
    return result


def opened_fields(db: Database, tenant_id: str, record_id: str) -> dict[str, Any]:
    """A stored record's fields with its personal fields decrypted, as a pull returns them."""
    with db.reader.begin() as conn:
        row = conn.execute(
            sa.select(records.c.entity, records.c.fields).where(
                records.c.tenant_id == tenant_id, records.c.record_id == record_id
            )
        ).one()
        return (
            server_cipher()
            .for_tenant(conn, tenant_id)
            .open(row.entity, record_id, json.loads(row.fields))
        )


def app_login_url(db_url: str) -> str:
    """The URL of ``db_url``'s database for a login role that holds only the application
    role's rights (created once per cluster; granted the role in this database's cluster)."""
    url = make_url(db_url)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_LOGIN,)).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS").format(
                    sql.Identifier(APP_LOGIN)
                )
            )
        conn.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(APP_ROLE), sql.Identifier(APP_LOGIN))
        )
    return url.set(username=APP_LOGIN, password=None).render_as_string(hide_password=False)


def wait_for_next_totp_step() -> None:
    """Sleep into the next 30-second step (for tests of codes across steps)."""
    time.sleep(mfa.STEP_SECONDS - time.time() % mfa.STEP_SECONDS + 0.05)
