"""Rebuilding a PC's store from the server keeps every unsent change and the old file."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from desktop.services.maintenance import rebuild_store
from shared.demo_data import DEMO_PASSWORD, DemoProvider
from syncserver.db.engine import Database
from tests.helpers.live_server import serving
from tests.helpers.server import issue_code, make_app, staff_of


def test_rebuild_carries_over_unsent_notes(
    seeded_db: Database,
    demo_provider: DemoProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WCN_KEY_DIR", str(tmp_path / "keys"))
    home = demo_provider.homes[0].record_id
    carer = staff_of(demo_provider, "care_assistant", home)
    with serving(make_app(seeded_db)) as url:
        pc = DesktopServices(
            enrol(url, issue_code(seeded_db, demo_provider.tenant_id, home), tmp_path / "pc")
        )
        try:
            pc.session.sign_in(carer.username, DEMO_PASSWORD)
            residents = pc.residents.list_residents()
            synced = pc.notes.record_note(residents[0].resident_id, "general", "Sent before.")
            pc.sync.sync_now()
            unsent = pc.notes.record_note(residents[1].resident_id, "general", "Not sent yet.")
            before = len(pc.residents.list_residents())

            report = rebuild_store(pc.context)

            assert report.carried_over == 1
            assert report.pulled > before
            assert pc.sync.status().waiting == 1
            assert any(e.record_id == unsent for e in pc.notes.timeline(residents[1].resident_id))
            assert any(e.record_id == synced for e in pc.notes.timeline(residents[0].resident_id))
            assert (tmp_path / "pc" / "store.previous.db").exists()
            assert pc.context.store.integrity_problems() == []
            # Offline sign-in still works: the staff verifiers came across.
            pc.session.sign_out()
            pc.session.sign_in(carer.username, DEMO_PASSWORD)
            pc.sync.sync_now()
            assert pc.sync.status().waiting == 0
        finally:
            pc.close()
