"""A PC that IT has revoked is refused everywhere, and each refusal is audited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from syncserver import tenancy
from syncserver.db.engine import Database
from syncserver.errors import NotFound
from tests.helpers.server import ChangeMaker, EnrolledDevice, audit_rows, push, staff_of


@pytest.fixture
def revoked_pc(seeded_db: Database, pc_a: EnrolledDevice) -> EnrolledDevice:
    with seeded_db.writer.begin() as conn:
        tenancy.revoke_device(conn, pc_a.device_id)
    return pc_a


def test_a_revoked_pc_cannot_push(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    revoked_pc: EnrolledDevice,
    home_a: str,
) -> None:
    carer = staff_of(demo_provider, "care_assistant", home_a)
    resident = next(r for r in demo_provider.residents if r.home_id == home_a)
    response = push(
        client, revoked_pc.headers, [ChangeMaker().note(resident.record_id, carer.user_id)]
    )
    assert response.status_code == 403
    assert response.json()["code"] == "device_revoked"
    refusals = audit_rows(seeded_db, demo_provider.tenant_id, "device.refused_revoked")
    assert [r.device_id for r in refusals] == [revoked_pc.device_id]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/sync/pull", {"protocol": 2, "cursor": 0}),
        ("/v1/sync/hello", {"min_protocol": 1, "max_protocol": 2, "app_version": "1"}),
        ("/v1/auth/login", {"username": "it.admin", "password": "CareDemo-2026"}),
    ],
)
def test_a_revoked_pc_is_refused_everywhere(
    client: TestClient, revoked_pc: EnrolledDevice, path: str, body: dict[str, object]
) -> None:
    response = client.post(path, json=body, headers=revoked_pc.headers)
    assert response.status_code == 403
    assert response.json()["code"] == "device_revoked"


def test_revoking_leaves_other_pcs_working(
    client: TestClient, revoked_pc: EnrolledDevice, pc_a2: EnrolledDevice
) -> None:
    response = client.post(
        "/v1/sync/pull", json={"protocol": 2, "cursor": 0}, headers=pc_a2.headers
    )
    assert response.status_code == 200


def test_revoking_an_unknown_pc_says_so(seeded_db: Database) -> None:
    with seeded_db.writer.begin() as conn, pytest.raises(NotFound, match="no device"):
        tenancy.revoke_device(conn, "0190a0a0-0000-7000-8000-000000000000")
