"""Protocol negotiation: the server speaks a range of versions, so an older app keeps
syncing, and a version outside the range is refused with a code the app can act on."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from shared.protocol import OLDEST_SUPPORTED_PROTOCOL, PROTOCOL_VERSION
from syncserver.db.engine import Database
from syncserver.db.tables import devices
from tests.helpers.server import (
    ChangeMaker,
    EnrolledDevice,
    footprint,
    pull,
    pull_all,
    push,
    push_ok,
    residents_of,
    staff_of,
)


def _hello(client: TestClient, pc: EnrolledDevice, low: int, high: int) -> dict[str, object]:
    response = client.post(
        "/v1/sync/hello",
        json={"min_protocol": low, "max_protocol": high, "app_version": "0.9.1"},
        headers=pc.headers,
    )
    body: dict[str, object] = {"status": response.status_code, **response.json()}
    return body


def test_the_highest_common_version_is_chosen(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    body = _hello(client, pc_a, 1, PROTOCOL_VERSION + 5)
    assert body["status"] == 200
    assert body["protocol"] == PROTOCOL_VERSION
    assert (body["tenant_id"], body["home_id"]) == (demo_provider.tenant_id, pc_a.home_id)


@pytest.mark.parametrize("behind", [1, 2], ids=["one_behind", "two_behind"])
def test_an_app_one_or_two_versions_behind_still_syncs(
    *,
    client: TestClient,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
    home_a: str,
    behind: int,
) -> None:
    old = PROTOCOL_VERSION - behind
    assert old >= OLDEST_SUPPORTED_PROTOCOL
    assert _hello(client, pc_a, old, old)["protocol"] == old
    carer = staff_of(demo_provider, "care_assistant", home_a).user_id
    note = ChangeMaker().note(residents_of(demo_provider, home_a)[0].record_id, carer)
    result = push_ok(client, pc_a.headers, [note], protocol=old)
    assert (result.protocol, result.applied) == (old, 1)
    records, _ = pull_all(client, pc_a2.headers, protocol=old)
    assert note.record_id in {r.record_id for r in records}
    assert pull(client, pc_a2.headers, protocol=old).protocol == old


def test_every_supported_version_pulls_the_same_records(
    client: TestClient, pc_a: EnrolledDevice
) -> None:
    """Protocol 3 sends records as arrays with their JSON as text, 1 and 2 as objects: the
    records are the same, in the same order, page by page."""
    pulled = {
        version: pull_all(client, pc_a.headers, limit=7, protocol=version)
        for version in range(OLDEST_SUPPORTED_PROTOCOL, PROTOCOL_VERSION + 1)
    }
    newest = pulled[PROTOCOL_VERSION]
    assert newest[0], "the demo home has records to pull"
    assert all(older == newest for older in pulled.values())
    first = pull(client, pc_a.headers, limit=7, protocol=PROTOCOL_VERSION)
    assert first.has_more and first.scope_count is None
    last = pull(client, pc_a.headers, cursor=newest[1], protocol=PROTOCOL_VERSION)
    assert (last.records, last.has_more, last.scope_count) == ([], False, len(newest[0]))


@pytest.mark.parametrize(
    ("low", "high"),
    [(PROTOCOL_VERSION + 1, PROTOCOL_VERSION + 3), (PROTOCOL_VERSION, PROTOCOL_VERSION - 1)],
    ids=["too_new", "inverted"],
)
def test_an_unsupported_range_is_refused(
    client: TestClient, pc_a: EnrolledDevice, low: int, high: int
) -> None:
    body = _hello(client, pc_a, low, high)
    assert body["status"] == 400
    assert body["code"] == "protocol_unsupported"


@pytest.mark.parametrize("protocol", [0, PROTOCOL_VERSION + 1])
def test_a_push_or_pull_in_an_unsupported_version_is_refused(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    protocol: int,
) -> None:
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id).user_id
    note = ChangeMaker().note(residents_of(demo_provider, pc_a.home_id)[0].record_id, carer)
    before = footprint(seeded_db, demo_provider.tenant_id)
    response = push(client, pc_a.headers, [note], protocol=protocol)
    assert response.status_code == 400
    assert response.json()["code"] == "protocol_unsupported"
    assert footprint(seeded_db, demo_provider.tenant_id) == before
    pulled = client.post(
        "/v1/sync/pull", json={"protocol": protocol, "cursor": 0}, headers=pc_a.headers
    )
    assert pulled.status_code == 400
    assert pulled.json()["code"] == "protocol_unsupported"


def test_hello_records_the_app_version_and_the_clock_skew(
    client: TestClient, seeded_db: Database, pc_a: EnrolledDevice
) -> None:
    behind_ms = 90_000
    response = client.post(
        "/v1/sync/hello",
        json={"min_protocol": 1, "max_protocol": PROTOCOL_VERSION, "app_version": "0.9.1"},
        headers={**pc_a.headers, "x-client-time-ms": str(int(time.time() * 1000) - behind_ms)},
    )
    assert response.status_code == 200
    with seeded_db.reader.connect() as conn:
        row = conn.execute(
            sa.select(devices.c.app_version, devices.c.clock_skew_ms).where(
                devices.c.id == pc_a.device_id
            )
        ).one()
    assert row.app_version == "0.9.1"
    assert behind_ms <= row.clock_skew_ms < behind_ms + 60_000
    assert response.json()["server_seq"] > 0
