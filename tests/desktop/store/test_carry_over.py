"""A rebuilt store carries over the old one's unsent changes and the device sequence reached
while the rebuild downloaded, so the next change never reuses a number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.store import carry_over, files, meta, outbox
from desktop.store.keys import choose_key_store
from desktop.sync.local_changes import Author, ChangeRecorder
from shared.hlc import HybridClock
from shared.ids import new_id

AUTHOR = Author("user-1", "nurse")
RESIDENT = new_id()


def note(n: int) -> dict[str, Any]:
    return {
        "resident_id": RESIDENT,
        "category": "general",
        "text": f"note {n}",
        "occurred_at": "2025-01-01T08:00:00+00:00",
    }


def test_changes_made_during_a_rebuild_keep_the_sequence(tmp_path: Path, key_dir: Path) -> None:
    live = files.create(tmp_path / "pc", choose_key_store(str(key_dir)))
    fresh = live.sibling(tmp_path / "pc" / "rebuild.db")
    rec = ChangeRecorder("device-1", "home-1", HybridClock("node-1"))
    try:
        with live.write() as conn:
            rec.create(conn, "care_note", note(1), AUTHOR, check_permission=False)
            outbox.remove_through(conn, 1)  # sent before the rebuild
        with live.read() as old, fresh.write() as new:
            carry_over.copy_identity(old, new)
        for n in (2, 3):  # recorded while the rebuild downloads
            with live.write() as conn:
                rec.create(conn, "care_note", note(n), AUTHOR, check_permission=False)
        with live.write() as conn:
            outbox.remove_through(conn, 2)  # and one of them sent meanwhile
        with live.write() as old, fresh.write() as new:
            assert carry_over.copy_unsent(old, new) == 1
        with fresh.write() as conn:
            rec.create(conn, "care_note", note(4), AUTHOR, check_permission=False)
        with fresh.read() as conn:
            assert [e.device_seq for e in outbox.all_entries(conn)] == [3, 4]
            assert meta.get(conn, "last_device_seq") == 4
            assert meta.get(conn, "last_hlc") == outbox.all_entries(conn)[-1].body["hlc"]
    finally:
        fresh.close()
        live.close()
