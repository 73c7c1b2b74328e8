"""IT sees every PC's app version and when it was last seen, over the API and from the CLI:
the version each PC sends in its ``hello`` is what the devices table keeps."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from shared.protocol import PROTOCOL_VERSION
from syncserver.cli.main import main
from syncserver.db.engine import Database
from tests.helpers.security import sign_in
from tests.helpers.server import EnrolledDevice, staff_of


def _hello(client: TestClient, pc: EnrolledDevice, version: str) -> None:
    response = client.post(
        "/v1/sync/hello",
        json={"min_protocol": 1, "max_protocol": PROTOCOL_VERSION, "app_version": version},
        headers=pc.headers,
    )
    assert response.status_code == 200, response.text


def test_the_device_list_shows_versions_and_last_seen(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice, pc_b: EnrolledDevice
) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    _hello(client, pc_a, "0.2.0")
    manager = staff_of(demo_provider, "home_manager", pc_a.home_id)
    tokens = sign_in(client, pc_a, manager.username, "home_manager")
    response = client.get(
        "/v1/admin/devices", headers={"authorization": f"Bearer {tokens['access_token']}"}
    )
    assert response.status_code == 200, response.text
    found = {d["id"]: d for d in response.json()}
    assert found[pc_a.device_id]["app_version"] == "0.2.0"
    assert found[pc_b.device_id]["app_version"] == "0.1.0"  # as it enrolled
    for device in found.values():
        assert dt.datetime.fromisoformat(device["last_seen_at"]) >= before
        assert device["status"] == "active"


def test_a_carer_may_not_list_the_pcs(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id)
    tokens = sign_in(client, pc_a, carer.username, "care_assistant")
    response = client.get(
        "/v1/admin/devices", headers={"authorization": f"Bearer {tokens['access_token']}"}
    )
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_the_cli_lists_versions_and_last_seen(
    client: TestClient,
    seeded_db: Database,
    pc_a: EnrolledDevice,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _hello(client, pc_a, "0.3.1")
    capsys.readouterr()
    assert main(["device", "list", "--database-url", seeded_db.url]) == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert header.split()[:5] == ["device", "name", "status", "version", "last"]
    assert row.startswith(pc_a.device_id)
    assert "0.3.1" in row and "active" in row
    seen = row.split()[-2]
    assert dt.datetime.fromisoformat(seen) > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
