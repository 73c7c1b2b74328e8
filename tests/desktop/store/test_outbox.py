"""The outbox hands the sync engine its oldest changes, and with a byte limit only as many as
fit (always at least one), so that a push of photos stays under the server's body limit."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.store import files, outbox
from desktop.store.keys import choose_key_store
from desktop.store.schema import outbox as outbox_table


def change(seq: int, padding: int) -> dict[str, object]:
    return {
        "change_id": f"change-{seq}",
        "record_id": f"record-{seq}",
        "entity": "incident_photo",
        "fields": {"jpeg_base64": "A" * padding},
    }


def test_a_batch_is_the_oldest_changes_that_fit(tmp_path: Path, key_dir: Path) -> None:
    store = files.create(tmp_path / "pc", choose_key_store(str(key_dir)))

    @settings(max_examples=40, deadline=None)
    @given(
        sizes=st.lists(st.integers(0, 5000), min_size=0, max_size=12),
        limit=st.integers(1, 15),
        max_bytes=st.none() | st.integers(1, 20000),
    )
    def check(sizes: list[int], limit: int, max_bytes: int | None) -> None:
        with store.write() as conn:
            conn.execute(sa.delete(outbox_table))
            for seq, size in enumerate(sizes, start=1):
                outbox.append(conn, seq, change(seq, size))
        with store.read() as conn:
            batch = outbox.pending(conn, limit, max_bytes)
        lengths = [len(json.dumps(change(seq, size))) for seq, size in enumerate(sizes, start=1)]
        assert [e.device_seq for e in batch] == list(range(1, len(batch) + 1))  # oldest first
        assert len(batch) <= limit
        if not sizes:
            assert batch == []
            return
        assert batch  # never stuck behind one large change
        total = sum(lengths[: len(batch)])
        if max_bytes is None:
            assert len(batch) == min(limit, len(sizes))
        else:
            assert len(batch) == 1 or total <= max_bytes
            more = len(batch) < min(limit, len(sizes))
            assert not more or total + lengths[len(batch)] > max_bytes  # the next did not fit

    try:
        check()
    finally:
        store.close()
