"""Backing up a server and restoring it, on SQLite and PostgreSQL: the restored database holds
exactly what was backed up, the PCs carry on, and every refusal (a damaged file, another
key, another server, another set of providers) is one sentence and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from syncserver import audit
from syncserver.backup import (
    SEQ_JUMP_AFTER_RESTORE,
    BackupError,
    KeySource,
    create_backup,
    dump,
    new_key_file,
    passphrase_source,
    read_key_file,
    restore_backup,
    verify_backup,
)
from syncserver.backup.identity import server_id
from syncserver.db.engine import Database
from syncserver.db.tables import tenants
from tests.helpers.server import EnrolledDevice, make_app, pull_all
from tests.syncserver.backup.conftest import NewDatabase, Synced


def _sums(db: Database) -> dict[str, dump.TableSum]:
    with db.reader.connect() as conn, conn.begin():
        return dump.database_sums(conn)


def _identity(db: Database) -> str:
    with db.reader.connect() as conn:
        return server_id(conn)


def test_a_restore_into_an_empty_database_holds_exactly_the_backup(
    synced: Synced, new_database: NewDatabase, key: KeySource, tmp_path: Path
) -> None:
    before, cursor = pull_all(synced.client, synced.pc.headers)
    summary = create_backup(synced.db, tmp_path / "server.wcnbak", key)
    assert summary.tenants == 1
    assert summary.rows == sum(t.rows for t in _sums(synced.db).values())
    assert (tmp_path / "server.wcnbak").stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob("*.partial"))

    target = new_database()
    restored = restore_backup(target, tmp_path / "server.wcnbak", key)
    assert (restored.server_id, restored.rows) == (_identity(synced.db), summary.rows)
    assert _identity(target) == _identity(synced.db)

    original, now = _sums(synced.db), _sums(target)
    assert {k: v for k, v in now.items() if k != "tenants"} == {
        k: v for k, v in original.items() if k != "tenants"
    }
    with synced.db.reader.connect() as old, target.reader.connect() as new:
        old_seq = old.execute(sa.select(tenants.c.seq)).scalar_one()
        new_seq = new.execute(sa.select(tenants.c.seq)).scalar_one()
        assert new_seq == old_seq + SEQ_JUMP_AFTER_RESTORE
        assert audit.verify(new, synced.provider.tenant_id).ok

    # The PC carries on against the restored server with the same credential and records;
    # its cursor moves past the jump, so a change made after the restore is never skipped.
    with TestClient(make_app(target)) as restored_client:
        after, _ = pull_all(restored_client, synced.pc.headers)
        assert sorted(r.record_id for r in after) == sorted(r.record_id for r in before)
        nothing_new, moved = pull_all(restored_client, synced.pc.headers, cursor)
        assert (nothing_new, moved) == ([], cursor + SEQ_JUMP_AFTER_RESTORE)


def test_a_corrupt_file_is_refused_and_nothing_changes(
    synced_db: Database, new_database: NewDatabase, key: KeySource, tmp_path: Path
) -> None:
    path = tmp_path / "server.wcnbak"
    create_backup(synced_db, path, key)
    target = new_database()
    before = _sums(target)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=r"is damaged \(part 1 fails its check\): nothing was"):
        restore_backup(target, path, key)
    assert _sums(target) == before


def test_a_file_encrypted_with_another_key_is_refused(
    synced_db: Database, new_database: NewDatabase, key: KeySource, tmp_path: Path
) -> None:
    path = tmp_path / "server.wcnbak"
    create_backup(synced_db, path, key)
    new_key_file(tmp_path / "other.key")
    target = new_database()
    before = _sums(target)
    with pytest.raises(BackupError, match="encrypted with a different key or passphrase"):
        restore_backup(target, path, read_key_file(tmp_path / "other.key"))
    assert _sums(target) == before


def test_a_backup_of_another_server_is_refused(
    synced_db: Database,
    new_database: NewDatabase,
    demo_provider: DemoProvider,
    key: KeySource,
    tmp_path: Path,
) -> None:
    path = tmp_path / "server.wcnbak"
    create_backup(synced_db, path, key)
    other = new_database()  # another server, with a provider of its own
    with other.writer.begin() as conn:
        from syncserver import tenancy

        tenancy.create_tenant(conn, "Elm Tree Care")
    before = _sums(other)
    with pytest.raises(BackupError, match="is of another server") as refused:
        restore_backup(other, path, key, replace=True)
    assert _identity(synced_db) in refused.value.message
    assert _identity(other) in refused.value.message
    assert _sums(other) == before


def test_same_server_needs_replace_and_the_same_providers(
    synced_db: Database, key: KeySource, tmp_path: Path
) -> None:
    path = tmp_path / "server.wcnbak"
    create_backup(synced_db, path, key)
    before = _sums(synced_db)
    with pytest.raises(BackupError, match="add --replace"):
        restore_backup(synced_db, path, key)
    assert _sums(synced_db) == before

    from syncserver import tenancy

    with synced_db.writer.begin() as conn:
        tenancy.create_tenant(conn, "Elm Tree Care")
    before = _sums(synced_db)
    with pytest.raises(BackupError, match=r"not in the backup .*: Elm Tree Care\. Restoring would"):
        restore_backup(synced_db, path, key, replace=True)
    assert _sums(synced_db) == before


def test_replace_rolls_the_same_server_back_to_the_backup(
    synced_db: Database,
    client: TestClient,
    pc_a: EnrolledDevice,
    key: KeySource,
    tmp_path: Path,
) -> None:
    path = tmp_path / "server.wcnbak"
    create_backup(synced_db, path, key)
    at_backup = _sums(synced_db)
    client.post(
        "/v1/sync/hello",
        json={"min_protocol": 1, "max_protocol": 2, "app_version": "9"},
        headers=pc_a.headers,
    )
    assert _sums(synced_db) != at_backup  # the device row changed since
    restore_backup(synced_db, path, key, replace=True)
    now = _sums(synced_db)
    assert {k: v for k, v in now.items() if k != "tenants"} == {
        k: v for k, v in at_backup.items() if k != "tenants"
    }


def test_a_broken_audit_trail_in_the_backup_is_refused(
    synced_db: Database,
    new_database: NewDatabase,
    demo_provider: DemoProvider,
    key: KeySource,
    tmp_path: Path,
) -> None:
    with synced_db.writer.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET detail = '{}' WHERE seq = 3"))
    path = tmp_path / "server.wcnbak"
    create_backup(synced_db, path, key)
    target = new_database()
    before = _sums(target)
    with pytest.raises(
        BackupError, match=r"audit trail of Oakwood Care Group .* broken at entry 3"
    ):
        restore_backup(target, path, key)
    assert _sums(target) == before


def test_a_passphrase_protects_a_backup_as_well(
    synced_db: Database, new_database: NewDatabase, tmp_path: Path
) -> None:
    path = tmp_path / "server.wcnbak"
    create_backup(synced_db, path, passphrase_source("correct horse battery", scrypt_n=2**10))
    manifest = verify_backup(path, passphrase_source("correct horse battery"))
    assert manifest.tenants
    with pytest.raises(BackupError, match="different key or passphrase"):
        verify_backup(path, passphrase_source("incorrect horse battery"))
    new_key_file(tmp_path / "a.key")
    with pytest.raises(BackupError, match="made with a passphrase: give it with"):
        verify_backup(path, read_key_file(tmp_path / "a.key"))
    with pytest.raises(BackupError, match="too short"):
        passphrase_source("short")
    restore_backup(new_database(), path, passphrase_source("correct horse battery"))


def test_a_backup_never_overwrites_a_file(
    synced_db: Database, key: KeySource, tmp_path: Path
) -> None:
    path = tmp_path / "server.wcnbak"
    path.write_text("yesterday's backup")
    with pytest.raises(BackupError, match="already exists"):
        create_backup(synced_db, path, key)
    assert path.read_text() == "yesterday's backup"
