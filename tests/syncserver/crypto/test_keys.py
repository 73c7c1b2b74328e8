"""The key hierarchy: a master key from a file, the environment or a pluggable provider (the
server refuses to start without one unless a development setting allows a throw-away key);
tenant data keys rotated, and every value re-sealed, while the server keeps serving."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shared.demo_data import DemoProvider
from syncserver.api.app import create_app
from syncserver.config import Settings
from syncserver.crypto import LocalMasterKey, is_sealed, load_master_key, parse_key
from syncserver.crypto.fields import sealed_version
from syncserver.crypto.rotation import rotate_tenant, stale_values
from syncserver.db.engine import Database
from syncserver.db.tables import audit_log, tenant_keys, tenants
from syncserver.errors import ConfigError
from tests.helpers.security import opened_fields, sign_in
from tests.helpers.server import (
    JWT_SECRET,
    MASTER_KEY,
    EnrolledDevice,
    make_app,
    pull_all,
    residents_of,
    server_cipher,
    staff_of,
    stored_record,
)


def _settings(**values: Any) -> Settings:
    return Settings(**{"database_url": "sqlite:///unused.db", "jwt_secret": JWT_SECRET, **values})


def test_a_server_without_a_master_key_refuses_to_start(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("WCN_MASTER_KEY", "WCN_MASTER_KEY_FILE", "WCN_DEV_EPHEMERAL_MASTER_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="No master key is configured") as refused:
        create_app(_settings(database_url=seeded_db.url), seeded_db)
    assert "WCN_MASTER_KEY_FILE" in refused.value.message
    assert "WCN_DEV_EPHEMERAL_MASTER_KEY" in refused.value.message


def test_the_cli_says_so_in_one_sentence(
    seeded_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from syncserver.cli.main import main

    monkeypatch.delenv("WCN_MASTER_KEY", raising=False)
    monkeypatch.setenv("WCN_JWT_SECRET", JWT_SECRET)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        assert main(["serve", "--database-url", seeded_db.url, "--port", "1"]) == 2
    finally:
        # 'serve' sends logging to this test's captured stderr: give it back.
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No master key is configured" in err[0]


def test_a_development_setting_allows_a_throw_away_key() -> None:
    first = load_master_key(_settings(dev_ephemeral_master_key=True))
    second = load_master_key(_settings(dev_ephemeral_master_key=True))
    assert first.key_id == second.key_id  # one per process
    assert first.key_id != LocalMasterKey(bytes.fromhex(MASTER_KEY)).key_id


def test_the_master_key_comes_from_a_file_or_the_environment(tmp_path: Path) -> None:
    key = bytes(range(32))
    path = tmp_path / "master.key"
    path.write_text(key.hex() + "\n")
    path.chmod(0o600)
    from_file = load_master_key(_settings(master_key_file=str(path)))
    from_env = load_master_key(_settings(master_key=key.hex()))
    assert from_file.key_id == from_env.key_id == LocalMasterKey(key).key_id
    import base64

    assert parse_key(base64.b64encode(key).decode(), "test") == key
    with pytest.raises(ConfigError, match="not 32 bytes"):
        parse_key("abcd", "test")
    with pytest.raises(ConfigError, match="does not exist"):
        load_master_key(_settings(master_key_file=str(tmp_path / "missing.key")))


class VaultStub:
    """What a KMS/Vault integration looks like: it wraps with a key held elsewhere."""

    def __init__(self) -> None:
        self._inner = LocalMasterKey(b"\x07" * 32)

    @property
    def key_id(self) -> str:
        return "vault:transit/wcn"

    def wrap(self, data_key: bytes, context: bytes) -> bytes:
        return self._inner.wrap(data_key, context)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        return self._inner.unwrap(wrapped, context)


def vault_factory(settings: Settings) -> VaultStub:
    return VaultStub()


def test_a_kms_or_vault_provider_plugs_in() -> None:
    provider = load_master_key(_settings(master_key_provider=f"{__name__}:vault_factory"))
    assert provider.key_id == "vault:transit/wcn"
    wrapped = provider.wrap(b"k" * 32, b"ctx")
    assert provider.unwrap(wrapped, b"ctx") == b"k" * 32
    with pytest.raises(ConfigError, match="cannot be loaded"):
        load_master_key(_settings(master_key_provider="no.such.module:factory"))


def _versions(db: Database, tenant_id: str) -> list[tuple[int, bool]]:
    with db.reader.connect() as conn:
        return server_cipher().keys.versions(conn, tenant_id)


def test_rotation_reseals_every_value_and_retires_the_old_key(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
) -> None:
    tenant = demo_provider.tenant_id
    sign_in(
        client, pc_a, staff_of(demo_provider, "home_manager", pc_a.home_id).username, "home_manager"
    )  # a sealed authenticator secret to re-seal too
    before, _ = pull_all(client, pc_a.headers)
    report = rotate_tenant(seeded_db.writer, server_cipher(), tenant, batch=7)
    assert report.version == 2
    assert report.records == len(demo_provider.residents)
    assert report.secrets == 1 and report.retired == 1
    assert _versions(seeded_db, tenant) == [(1, True), (2, False)]
    assert stale_values(seeded_db.writer, server_cipher(), tenant) == 0
    for resident in demo_provider.residents:
        stored = stored_record(seeded_db, tenant, resident.record_id)
        assert stored is not None and sealed_version(stored.fields["last_name"]) == 2
        assert opened_fields(seeded_db, tenant, resident.record_id) == resident.fields
    after, _ = pull_all(client, pc_a.headers)
    assert [r.fields for r in after] == [r.fields for r in before]
    assert [r.server_seq for r in after] == [r.server_seq for r in before]  # PCs see nothing
    with seeded_db.reader.connect() as conn:
        actions = (
            conn.execute(
                sa.select(audit_log.c.action).where(
                    audit_log.c.tenant_id == tenant, audit_log.c.action.startswith("keys.")
                )
            )
            .scalars()
            .all()
        )
    assert actions == ["keys.rotated", "keys.rotation_completed"]


def test_old_values_stay_readable_while_a_rotation_is_under_way(
    client: TestClient,
    seeded_db: Database,
    demo_provider: DemoProvider,
    pc_a: EnrolledDevice,
) -> None:
    """A new key version exists but nothing is re-sealed yet: the server reads both, and
    what it writes now uses the new version."""
    tenant = demo_provider.tenant_id
    with seeded_db.writer.begin() as conn:
        server_cipher().keys.add_version(conn, tenant)
    pulled, _ = pull_all(client, pc_a.headers)
    residents = {r.record_id: r.fields for r in pulled if r.entity == "resident"}
    for resident in residents_of(demo_provider, pc_a.home_id):
        assert residents[resident.record_id] == resident.fields
    with seeded_db.writer.begin() as conn:
        sealed = server_cipher().for_tenant(conn, tenant).seal_value("records", "r", "x", "y")
    assert sealed_version(sealed) == 2
    assert stale_values(seeded_db.writer, server_cipher(), tenant) == len(demo_provider.residents)


def test_values_written_before_encryption_are_sealed_by_a_rotation(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    tenant = demo_provider.tenant_id
    resident = demo_provider.residents[0]
    with seeded_db.writer.begin() as conn:
        conn.execute(
            sa.text("UPDATE records SET fields = :f WHERE tenant_id = :t AND record_id = :r"),
            {"f": json.dumps(resident.fields), "t": tenant, "r": resident.record_id},
        )
    assert opened_fields(seeded_db, tenant, resident.record_id) == resident.fields
    rotate_tenant(seeded_db.writer, server_cipher(), tenant)
    stored = stored_record(seeded_db, tenant, resident.record_id)
    assert stored is not None and is_sealed(stored.fields["nhs_number"])


def test_the_keys_commands(
    seeded_db: Database,
    demo_provider: DemoProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from syncserver.cli.main import main

    monkeypatch.setenv("WCN_MASTER_KEY", MASTER_KEY)
    url = ["--database-url", seeded_db.url]
    new_key = tmp_path / "new-master.key"
    assert main(["keys", "generate-master", "--out", str(new_key)]) == 0
    assert stat.S_IMODE(os.stat(new_key).st_mode) == 0o600
    assert main(["keys", "generate-master", "--out", str(new_key)]) == 2  # never overwritten
    assert main(["keys", "rotate", *url, "--tenant", demo_provider.tenant_name]) == 0
    out = capsys.readouterr().out
    assert "Data key version 2 is in use" in out and "retired: 1" in out
    # A new master key: re-wrap every data key, then the old one is no longer needed.
    old_key = tmp_path / "old-master.key"
    old_key.write_text(MASTER_KEY)
    monkeypatch.delenv("WCN_MASTER_KEY")
    monkeypatch.setenv("WCN_MASTER_KEY_FILE", str(new_key))
    assert main(["keys", "rewrap", *url, "--old-key-file", str(old_key)]) == 0
    assert "2 data key(s) and 1 audit key(s) re-wrapped" in capsys.readouterr().out
    with seeded_db.reader.connect() as conn:
        ids = set(conn.execute(sa.select(tenant_keys.c.master_key_id)).scalars())
        audit_ids = set(
            conn.execute(
                sa.select(tenants.c.audit_key_master_id).where(
                    tenants.c.audit_key_wrapped.is_not(None)
                )
            ).scalars()
        )
    assert ids == audit_ids == {load_master_key(_settings(master_key_file=str(new_key))).key_id}
    assert main(["keys", "status", *url, "--tenant", demo_provider.tenant_name]) == 0
    status = capsys.readouterr().out
    assert "version 1: retired" in status and "version 2: in use" in status
    with TestClient(make_app(seeded_db, master_key="", master_key_file=str(new_key))) as client:
        from tests.helpers.server import enrol_device

        pc = enrol_device(
            client, seeded_db, demo_provider.tenant_id, demo_provider.homes[0].record_id
        )
        pulled, _ = pull_all(client, pc.headers)
    names = {r.fields["last_name"] for r in pulled if r.entity == "resident"}
    assert names == {r.fields["last_name"] for r in residents_of(demo_provider, pc.home_id)}
