"""Personal identifiers are sealed in the server database (AES-256-GCM with the tenant's data
key, bound to tenant, record and field) and opened only when a PC pulls them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider, SeedRecord
from syncserver.crypto import DecryptionFailed, FieldCipher, LocalMasterKey, is_sealed
from syncserver.db.engine import Database
from syncserver.db.tables import changes, metadata, records, tenant_keys
from tests.helpers.security import opened_fields
from tests.helpers.server import (
    ChangeMaker,
    EnrolledDevice,
    open_migrated,
    pull_all,
    push_ok,
    residents_of,
    seed,
    server_cipher,
    staff_of,
    stored_record,
)

PERSONAL = ("first_name", "last_name", "preferred_name", "date_of_birth", "nhs_number")


def _identifiers(residents: list[SeedRecord]) -> list[str]:
    found = []
    for r in residents:
        found += [f"{r.fields['first_name']} {r.fields['last_name']}", r.fields["nhs_number"]]
        found.append(r.fields["next_of_kin"])
    return found


def test_seeded_residents_are_sealed_at_rest(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    for resident in demo_provider.residents:
        stored = stored_record(seeded_db, demo_provider.tenant_id, resident.record_id)
        assert stored is not None
        for name in (*PERSONAL, "next_of_kin"):
            assert is_sealed(stored.fields[name]), name
            assert str(resident.fields[name]) not in stored.fields[name]
        assert stored.fields["diet"] == resident.fields["diet"]  # not personal: in clear
        assert opened_fields(seeded_db, demo_provider.tenant_id, resident.record_id) == (
            resident.fields
        )


def test_no_table_holds_a_personal_identifier_in_clear(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    """Every row of every table, as text: names, NHS numbers and next of kin never appear."""
    with seeded_db.reader.connect() as conn:
        dumped = "\n".join(
            str(tuple(row))
            for table in metadata.sorted_tables
            for row in conn.execute(sa.select(table))
        )
    assert "Oakwood House" in dumped  # a positive control: the search does find text
    leaked = [s for s in _identifiers(demo_provider.residents) if s in dumped]
    assert leaked == []


def test_the_sqlite_file_and_its_wal_hold_no_personal_identifier(
    tmp_path: Path, demo_provider: DemoProvider
) -> None:
    path = tmp_path / "server.db"
    db = open_migrated(f"sqlite:///{path}")
    try:
        seed(db, demo_provider)
        content = b"".join(p.read_bytes() for p in tmp_path.glob("server.db*"))
    finally:
        db.dispose()
    assert b"Oakwood House" in content  # a positive control
    leaked = [s for s in _identifiers(demo_provider.residents) if s.encode() in content]
    assert leaked == []


def test_a_pc_pulls_them_in_clear(
    client: TestClient, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    pulled, _cursor = pull_all(client, pc_a.headers)
    residents = {r.record_id: r for r in pulled if r.entity == "resident"}
    for resident in residents_of(demo_provider, pc_a.home_id):
        assert residents[resident.record_id].fields == resident.fields


def test_pushed_personal_fields_are_sealed_in_the_record_and_the_change_log(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
) -> None:
    resident = residents_of(demo_provider, pc_a.home_id)[0]
    senior = staff_of(demo_provider, "senior_carer", pc_a.home_id).user_id
    stored = stored_record(seeded_db, demo_provider.tenant_id, resident.record_id)
    assert stored is not None
    change = ChangeMaker().update(
        "resident",
        resident.record_id,
        senior,
        {"preferred_name": "Queenie", "diet": "Soft"},
        {"preferred_name": stored.versions["preferred_name"], "diet": stored.versions["diet"]},
    )
    push_ok(client, pc_a.headers, [change])
    after = stored_record(seeded_db, demo_provider.tenant_id, resident.record_id)
    assert after is not None and is_sealed(after.fields["preferred_name"])
    assert "Queenie" not in json.dumps(after.fields)
    with seeded_db.reader.connect() as conn:
        logged = conn.execute(
            sa.select(changes.c.fields).where(changes.c.change_id == change.change_id)
        ).scalar_one()
    assert "Queenie" not in logged and json.loads(logged)["diet"] == "Soft"
    fields = opened_fields(seeded_db, demo_provider.tenant_id, resident.record_id)
    assert (fields["preferred_name"], fields["diet"]) == ("Queenie", "Soft")


def test_a_review_of_a_personal_field_keeps_the_competing_values_sealed(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    pc_a2: EnrolledDevice,
) -> None:
    resident = residents_of(demo_provider, pc_a.home_id)[1]
    senior = staff_of(demo_provider, "senior_carer", pc_a.home_id).user_id
    stored = stored_record(seeded_db, demo_provider.tenant_id, resident.record_id)
    assert stored is not None
    base = {"last_name": stored.versions["last_name"]}
    push_ok(
        client,
        pc_a.headers,
        [
            ChangeMaker("a").update(
                "resident", resident.record_id, senior, {"last_name": "Pemberton"}, base
            )
        ],
    )
    result = push_ok(
        client,
        pc_a2.headers,
        [
            ChangeMaker("b").update(
                "resident", resident.record_id, senior, {"last_name": "Pembleton"}, base
            )
        ],
    )
    assert result.review_items == 1
    with seeded_db.reader.connect() as conn:
        review = conn.execute(
            sa.select(records.c.record_id, records.c.fields).where(
                records.c.tenant_id == demo_provider.tenant_id, records.c.entity == "review_item"
            )
        ).one()
    assert "Pemb" not in review.fields and is_sealed(json.loads(review.fields)["values"])
    assert is_sealed(json.loads(review.fields)["message"])
    pulled, _ = pull_all(client, pc_a.headers)
    item = next(r for r in pulled if r.record_id == review.record_id)
    assert {v["value"] for v in item.fields["values"]} == {"Pemberton", "Pembleton"}


def test_a_value_copied_to_another_record_field_or_tenant_does_not_decrypt(
    seeded_db: Database, demo_provider: DemoProvider, other_provider: DemoProvider
) -> None:
    one, two = demo_provider.residents[0], demo_provider.residents[1]
    a = stored_record(seeded_db, demo_provider.tenant_id, one.record_id)
    assert a is not None
    sealed = a.fields["nhs_number"]
    with seeded_db.reader.begin() as conn:
        mine = server_cipher().for_tenant(conn, demo_provider.tenant_id)
        assert mine.open("resident", one.record_id, {"nhs_number": sealed}) == {
            "nhs_number": one.fields["nhs_number"]
        }
        with pytest.raises(DecryptionFailed, match="copied from another record"):
            mine.open("resident", two.record_id, {"nhs_number": sealed})
        with pytest.raises(DecryptionFailed):
            mine.open("resident", one.record_id, {"last_name": sealed})
        theirs = server_cipher().for_tenant(conn, other_provider.tenant_id)
        with pytest.raises(DecryptionFailed):
            theirs.open("resident", one.record_id, {"nhs_number": sealed})


def test_a_pull_refuses_to_serve_a_swapped_value(
    client: TestClient, seeded_db: Database, demo_provider: DemoProvider, pc_a: EnrolledDevice
) -> None:
    """Someone with database access moves one resident's sealed name onto another: the
    server refuses to hand it out (500 decryption_failed) rather than show the wrong name."""
    one, two = residents_of(demo_provider, pc_a.home_id)[:2]
    a = stored_record(seeded_db, demo_provider.tenant_id, one.record_id)
    b = stored_record(seeded_db, demo_provider.tenant_id, two.record_id)
    assert a is not None and b is not None
    with seeded_db.writer.begin() as conn:
        conn.execute(
            sa.update(records)
            .where(records.c.tenant_id == demo_provider.tenant_id)
            .where(records.c.record_id == two.record_id)
            .values(fields=json.dumps({**b.fields, "last_name": a.fields["last_name"]}))
        )
    client_errors = TestClient(client.app, raise_server_exceptions=False)
    response = client_errors.post(
        "/v1/sync/pull", json={"protocol": 2, "cursor": 0, "limit": 5000}, headers=pc_a.headers
    )
    assert (response.status_code, response.json()["code"]) == (500, "decryption_failed")
    assert two.record_id in response.json()["message"]


def test_every_value_gets_its_own_nonce(seeded_db: Database, demo_provider: DemoProvider) -> None:
    with seeded_db.writer.begin() as conn:
        cipher = server_cipher().for_tenant(conn, demo_provider.tenant_id)
        sealed = {cipher.seal_value("records", "r1", "first_name", "Ann") for _ in range(200)}
    assert len(sealed) == 200
    bodies = {s.rsplit(":", 1)[1][:16] for s in sealed}  # the nonce leads the body
    assert len(bodies) == 200


def test_the_data_key_is_stored_wrapped_and_the_version_with_each_value(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    with seeded_db.reader.connect() as conn:
        keys = conn.execute(
            sa.select(tenant_keys).where(tenant_keys.c.tenant_id == demo_provider.tenant_id)
        ).all()
    assert [k.version for k in keys] == [1]
    assert keys[0].master_key_id == server_cipher().master_key_id
    stored = stored_record(seeded_db, demo_provider.tenant_id, demo_provider.residents[0].record_id)
    assert stored is not None and stored.fields["first_name"].startswith("wcn:enc:1:1:")


def test_another_master_key_cannot_open_the_data_keys(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    stranger = FieldCipher(LocalMasterKey(b"\x01" * 32))
    stored = stored_record(seeded_db, demo_provider.tenant_id, demo_provider.residents[0].record_id)
    assert stored is not None
    with seeded_db.reader.begin() as conn:
        cipher = stranger.for_tenant(conn, demo_provider.tenant_id)
        with pytest.raises(Exception, match="wrapped by master key"):
            cipher.open("resident", demo_provider.residents[0].record_id, stored.fields)
