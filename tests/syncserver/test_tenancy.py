"""Provider administration: homes found by name, staff changes that sync to the PCs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider, generate_provider
from syncserver import tenancy
from syncserver.db.engine import Database
from syncserver.errors import BadRequest, NotFound
from tests.helpers.server import (
    EnrolledDevice,
    pull_all,
    server_cipher,
    staff_of,
    stored_record,
)


def test_a_home_is_found_by_name_or_id(seeded_db: Database, demo_provider: DemoProvider) -> None:
    home = demo_provider.homes[1]
    with seeded_db.reader.connect() as conn:
        by_name = tenancy.find_home(conn, "Bryn Hafod")
        by_id = tenancy.find_home(conn, home.record_id)
    assert by_name == by_id == (demo_provider.tenant_id, home.record_id, "Bryn Hafod")


def test_an_unknown_home_is_not_found(seeded_db: Database) -> None:
    with seeded_db.reader.connect() as conn, pytest.raises(NotFound) as caught:
        tenancy.find_home(conn, "Nowhere")
    assert caught.value.code == "unknown_home"


def test_two_homes_of_one_name_must_be_told_apart_by_id(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    twin = generate_provider(
        tenant_name="Twin Care",
        homes=(("Oakwood House", "england"),),
        residents_per_home=1,
        days=0,
        seed=3,
    )
    with seeded_db.writer.begin() as conn:
        tenancy.seed_provider(conn, twin, cipher=server_cipher())
    with seeded_db.reader.connect() as conn:
        with pytest.raises(BadRequest) as caught:
            tenancy.find_home(conn, "Oakwood House")
        assert caught.value.code == "ambiguous_home"
        assert tenancy.find_home(conn, "Oakwood House", demo_provider.tenant_id)[0] == (
            demo_provider.tenant_id
        )


def test_disabling_a_user_syncs_to_the_pcs(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    _, cursor = pull_all(client, pc_a.headers)
    carer = staff_of(demo_provider, "care_assistant", pc_a.home_id)
    with seeded_db.writer.begin() as conn:
        tenancy.set_user_active(conn, demo_provider.tenant_id, carer.username, False)
    changed, _ = pull_all(client, pc_a.headers, cursor)
    assert [(r.record_id, r.fields["active"]) for r in changed] == [(carer.user_id, False)]


def test_a_new_user_syncs_to_every_home(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_b: EnrolledDevice
) -> None:
    _, cursor = pull_all(client, pc_b.headers)
    with seeded_db.writer.begin() as conn:
        user_id = tenancy.add_user(
            conn,
            demo_provider.tenant_id,
            username="new.nurse",
            display_name="New Nurse",
            role="nurse",
            home_ids=[demo_provider.homes[0].record_id],
            password="long enough pw",
        )
    changed, _ = pull_all(client, pc_b.headers, cursor)
    assert [r.record_id for r in changed] == [user_id]
    stored = stored_record(seeded_db, demo_provider.tenant_id, user_id)
    assert stored is not None and stored.home_id is None  # staff are provider-wide


def test_an_unknown_role_is_refused(seeded_db: Database, demo_provider: DemoProvider) -> None:
    with seeded_db.writer.begin() as conn, pytest.raises(BadRequest, match="Unknown role"):
        tenancy.add_user(
            conn,
            demo_provider.tenant_id,
            username="x",
            display_name="X",
            role="wizard",
            home_ids=[],
            password="long enough pw",
        )


def test_disabling_an_unknown_user_says_so(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    with seeded_db.writer.begin() as conn, pytest.raises(NotFound, match="no user 'ghost'"):
        tenancy.set_user_active(conn, demo_provider.tenant_id, "ghost", False)
