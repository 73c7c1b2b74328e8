"""Keyed content hashes in the audit trail: a pushed change's entry holds an HMAC under the
tenant's audit key (wrapped by the master key, one per tenant), so a guess of a personal value
cannot be confirmed from the log; entries written before the key (plain SHA-256) still verify,
checkpoints included."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from syncserver import audit
from syncserver.db.engine import Database
from syncserver.db.tables import audit_log, tenants
from tests.helpers.server import (
    ChangeMaker,
    EnrolledDevice,
    push_ok,
    residents_of,
    server_cipher,
    staff_of,
)


def _entry_for(db: Database, tenant_id: str, record_id: str) -> dict[str, object]:
    with db.reader.connect() as conn:
        row = conn.execute(
            sa.select(audit_log.c.detail)
            .where(audit_log.c.tenant_id == tenant_id, audit_log.c.subject.like(f"%{record_id}"))
            .order_by(audit_log.c.seq.desc())
        ).first()
    assert row is not None
    detail: dict[str, object] = json.loads(row.detail)
    return detail


def test_a_pushed_change_is_hashed_with_the_tenants_audit_key(  # noqa: PLR0917
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    other_provider: DemoProvider,
    pc_a: EnrolledDevice,
    home_a: str,
) -> None:
    carer = staff_of(demo_provider, "care_assistant", home_a).user_id
    resident = residents_of(demo_provider, home_a)[0].record_id
    note = ChangeMaker().note(resident, carer)
    push_ok(client, pc_a.headers, [note])
    stored = str(_entry_for(seeded_db, demo_provider.tenant_id, note.record_id)["content"])

    plain = hashlib.sha256(audit.canonical(note.fields).encode()).hexdigest()
    assert stored.startswith(audit.KEYED_PREFIX) and plain not in stored
    cipher = server_cipher()
    with seeded_db.reader.connect() as conn:
        key = cipher.for_tenant(conn, demo_provider.tenant_id).audit_key()
        other_key = cipher.for_tenant(conn, other_provider.tenant_id).audit_key()
        wrapped = conn.execute(
            sa.select(tenants.c.audit_key_wrapped).where(tenants.c.id == demo_provider.tenant_id)
        ).scalar_one()
    assert key != other_key  # one key per tenant
    assert key.hex() not in wrapped and len(key) == 32  # stored wrapped only
    assert audit.content_matches(note.fields, stored, key)
    assert not audit.content_matches({**note.fields, "text": "a guess"}, stored, key)
    assert not audit.content_matches(note.fields, stored, other_key)

    with seeded_db.reader.connect() as conn:
        assert audit.verify(conn, demo_provider.tenant_id).ok


def test_entries_from_before_the_audit_key_still_verify(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    fields = {"text": "written before the upgrade"}
    legacy = hashlib.sha256(audit.canonical(fields).encode()).hexdigest()
    with seeded_db.writer.begin() as conn:  # what the previous version appended
        entry = audit.AuditEntry("change.create", subject="note:x", detail={"content": legacy})
        audit.append(conn, demo_provider.tenant_id, [entry])
    with seeded_db.reader.connect() as conn:
        assert audit.verify(conn, demo_provider.tenant_id).ok
        key = server_cipher().for_tenant(conn, demo_provider.tenant_id).audit_key()
    assert audit.content_matches(fields, legacy, key)


def test_the_audit_key_is_made_once_per_tenant(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    with seeded_db.writer.begin() as conn:
        conn.execute(
            sa.update(tenants)
            .where(tenants.c.id == demo_provider.tenant_id)
            .values(audit_key_wrapped=None, audit_key_master_id=None)
        )
        first = server_cipher().for_tenant(conn, demo_provider.tenant_id).audit_key()
        again = server_cipher().for_tenant(conn, demo_provider.tenant_id).audit_key()
    assert first == again
    with seeded_db.reader.connect() as conn:
        assert server_cipher().for_tenant(conn, demo_provider.tenant_id).audit_key() == first
