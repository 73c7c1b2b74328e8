"""A care assistant tries every manager-only action, through the API and the sync protocol:
each is refused (and audited), and nothing is written. On PostgreSQL the server connects AS a
login holding only the application role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.demo_data import DemoProvider
from shared.ids import new_id
from syncserver.db.engine import Database
from tests.helpers.isolation import Findings, World, snapshot, two_providers
from tests.helpers.security import sign_in
from tests.helpers.server import (
    ChangeMaker,
    audit_rows,
    now_iso,
    push,
    residents_of,
    stored_record,
)


@pytest.fixture
def world(
    server_db_url: str,
    seeded_db: Database,
    demo_provider: DemoProvider,
    other_provider: DemoProvider,
) -> Iterator[World]:
    with two_providers(server_db_url, seeded_db, demo_provider, other_provider) as built:
        yield built


def test_a_care_assistant_is_refused_every_manager_only_action(world: World) -> None:
    user_id, username = world.person("care_assistant")
    session = sign_in(world.client, world.pc_a, username, "care_assistant")
    resident = residents_of(world.a, world.pc_a.home_id)[0]
    stored = stored_record(world.db, world.a.tenant_id, resident.record_id)
    assert stored is not None
    before = snapshot(world.db, world.a.tenant_id, audit=False)
    found = Findings()
    bearer = {"authorization": f"Bearer {session['access_token']}"}
    found.refused(
        "list the PCs", world.client.get("/v1/admin/devices", headers=bearer), "permission_denied"
    )
    maker = ChangeMaker("carer")

    def attempt(
        what: str, entity: str, record: str, op: str, fields: dict[str, Any], *codes: str
    ) -> None:
        change = maker.change(
            entity,
            record,
            op,
            fields,
            user_id,
            device_seq=1,
            base_versions={k: stored.versions.get(k, "") for k in fields},
        )
        found.refused(what, push(world.client, world.pc_a.headers, [change]), *codes)

    restricted = {
        "first_name": "X",
        "last_name": "Y",
        "date_of_birth": "1950-01-01",
        "nhs_number": "9434765919",
        "unit_id": new_id(),
        "room": "99",
        "status": "discharged",
        "dnacpr": False,
    }
    for name, value in restricted.items():
        attempt(
            f"change a resident's {name}",
            "resident",
            resident.record_id,
            "update",
            {name: value},
            "permission_denied",
        )
    attempt(
        "admit a resident",
        "resident",
        new_id(),
        "create",
        {**resident.fields, "room": "50"},
        "permission_denied",
    )
    attempt(
        "resolve a review item",
        "review_resolution",
        new_id(),
        "create",
        {"review_item_id": new_id(), "outcome": "done", "occurred_at": now_iso()},
        "permission_denied",
    )
    own_staff_record = world.person("care_assistant")[0]
    attempt(
        "promote themselves",
        "staff_user",
        own_staff_record,
        "update",
        {"role": "home_manager"},
        "read_only",
        "not_found",
    )
    attempt(
        "change a setting",
        "setting",
        new_id(),
        "create",
        {"key": "lock_minutes", "value": 600},
        "read_only",
    )
    attempt(
        "rename the home",
        "home",
        world.pc_a.home_id,
        "update",
        {"name": "Mine"},
        "read_only",
        "not_found",
    )
    assert found.problems == []
    assert snapshot(world.db, world.a.tenant_id, audit=False) == before
    refusals = audit_rows(world.db, world.a.tenant_id, "permission.refused")
    assert [(r.user_id, r.detail["action"]) for r in refusals] == [(user_id, "admin.devices.list")]
    pushes = audit_rows(world.db, world.a.tenant_id, "push.refused")
    assert len(pushes) == len(restricted) + 5
