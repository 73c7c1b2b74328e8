"""After the server is restored from a backup older than some of a PC's changes, the PC sends
them again (from its sent log) and nothing recorded on the floor is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from shared.demo_data import DEMO_PASSWORD, DemoProvider
from syncserver.backup import create_backup, restore_backup
from syncserver.backup.archive import new_key_file, read_key_file
from syncserver.db.engine import Database
from tests.helpers.live_server import serving
from tests.helpers.server import issue_code, make_app, staff_of, stored_record


def test_changes_lost_by_a_restore_are_sent_again(
    seeded_db: Database,
    demo_provider: DemoProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WCN_KEY_DIR", str(tmp_path / "keys"))
    home = demo_provider.homes[0].record_id
    carer = staff_of(demo_provider, "care_assistant", home)
    key_file = tmp_path / "backup.key"
    new_key_file(key_file)
    with serving(make_app(seeded_db)) as url:
        pc = DesktopServices(
            enrol(url, issue_code(seeded_db, demo_provider.tenant_id, home), tmp_path / "pc")
        )
        pc2 = DesktopServices(
            enrol(url, issue_code(seeded_db, demo_provider.tenant_id, home), tmp_path / "pc2")
        )
        try:
            pc.session.sign_in(carer.username, DEMO_PASSWORD)
            resident = pc.residents.list_residents()[0].resident_id
            before = pc.notes.record_note(resident, "general", "Before the backup.")
            pc.sync.sync_now()
            create_backup(seeded_db, tmp_path / "server.wcnbak", read_key_file(key_file))

            after = pc.notes.record_note(resident, "general", "After the backup.")
            pc.sync.sync_now()
            assert pc.sync.status().waiting == 0
            assert stored_record(seeded_db, demo_provider.tenant_id, after) is not None

            restore_backup(
                seeded_db, tmp_path / "server.wcnbak", read_key_file(key_file), replace=True
            )
            assert stored_record(seeded_db, demo_provider.tenant_id, after) is None

            later = pc.notes.record_note(resident, "general", "After the restore.")
            pc.sync.sync_now()

            for note in (before, after, later):
                assert stored_record(seeded_db, demo_provider.tenant_id, note) is not None
            assert pc.sync.status().waiting == 0
            pc2.sync.sync_now()
            pc2.session.sign_in(carer.username, DEMO_PASSWORD)
            seen = {e.record_id for e in pc2.notes.timeline(resident)}
            assert {before, after, later} <= seen
        finally:
            pc.close()
            pc2.close()
