"""The records repository's one-query read of several residents' recent events (what the
medicine round reads): the same records as asking resident by resident."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.store import files
from desktop.store import records as records_repo
from desktop.store.keys import choose_key_store


def _row(record_id: str, entity: str, resident: str, at: str) -> dict[str, object]:
    return {
        "record_id": record_id,
        "entity": entity,
        "home_id": "home",
        "resident_id": resident,
        "fields": json.dumps({"resident_id": resident, "occurred_at": at}),
        "versions": json.dumps({}),
        "hlc": "000000000000001-00000-server",
        "server_seq": None,
        "user_id": None,
        "device_id": None,
        "occurred_at": at,
    }


def test_several_residents_since_a_time_match_one_by_one_reads(
    tmp_path: Path, key_dir: Path
) -> None:
    store = files.create(tmp_path / "pc", choose_key_store(str(key_dir)))
    rows = []
    for r, resident in enumerate(("r1", "r2", "r3")):
        for hour in range(6):
            at = f"2026-03-01T{hour:02d}:00:00+00:00"
            entity = "medication_administration" if hour % 2 == 0 else "care_note"
            rows.append(_row(f"id-{r}-{hour}", entity, resident, at))
    try:
        with store.write() as conn:
            records_repo.bulk_upsert(conn, rows)
        since = "2026-03-01T02:00:00+00:00"
        entities = ("medication_administration",)
        with store.read() as conn:
            found = records_repo.for_residents_since(conn, ["r1", "r3"], entities, since)
            one_by_one = [
                record
                for resident in ("r1", "r3")
                for record in records_repo.for_resident(conn, resident, entities, since=since)
            ]
        assert sorted(r.record_id for r in found) == sorted(r.record_id for r in one_by_one)
        assert [r.record_id for r in found] == ["id-2-4", "id-0-4", "id-2-2", "id-0-2"]
    finally:
        store.close()


def _dose(record_id: str, slot: str, **extra: str) -> dict[str, object]:
    row = _row(record_id, "medication_administration", "r1", "2026-03-01T08:00:00+00:00")
    row["fields"] = json.dumps({"slot_id": slot, "outcome": "given", **extra})
    return row


def test_doses_of_a_slot_come_with_their_corrections_and_nothing_else(
    tmp_path: Path, key_dir: Path
) -> None:
    store = files.create(tmp_path / "pc", choose_key_store(str(key_dir)))
    rows = [
        _dose("d1", "slot-a"),
        _dose("d2", "slot-b"),
        # A correction that names the dose but carries no slot (as another PC may write it).
        _dose("d3", "", amends_id="d1", amend_kind="entered_in_error"),
        _dose("d4", "", amends_id="d2", amend_kind="amendment"),
        _row("n1", "care_note", "r1", "2026-03-01T08:00:00+00:00"),
    ]
    try:
        with store.write() as conn:
            records_repo.bulk_upsert(conn, rows)
        with store.read() as conn:
            found = {r.record_id for r in records_repo.doses_of_slot(conn, "slot-a")}
            plan = " ".join(
                str(step[-1])
                for step in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + records_repo._DOSES_OF_SLOT.replace(":slot", "'x'")
                )
            )
        assert found == {"d1", "d3"}
        assert "SCAN" not in plan, plan  # both lookups search an index, whatever the history
    finally:
        store.close()
