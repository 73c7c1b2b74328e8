"""Enrolling a PC with a one-time code from IT, and how an enrolled PC authenticates."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from syncserver.db.engine import Database
from syncserver.db.tables import devices, enrol_codes
from tests.helpers.server import EnrolledDevice, audit_rows, issue_code


def _enrol(client: TestClient, code: str) -> tuple[int, dict[str, object]]:
    response = client.post(
        "/v1/devices/enrol",
        json={"code": code, "device_name": "Bluebell office", "app_version": "0.1.0"},
    )
    body: dict[str, object] = response.json()
    return response.status_code, body


def _device_count(db: Database) -> int:
    with db.reader.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(devices)).scalar_one())


def _codes_used(db: Database) -> list[bool]:
    with db.reader.connect() as conn:
        return [
            used is not None for used in conn.execute(sa.select(enrol_codes.c.used_at)).scalars()
        ]


def test_a_good_code_enrols_the_pc_in_its_home(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, home_a: str
) -> None:
    code = issue_code(seeded_db, demo_provider.tenant_id, home_a)
    status, body = _enrol(client, code)
    assert status == 200, body
    assert body["tenant_id"] == demo_provider.tenant_id
    assert body["tenant_name"] == demo_provider.tenant_name
    assert body["home_id"] == home_a
    assert body["home_name"] == demo_provider.homes[0].fields["name"]
    assert isinstance(body["device_secret"], str) and len(body["device_secret"]) >= 40
    with seeded_db.reader.connect() as conn:
        row = conn.execute(sa.select(devices).where(devices.c.id == body["device_id"])).one()
    assert (row.home_id, row.status, row.name) == (home_a, "active", "Bluebell office")
    assert body["device_secret"] not in row.secret_hash  # only a digest is stored
    assert _codes_used(seeded_db) == [True]
    enrolled = audit_rows(seeded_db, demo_provider.tenant_id, "device.enrolled")
    assert [(e.device_id, e.subject) for e in enrolled] == [(body["device_id"], home_a)]


def test_the_code_is_accepted_in_lower_case_and_without_dashes(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, home_a: str
) -> None:
    code = issue_code(seeded_db, demo_provider.tenant_id, home_a)
    status, body = _enrol(client, f"  {code.replace('-', '').lower()} ")
    assert status == 200, body


def test_a_wrong_code_is_refused_and_creates_nothing(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, home_a: str
) -> None:
    issue_code(seeded_db, demo_provider.tenant_id, home_a)
    status, body = _enrol(client, "ABCD-EFGH-JKLM")
    assert (status, body["code"]) == (401, "enrol_code_invalid")
    assert _device_count(seeded_db) == 0
    assert _codes_used(seeded_db) == [False]


def test_a_used_code_is_refused_and_creates_nothing(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, home_a: str
) -> None:
    code = issue_code(seeded_db, demo_provider.tenant_id, home_a)
    assert _enrol(client, code)[0] == 200
    status, body = _enrol(client, code)
    assert (status, body["code"]) == (401, "enrol_code_used")
    assert _device_count(seeded_db) == 1


def test_an_expired_code_is_refused_and_creates_nothing(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, home_a: str
) -> None:
    code = issue_code(seeded_db, demo_provider.tenant_id, home_a)
    with seeded_db.writer.begin() as conn:
        conn.execute(
            sa.update(enrol_codes).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            )
        )
    status, body = _enrol(client, code)
    assert (status, body["code"]) == (401, "enrol_code_expired")
    assert _device_count(seeded_db) == 0
    assert _codes_used(seeded_db) == [False]


def test_malformed_enrolments_are_refused_with_a_clear_code(
    client: TestClient, seeded_db: Database
) -> None:
    bodies = {
        "empty_code": {"code": "", "device_name": "PC", "app_version": "1"},
        "empty_name": {"code": "ABCD", "device_name": "", "app_version": "1"},
        "unknown_key": {"code": "ABCD", "device_name": "PC", "app_version": "1", "extra": True},
        "no_code": {"device_name": "PC", "app_version": "1"},
    }
    wrong = {}
    for case, body in bodies.items():
        response = client.post("/v1/devices/enrol", json=body)
        if (response.status_code, response.json()["code"]) != (422, "invalid_request"):
            wrong[case] = response.text
    assert wrong == {}
    assert _device_count(seeded_db) == 0


def test_an_enrolled_pc_authenticates_with_its_secret(
    client: TestClient, pc_a: EnrolledDevice
) -> None:
    hello = {"min_protocol": 1, "max_protocol": 2, "app_version": "0.1.0"}
    assert client.post("/v1/sync/hello", json=hello, headers=pc_a.headers).status_code == 200


def test_a_pc_without_valid_credentials_is_refused(
    client: TestClient, pc_a: EnrolledDevice
) -> None:
    d, secret = pc_a.device_id, pc_a.secret
    attempts = {
        "none": None,
        "empty": "",
        "bearer": "Bearer something",
        "no_secret": "Device no-dot-here",
        "wrong_secret": f"Device {d}.wrong-secret",
        "unknown_device": f"Device 0190a0a0-0000-7000-8000-000000000000.{secret}",
        "scheme_case": f"device {d}.{secret}",
        "too_long": f"Device {d}." + "x" * 300,
    }
    wrong = {}
    for case, authorization in attempts.items():
        headers = {} if authorization is None else {"authorization": authorization}
        response = client.post("/v1/sync/pull", json={"protocol": 2, "cursor": 0}, headers=headers)
        if (response.status_code, response.json()["code"]) != (401, "device_unauthenticated"):
            wrong[case] = response.text
    assert wrong == {}
