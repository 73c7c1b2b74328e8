"""Upgrading a PC's store: an encrypted backup is taken first, changes not yet sent survive
the upgrade and are sent afterwards, and a store written by a newer app is refused with a
sentence and left as it was. A second schema version is simulated by adding a migration."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.main import main
from desktop.services.app import DesktopServices
from desktop.store import database, files
from desktop.store.errors import StoreTooNew
from desktop.store.keys import choose_key_store
from desktop.store.schema import MIGRATIONS, outbox
from tests.desktop.conftest import InProcessServer


def _v2(conn: sa.Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE records ADD COLUMN reviewed_by TEXT")
    conn.exec_driver_sql("CREATE INDEX ix_records_reviewed_by ON records (reviewed_by)")


def _install_v2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database, "MIGRATIONS", [*MIGRATIONS, _v2])
    monkeypatch.setattr(database, "SCHEMA_VERSION", len(MIGRATIONS) + 1)


def _unsent_note(services: DesktopServices, server: InProcessServer) -> str:
    carer = server.staff("care_assistant")
    services.session.sign_in(carer.username, carer.password)
    resident = services.residents.list_residents()[0].resident_id
    note = services.notes.record_note(resident, "general", "Walked to the garden with support.")
    assert services.sync.status().waiting >= 1
    return note


def _outbox_record_ids(services: DesktopServices) -> set[str]:
    with services.context.store.read() as conn:
        return set(conn.execute(sa.select(outbox.c.record_id)).scalars())


def test_an_upgrade_backs_up_first_and_unsent_changes_survive(
    enrol_pc: Callable[[str], DesktopServices],
    wcn_server: InProcessServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pc = enrol_pc("ward-pc")
    note = _unsent_note(pc, wcn_server)
    waiting = pc.sync.status().waiting
    pc.close()
    data_dir = tmp_path / "ward-pc"

    _install_v2(monkeypatch)
    upgraded = DesktopServices.open(data_dir, http=wcn_server.http)
    try:
        assert database.schema_version(upgraded.context.store) == len(MIGRATIONS) + 1
        with upgraded.context.store.read() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("records")}
        assert "reviewed_by" in columns
        assert note in _outbox_record_ids(upgraded)
        assert upgraded.sync.status().waiting == waiting

        backup = data_dir / "backups" / f"before-upgrade-v{len(MIGRATIONS)}.db"
        assert backup.exists()
        # The backup is encrypted like the store: plain SQLite cannot read it ...
        with pytest.raises(sqlite3.DatabaseError):
            sqlite3.connect(backup).execute("SELECT count(*) FROM sqlite_master").fetchone()
        # ... but the store's key opens it, at the old version, with the unsent note.
        info = files.read_info(data_dir)
        assert info is not None
        key = choose_key_store(None).load(info.store_id)
        assert key is not None
        old = database.Store(backup, key)
        try:
            assert database.schema_version(old) == len(MIGRATIONS)
            with old.read() as conn:
                assert note in set(conn.execute(sa.select(outbox.c.record_id)).scalars())
        finally:
            old.close()

        # The change recorded before the upgrade is sent after it.
        report = upgraded.sync.sync_now()
        assert report.pushed >= 1
        assert upgraded.sync.status().waiting == 0
    finally:
        upgraded.close()
    with wcn_server.db.reader.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT count(*) FROM records WHERE record_id = :id"), {"id": note}
        ).scalar_one()
    assert stored == 1


def test_a_store_from_a_newer_app_is_refused_and_left_alone(
    enrol_pc: Callable[[str], DesktopServices],
    wcn_server: InProcessServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pc = enrol_pc("ward-pc")
    note = _unsent_note(pc, wcn_server)
    pc.close()
    data_dir = tmp_path / "ward-pc"
    with monkeypatch.context() as newer_app:
        _install_v2(newer_app)
        DesktopServices.open(data_dir, http=wcn_server.http).close()  # a newer app ran here

    with pytest.raises(StoreTooNew) as refused:
        DesktopServices.open(data_dir, http=wcn_server.http)
    assert refused.value.message == (
        "This care record store was written by a newer version of WriteCareNotes "
        f"(store version {len(MIGRATIONS) + 1}, this app knows {len(MIGRATIONS)}). "
        "Install the newer app; nothing was changed."
    )
    assert main(["status", "--data-dir", str(data_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"writecarenotes: {refused.value.message}"]
    assert not (data_dir / "backups" / f"before-upgrade-v{len(MIGRATIONS) + 1}.db").exists()

    # Nothing was changed: the newer app still opens it, unsent note and all.
    _install_v2(monkeypatch)
    again = DesktopServices.open(data_dir, http=wcn_server.http)
    try:
        assert database.schema_version(again.context.store) == len(MIGRATIONS) + 1
        assert note in _outbox_record_ids(again)
    finally:
        again.close()
