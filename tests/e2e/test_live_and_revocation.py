"""Live updates between two online PCs, and the end of a revoked PC, over real HTTP."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from desktop.services.live_updates import LiveUpdates
from desktop.store import files
from desktop.sync.errors import DeviceRevoked, Offline
from shared.demo_data import DEMO_PASSWORD, DemoProvider
from syncserver import tenancy
from syncserver.db.engine import Database
from tests.helpers.live_server import serving
from tests.helpers.server import audit_rows, issue_code, make_app, staff_of


def _wait_for(condition: object, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def test_a_note_reaches_an_online_pc_by_live_update(
    seeded_db: Database,
    demo_provider: DemoProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WCN_KEY_DIR", str(tmp_path / "keys"))
    home = demo_provider.homes[0].record_id
    carer = staff_of(demo_provider, "care_assistant", home)
    with serving(make_app(seeded_db)) as url:
        pc1 = DesktopServices(
            enrol(url, issue_code(seeded_db, demo_provider.tenant_id, home), tmp_path / "pc1")
        )
        pc2 = DesktopServices(
            enrol(url, issue_code(seeded_db, demo_provider.tenant_id, home), tmp_path / "pc2")
        )
        live = LiveUpdates(pc2.context, pc2.sync)
        pulled: list[int] = []
        listener = threading.Thread(target=live.run, args=(lambda r: pulled.append(r.pulled),))
        listener.start()
        try:
            assert live.connected.wait(timeout=15), "the live stream never connected"
            pc1.session.sign_in(carer.username, DEMO_PASSWORD)
            resident = pc1.residents.list_residents()[0].resident_id
            note_id = pc1.notes.record_note(resident, "mood", "Cheerful, sang along at lunch.")
            pc1.sync.sync_now()
            pc2.session.sign_in(carer.username, DEMO_PASSWORD)
            _wait_for(lambda: any(e.record_id == note_id for e in pc2.notes.timeline(resident)))
            assert sum(pulled) >= 1
        finally:
            live.stop.set()
            listener.join(timeout=30)
            pc1.close()
            pc2.close()
        assert not listener.is_alive()


def test_a_revoked_pc_hands_over_its_notes_then_erases_itself(
    seeded_db: Database,
    demo_provider: DemoProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WCN_KEY_DIR", str(tmp_path / "keys"))
    home = demo_provider.homes[0].record_id
    carer = staff_of(demo_provider, "care_assistant", home)
    with serving(make_app(seeded_db)) as url:
        context = enrol(url, issue_code(seeded_db, demo_provider.tenant_id, home), tmp_path / "pc")
        pc = DesktopServices(context)
        pc.session.sign_in(carer.username, DEMO_PASSWORD)
        resident = pc.residents.list_residents()[0].resident_id
        note_id = pc.notes.record_note(
            resident, "general", "Recorded just before IT revoked the PC."
        )
        with seeded_db.writer.begin() as conn:
            tenancy.revoke_device(conn, context.device.device_id)
        with pytest.raises(DeviceRevoked, match="erased"):
            pc.sync.sync_now()
        assert not files.exists(tmp_path / "pc")
        assert not any((tmp_path / "keys").glob("*.key"))
        with pytest.raises(DeviceRevoked):
            pc.sync.sync_now()
    subjects = {row.subject for row in audit_rows(seeded_db, demo_provider.tenant_id)}
    assert f"care_note:{note_id}" in subjects


def test_sync_with_retry_backs_off_then_reports_offline(
    seeded_db: Database,
    demo_provider: DemoProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WCN_KEY_DIR", str(tmp_path / "keys"))
    home = demo_provider.homes[0].record_id
    with serving(make_app(seeded_db)) as url:
        pc = DesktopServices(
            enrol(url, issue_code(seeded_db, demo_provider.tenant_id, home), tmp_path / "pc")
        )
    try:
        delays: list[float] = []
        with pytest.raises(Offline):
            pc.sync.sync_with_retry(attempts=4, first_delay_s=0.25, sleep=delays.append)
        assert delays == [0.25, 0.5, 1.0]
        assert pc.sync.status().online is False
    finally:
        pc.close()
