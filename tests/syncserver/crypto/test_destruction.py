"""Destroying retired data keys: refused (nothing changed) while any value is still sealed
under one; otherwise the wrapped keys are deleted for good, audited, and everything sealed
under the current key still reads. The CLI asks for --yes first."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from shared.demo_data import DemoProvider
from syncserver import audit
from syncserver.crypto.destruction import destroy_retired, values_under
from syncserver.crypto.rotation import rotate_tenant
from syncserver.db.engine import Database
from syncserver.db.tables import audit_log, tenant_keys
from syncserver.errors import Conflict
from tests.helpers.security import opened_fields
from tests.helpers.server import MASTER_KEY, server_cipher


def _versions(db: Database, tenant_id: str) -> list[int]:
    with db.reader.connect() as conn:
        return [
            int(v)
            for v in conn.execute(
                sa.select(tenant_keys.c.version)
                .where(tenant_keys.c.tenant_id == tenant_id)
                .order_by(tenant_keys.c.version)
            ).scalars()
        ]


def _actions(db: Database, tenant_id: str) -> list[str]:
    with db.reader.connect() as conn:
        return list(
            conn.execute(
                sa.select(audit_log.c.action)
                .where(audit_log.c.tenant_id == tenant_id)
                .order_by(audit_log.c.seq)
            ).scalars()
        )


def _retire_without_resealing(db: Database, tenant_id: str) -> None:
    """Version 1 marked retired while every value is still sealed under it (as a wrongly
    edited database, or a rotation interrupted by hand, would leave it)."""
    cipher = server_cipher()
    with db.writer.begin() as conn:
        newest = cipher.keys.add_version(conn, tenant_id)
        cipher.keys.retire_older_than(conn, tenant_id, newest.version)


def test_refused_while_anything_is_still_sealed_under_a_retired_key(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    tenant = demo_provider.tenant_id
    _retire_without_resealing(seeded_db, tenant)
    before = _actions(seeded_db, tenant)
    with seeded_db.writer.begin() as conn:
        assert values_under(conn, tenant, {1})["records"] > 0
        with pytest.raises(Conflict, match="still sealed under retired key version") as refused:
            destroy_retired(conn, tenant)
    assert refused.value.code == "key_in_use"
    assert "in records" in refused.value.message and "keys rotate" in refused.value.message
    assert _versions(seeded_db, tenant) == [1, 2]
    assert _actions(seeded_db, tenant) == before


def test_after_a_rotation_the_retired_keys_are_destroyed_and_audited(
    seeded_db: Database, demo_provider: DemoProvider
) -> None:
    tenant = demo_provider.tenant_id
    resident = demo_provider.residents[0]
    with seeded_db.writer.begin() as conn:
        assert destroy_retired(conn, tenant).versions == []  # nothing retired yet
    report = rotate_tenant(seeded_db.writer, server_cipher(), tenant)
    assert report.retired == 1 and _versions(seeded_db, tenant) == [1, 2]
    with seeded_db.writer.begin() as conn:
        assert values_under(conn, tenant, {1}) == {"records": 0, "changes": 0, "users": 0}
        assert destroy_retired(conn, tenant).versions == [1]
    assert _versions(seeded_db, tenant) == [2]
    assert opened_fields(seeded_db, tenant, resident.record_id) == resident.fields
    assert _actions(seeded_db, tenant)[-1] == "keys.destroyed"
    with seeded_db.reader.connect() as conn:
        assert audit.verify(conn, tenant).ok


def test_the_cli_asks_for_yes_then_destroys(
    seeded_db: Database,
    demo_provider: DemoProvider,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from syncserver.cli.main import main

    monkeypatch.setenv("WCN_MASTER_KEY", MASTER_KEY)
    command = [
        "keys",
        "destroy-retired",
        "--database-url",
        seeded_db.url,
        "--tenant",
        demo_provider.tenant_name,
    ]
    assert main(command) == 0
    assert "nothing to destroy" in capsys.readouterr().out

    _retire_without_resealing(seeded_db, demo_provider.tenant_id)
    assert main([*command, "--yes"]) != 0
    assert "keys rotate" in capsys.readouterr().err
    assert _versions(seeded_db, demo_provider.tenant_id) == [1, 2]

    assert (
        main(
            [
                "keys",
                "rotate",
                "--database-url",
                seeded_db.url,
                "--tenant",
                demo_provider.tenant_name,
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(command) == 2  # without --yes: says what it would do, changes nothing
    assert "Add --yes" in capsys.readouterr().out
    assert _versions(seeded_db, demo_provider.tenant_id) == [1, 2, 3]
    assert main([*command, "--yes"]) == 0
    assert "Destroyed data key version(s) 1, 2" in capsys.readouterr().out
    assert _versions(seeded_db, demo_provider.tenant_id) == [3]
