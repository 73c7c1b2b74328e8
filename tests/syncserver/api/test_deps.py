"""A PC that IT has revoked may hand over its last changes, and is refused everything
else, each refusal audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from syncserver import tenancy
from syncserver.db.engine import Database
from syncserver.db.tables import devices
from syncserver.errors import NotFound
from tests.helpers.server import (
    ChangeMaker,
    EnrolledDevice,
    audit_rows,
    push,
    push_ok,
    staff_of,
    stored_record,
)


@pytest.fixture
def revoked_pc(seeded_db: Database, pc_a: EnrolledDevice) -> EnrolledDevice:
    with seeded_db.writer.begin() as conn:
        tenancy.revoke_device(conn, pc_a.device_id)
    return pc_a


def test_a_revoked_pc_may_still_hand_over_its_last_changes(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    revoked_pc: EnrolledDevice,
) -> None:
    """What was recorded on the floor before IT pulled the PC is never lost: its last push
    is accepted and marked in the audit trail as coming from a revoked PC."""
    carer = staff_of(demo_provider, "care_assistant", revoked_pc.home_id)
    resident = next(r for r in demo_provider.residents if r.home_id == revoked_pc.home_id)
    note = ChangeMaker().note(resident.record_id, carer.user_id)
    result = push_ok(client, revoked_pc.headers, [note])
    assert result.applied == 1
    assert stored_record(seeded_db, demo_provider.tenant_id, note.record_id) is not None
    marked = audit_rows(seeded_db, demo_provider.tenant_id, "change.create.from_revoked_device")
    assert [(r.device_id, r.subject) for r in marked] == [
        (revoked_pc.device_id, f"care_note:{note.record_id}")
    ]


def test_a_revoked_pc_is_refused_everything_else_and_audited(
    client: TestClient, seeded_db: Database, revoked_pc: EnrolledDevice
) -> None:
    requests = {
        "/v1/sync/pull": {"protocol": 2, "cursor": 0},
        "/v1/sync/hello": {"min_protocol": 1, "max_protocol": 2, "app_version": "1"},
        "/v1/auth/login": {"username": "it.admin", "password": "CareDemo-2026"},
    }
    answers = {
        path: client.post(path, json=body, headers=revoked_pc.headers)
        for path, body in requests.items()
    }
    assert {p: (r.status_code, r.json()["code"]) for p, r in answers.items()} == {
        path: (403, "device_revoked") for path in requests
    }
    refusals = audit_rows(seeded_db, revoked_pc.tenant_id, "device.refused_revoked")
    assert [r.device_id for r in refusals] == [revoked_pc.device_id] * len(requests)


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


def test_a_pc_revoked_after_it_last_pushed_is_marked_as_revoked_all_the_same(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    """The server knows a PC's credential from its last push; whether the PC is still in
    service is read again inside each push's own transaction."""
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id)
    resident = next(r for r in demo_provider.residents if r.home_id == pc_a.home_id)
    maker = ChangeMaker()
    before = maker.note(resident.record_id, carer.user_id)
    push_ok(client, pc_a.headers, [before])
    with seeded_db.writer.begin() as conn:
        tenancy.revoke_device(conn, pc_a.device_id)
    after = maker.note(resident.record_id, carer.user_id)
    push_ok(client, pc_a.headers, [after])
    marked = audit_rows(seeded_db, demo_provider.tenant_id, "change.create.from_revoked_device")
    assert [r.subject for r in marked] == [f"care_note:{after.record_id}"]


def test_a_known_pc_with_the_wrong_secret_is_refused(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id)
    resident = next(r for r in demo_provider.residents if r.home_id == pc_a.home_id)
    maker = ChangeMaker()
    push_ok(client, pc_a.headers, [maker.note(resident.record_id, carer.user_id)])
    scheme, _, credential = pc_a.headers["authorization"].partition(" ")
    device_id, _, secret = credential.partition(".")
    forged = {"authorization": f"{scheme} {device_id}.{secret[::-1]}"}
    body = {"protocol": 2, "changes": []}
    response = client.post("/v1/sync/push", json=body, headers=forged)
    assert (response.status_code, response.json()["code"]) == (401, "device_unauthenticated")


def test_a_known_pc_no_longer_in_the_database_is_refused(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    """The credential the server remembers is not enough: the push's transaction must find
    the device (a database restored from before it enrolled has no such device)."""
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id)
    resident = next(r for r in demo_provider.residents if r.home_id == pc_a.home_id)
    maker = ChangeMaker()
    push_ok(client, pc_a.headers, [maker.note(resident.record_id, carer.user_id)])
    with seeded_db.writer.begin() as conn:
        conn.execute(sa.delete(devices).where(devices.c.id == pc_a.device_id))
    late = maker.note(resident.record_id, carer.user_id)
    response = push(client, pc_a.headers, [late])
    assert (response.status_code, response.json()["code"]) == (401, "device_unauthenticated")
    assert stored_record(seeded_db, demo_provider.tenant_id, late.record_id) is None
