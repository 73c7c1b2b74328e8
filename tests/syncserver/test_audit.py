"""The tamper-evident audit trail: any change, removal or reordering of an entry is found,
and the entry named."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from syncserver import audit, audit_chain
from syncserver.db.engine import Database
from syncserver.db.tables import audit_log
from tests.helpers.server import ChangeMaker, EnrolledDevice, push_ok, residents_of, staff_of


def _verify(db: Database, tenant_id: str) -> audit.VerifyResult:
    with db.reader.connect() as conn:
        return audit.verify(conn, tenant_id)


def _entries(db: Database, tenant_id: str) -> int:
    with db.reader.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(audit_log)
                .where(audit_log.c.tenant_id == tenant_id)
            ).scalar_one()
        )


def _raw(db: Database, statement: str, **params: object) -> None:
    """Tamper as someone with database access would: plain SQL, no application code."""
    with db.writer.begin() as conn:
        conn.execute(sa.text(statement), params)


def test_a_seeded_tenants_trail_verifies(seeded_db: Database, demo_provider: DemoProvider) -> None:
    result = _verify(seeded_db, demo_provider.tenant_id)
    assert result.ok, result.reason
    assert result.entries == _entries(seeded_db, demo_provider.tenant_id) > 100


def test_the_trail_still_verifies_after_pushes_and_refusals(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
    home_a: str,
) -> None:
    carer = staff_of(demo_provider, "care_assistant", home_a).user_id
    resident = residents_of(demo_provider, home_a)[0].record_id
    maker = ChangeMaker()
    push_ok(client, pc_a.headers, [maker.note(resident, carer) for _ in range(3)])
    bad = client.post(
        "/v1/auth/login", json={"username": "nobody", "password": "x"}, headers=pc_a.headers
    )
    assert bad.status_code == 401
    result = _verify(seeded_db, demo_provider.tenant_id)
    assert result.ok, result.reason


def test_two_tenants_keep_separate_chains(
    seeded_db: Database, demo_provider: DemoProvider, other_provider: DemoProvider
) -> None:
    assert _verify(seeded_db, demo_provider.tenant_id).ok
    assert _verify(seeded_db, other_provider.tenant_id).ok
    _raw(
        seeded_db,
        "UPDATE audit_log SET detail = '{}' WHERE tenant_id = :t AND seq = 3",
        t=other_provider.tenant_id,
    )
    assert _verify(seeded_db, demo_provider.tenant_id).ok
    assert _verify(seeded_db, other_provider.tenant_id).first_bad_seq == 3


@pytest.mark.parametrize("column", ["detail", "action", "subject", "at"])
def test_a_changed_entry_is_found_and_named(
    seeded_db: Database, demo_provider: DemoProvider, column: str
) -> None:
    victim = 7
    values = {
        "detail": "'{\"forged\": true}'",
        "action": "'tenant.created'",
        "subject": "'someone-else'",
        "at": "at - INTERVAL '1' DAY"
        if not seeded_db.is_sqlite
        else "'2001-01-01 00:00:00.000000'",
    }
    _raw(
        seeded_db,
        f"UPDATE audit_log SET {column} = {values[column]} WHERE tenant_id = :t AND seq = :s",
        t=demo_provider.tenant_id,
        s=victim,
    )
    result = _verify(seeded_db, demo_provider.tenant_id)
    assert not result.ok
    assert result.first_bad_seq == victim
    assert result.reason == f"entry {victim} was changed"


def test_a_changed_entry_with_its_hash_recomputed_breaks_the_next_link(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    victim = 7
    with seeded_db.writer.begin() as conn:
        row = dict(
            conn.execute(
                sa.select(audit_log).where(
                    audit_log.c.tenant_id == demo_provider.tenant_id, audit_log.c.seq == victim
                )
            )
            .mappings()
            .one()
        )
        row["detail"] = '{"forged": true}'
        forged = audit.entry_hash(
            row["prev_hash"], demo_provider.tenant_id, victim, audit_chain._at_text(row["at"]), row
        )
        conn.execute(
            sa.update(audit_log)
            .where(audit_log.c.tenant_id == demo_provider.tenant_id, audit_log.c.seq == victim)
            .values(detail=row["detail"], hash=forged)
        )
    result = _verify(seeded_db, demo_provider.tenant_id)
    assert result.first_bad_seq == victim + 1
    assert result.reason == f"entry {victim + 1} does not follow entry {victim}"


def test_a_deleted_entry_is_found_and_named(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    _raw(
        seeded_db,
        "DELETE FROM audit_log WHERE tenant_id = :t AND seq = 5",
        t=demo_provider.tenant_id,
    )
    result = _verify(seeded_db, demo_provider.tenant_id)
    assert (result.first_bad_seq, result.reason) == (5, "entry 5 is missing")


def test_deleting_the_newest_entry_is_found(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    last = _entries(seeded_db, demo_provider.tenant_id)
    _raw(
        seeded_db,
        "DELETE FROM audit_log WHERE tenant_id = :t AND seq = :s",
        t=demo_provider.tenant_id,
        s=last,
    )
    result = _verify(seeded_db, demo_provider.tenant_id)
    assert result.first_bad_seq == last
    assert result.reason == f"entries after {last - 1} were removed"


def test_reordered_entries_are_found_and_named(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    # Swap entries 4 and 5 wholesale (each keeps its own hashes, but moves place).
    tenant = demo_provider.tenant_id
    _raw(seeded_db, "UPDATE audit_log SET seq = -1 WHERE tenant_id = :t AND seq = 4", t=tenant)
    _raw(seeded_db, "UPDATE audit_log SET seq = 4 WHERE tenant_id = :t AND seq = 5", t=tenant)
    _raw(seeded_db, "UPDATE audit_log SET seq = 5 WHERE tenant_id = :t AND seq = -1", t=tenant)
    result = _verify(seeded_db, tenant)
    assert not result.ok
    assert result.first_bad_seq == 4
    assert result.reason == "entry 4 does not follow entry 3"


def test_an_unknown_tenant_does_not_verify(seeded_db: Database) -> None:
    result = _verify(seeded_db, "no-such-tenant")
    assert not result.ok
    assert result.reason == "no tenant no-such-tenant"


def test_content_is_stored_as_a_keyed_hash_only() -> None:
    key = b"k" * 32
    assert audit.content_hash({"b": 1, "a": "x"}, key) == audit.content_hash(
        {"a": "x", "b": 1}, key
    )
    stored = audit.content_hash({"text": "private"}, key)
    assert stored.startswith("hmac-sha256:1:") and len(stored) == len("hmac-sha256:1:") + 64
    # Without the key, the hash of a guess does not match: a guess cannot be confirmed.
    assert audit.content_hash({"text": "private"}, b"x" * 32) != stored
    assert hashlib.sha256(audit.canonical({"text": "private"}).encode()).hexdigest() not in stored
    assert audit.content_matches({"text": "private"}, stored, key)
    assert not audit.content_matches({"text": "public"}, stored, key)
    # Entries from before the audit key (plain SHA-256) are still understood.
    legacy = hashlib.sha256(audit.canonical({"text": "private"}).encode()).hexdigest()
    assert audit.content_matches({"text": "private"}, legacy, key)


@pytest.mark.parametrize(
    ("user", "device", "subject", "seq"),
    [
        (None, None, None, 1),
        ("u-1", 'd\u00e9vice "quoted" \\ back', "care_note:\u2028x\u0001", 2**40),
        ("\ud7ff\U0001f600", "d", "tab\there", 7),
    ],
)
def test_an_entrys_hash_is_over_its_canonical_json(
    user: str | None, device: str | None, subject: str | None, seq: int
) -> None:
    """The hash is written out without json.dumps for speed; it must stay the hash of the
    canonical JSON that ``verify`` and any outside checker compute."""
    row = {
        "action": "change.create",
        "user_id": user,
        "device_id": device,
        "subject": subject,
        "detail": audit.canonical({"change": "c", "note": "caf\u00e9"}),
    }
    at = "2026-01-02T03:04:05.000006Z"
    body = audit.canonical(
        {
            "tenant": "t\u00e9",
            "seq": seq,
            "at": at,
            "action": row["action"],
            "user": user,
            "device": device,
            "subject": subject,
            "detail": row["detail"],
        }
    )
    expected = hashlib.sha256(("p" * 64 + body).encode()).hexdigest()
    assert audit.entry_hash("p" * 64, "t\u00e9", seq, at, row) == expected
