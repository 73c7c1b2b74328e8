"""The device sequence: every change this PC records takes the next number, in the same
transaction as the change, so a rolled-back save gives its number back, and another store or
app instance on the same file (or the store reopened) carries on from the last number used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from desktop.store import files, meta, outbox
from desktop.store.database import Store
from desktop.store.keys import choose_key_store
from desktop.sync.local_changes import Author, ChangeRecorder
from shared.hlc import HybridClock
from shared.ids import new_id

AUTHOR = Author("user-1", "nurse")
RESIDENT = new_id()
SAME_ID = new_id()


class Abandoned(Exception):
    pass


def note(n: int) -> dict[str, Any]:
    return {
        "resident_id": RESIDENT,
        "category": "general",
        "text": f"note {n}",
        "occurred_at": "2025-01-01T08:00:00+00:00",
    }


def recorder() -> ChangeRecorder:
    return ChangeRecorder("device-1", "home-1", HybridClock("node-1"))


def record(store: Store, rec: ChangeRecorder, n: int, **kwargs: Any) -> None:
    with store.write() as conn:
        rec.create(conn, "care_note", note(n), AUTHOR, check_permission=False, **kwargs)


def sequence(store: Store) -> tuple[list[int], int]:
    with store.read() as conn:
        seqs = [e.device_seq for e in outbox.all_entries(conn)]
        return seqs, int(meta.get(conn, "last_device_seq", 0))


@pytest.fixture
def store(tmp_path: Path, key_dir: Path) -> Any:
    opened = files.create(tmp_path / "pc", choose_key_store(str(key_dir)))
    yield opened
    opened.close()


def test_numbers_follow_on_and_the_last_stamp_is_kept(store: Store) -> None:
    rec = recorder()
    for n in range(5):
        record(store, rec, n)
    assert sequence(store) == ([1, 2, 3, 4, 5], 5)
    with store.read() as conn:
        entries = outbox.all_entries(conn)
        assert [e.body["device_seq"] for e in entries] == [1, 2, 3, 4, 5]
        assert meta.get(conn, "last_hlc") == entries[-1].body["hlc"]


def test_a_rolled_back_save_gives_its_number_back(store: Store) -> None:
    rec = recorder()
    record(store, rec, 1)
    with pytest.raises(Abandoned), store.write() as conn:
        rec.create(conn, "care_note", note(2), AUTHOR, check_permission=False)
        raise Abandoned
    record(store, rec, 3)
    assert sequence(store) == ([1, 2], 2)


def test_a_save_failing_after_its_number_was_taken_gives_it_back(store: Store) -> None:
    rec = recorder()
    record(store, rec, 1, record_id=SAME_ID)
    with pytest.raises(sa.exc.IntegrityError):
        record(store, rec, 2, record_id=SAME_ID)  # the record insert fails
    record(store, rec, 3)
    assert sequence(store) == ([1, 2], 2)


def test_two_stores_on_one_file_share_the_sequence(store: Store) -> None:
    """Two app instances (or a second Store) writing in turn never reuse or skip a number."""
    other = store.reopen()
    try:
        first, second = recorder(), recorder()
        for n in range(6):
            record(store if n % 2 else other, first if n % 3 else second, n)
    finally:
        other.close()
    assert sequence(store) == ([1, 2, 3, 4, 5, 6], 6)


def test_a_reopened_store_carries_on(store: Store) -> None:
    record(store, recorder(), 1)
    record(store, recorder(), 2)
    store.close()
    reopened = store.reopen()
    try:
        record(reopened, recorder(), 3)
        assert sequence(reopened) == ([1, 2, 3], 3)
    finally:
        reopened.close()
