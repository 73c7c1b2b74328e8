"""The first slice end to end, over real HTTP on loopback, on SQLite and PostgreSQL: a server
with the demo provider, two enrolled ward PCs, a carer signing in and recording a note with the
network down, and the note reaching the other PC after sync."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from desktop.services.app import DesktopServices
from desktop.services.enrolment import enrol
from desktop.services.errors import SignInFailed
from desktop.sync.errors import Offline
from shared.demo_data import DEMO_PASSWORD, DemoProvider
from syncserver.db.engine import Database
from tests.helpers.live_server import serving
from tests.helpers.server import issue_code, make_app, staff_of


def test_note_recorded_offline_reaches_the_other_pc(
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
        try:
            # First sign-in on each PC is online; it leaves an offline verifier behind.
            assert pc1.session.sign_in(carer.username, DEMO_PASSWORD).role == "care_assistant"
            pc1.session.sign_out()
            residents = pc1.residents.list_residents()
            assert len(residents) == len([r for r in demo_provider.residents if r.home_id == home])

            # The network goes down: pc1 points at a port nobody listens on.
            live_device = pc1.context.device
            pc1.context.device = dataclasses.replace(live_device, server_url="http://127.0.0.1:9")
            user = pc1.session.sign_in(carer.username, DEMO_PASSWORD)
            note_id = pc1.notes.record_note(
                residents[0].resident_id,
                "general",
                "Settled well after lunch; chatted about the garden.",
            )
            with pytest.raises(Offline):
                pc1.sync.sync_now()
            assert pc1.sync.status().waiting >= 1
            assert pc1.sync.status().online is False

            # The network is back.
            pc1.context.device = live_device
            report = pc1.sync.sync_now()
            assert report.pushed >= 1
            assert pc1.sync.status().waiting == 0

            pc2.sync.sync_now()
            pc2.session.sign_in(carer.username, DEMO_PASSWORD)
            timeline = pc2.notes.timeline(residents[0].resident_id)
            mine = [e for e in timeline if e.record_id == note_id]
            assert len(mine) == 1
            assert mine[0].summary.startswith("Settled well after lunch")
            assert mine[0].author_id == user.user_id
        finally:
            pc1.close()
            pc2.close()


def test_wrong_password_and_unreachable_server_are_clear(
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
            with pytest.raises(SignInFailed, match="username or password is wrong"):
                pc.session.sign_in(carer.username, "not-the-password")
        finally:
            pc.close()
    with pytest.raises(Offline, match="cannot be reached"):
        enrol("http://127.0.0.1:9", "ABCD-EFGH-JKLM", tmp_path / "pc-unreachable")
    assert not (tmp_path / "pc-unreachable").exists()
