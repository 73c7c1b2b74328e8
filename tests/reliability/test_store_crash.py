"""1. Crash safety of the PC store: a child process records care notes and resident edits in
a loop and is killed with SIGKILL at random moments; after each kill the encrypted store must
pass SQLite's and SQLCipher's integrity checks, hold every change the child acknowledged
exactly once, and have every saved record queued in the outbox (nothing "saved" that will
not be sent)."""

from __future__ import annotations

import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from desktop.store import files, meta, outbox
from desktop.store import records as records_repo
from desktop.store.keys import FileKeyStore
from desktop.sync.local_changes import Author, ChangeRecorder
from shared.hlc import HybridClock
from shared.ids import new_id
from tests.reliability.children import Child, run_child
from tests.reliability.profile import Profile
from tests.reliability.results import Result


@dataclass
class CrashLog:
    kills: int = 0
    trials: int = 0
    notes: set[str] = field(default_factory=set)
    edits: list[str] = field(default_factory=list)
    unexpected_exits: list[str] = field(default_factory=list)


def make_store(data_dir: Path, key_dir: Path) -> None:
    """A PC store as enrolment leaves it, with one resident to edit."""
    store = files.create(data_dir, FileKeyStore(key_dir))
    device_id, home_id, user_id, resident_id = new_id(), new_id(), new_id(), new_id()
    recorder = ChangeRecorder(device_id, home_id, HybridClock(device_id[-12:]))
    with store.write() as conn:
        for key, value in (
            ("device_id", device_id),
            ("home_id", home_id),
            ("user_id", user_id),
            ("resident_id", resident_id),
        ):
            meta.put(conn, key, value)
        recorder.create(
            conn,
            "resident",
            {
                "first_name": "Ada",
                "last_name": "Test",
                "date_of_birth": "1940-01-01",
                "unit_id": new_id(),
                "status": "admitted",
            },
            Author(user_id, "home_manager"),
            record_id=resident_id,
            check_permission=False,
        )
    store.close()


def crash_repeatedly(
    data_dir: Path, key_dir: Path, kills: int, max_delay_s: float, rng: random.Random
) -> CrashLog:
    log = CrashLog()
    args = ["record", "--data-dir", str(data_dir), "--key-dir", str(key_dir)]
    while log.kills < kills:
        log.trials += 1
        child = Child([*args, "--seed", str(rng.randrange(1 << 30))])
        first = child.wait_for(("note ", "edit "), timeout=60)
        if first is not None:
            time.sleep(rng.uniform(0, max_delay_s))  # the fault's timing, not a wait
            child.kill()
        run = child.finish()
        if run.killed:
            log.kills += 1
        else:
            log.unexpected_exits.append(f"exit {run.returncode}: {run.stderr[-500:]}")
            break
        log.notes.update(run.acked("note"))
        log.edits.extend(run.acked("edit"))
    return log


@dataclass
class StoreCheck:
    integrity: list[str]
    records: int
    lost: int
    duplicates: int
    unqueued: int  # saved records with no outbox entry
    orphans: int  # outbox entries with no record
    seq_problems: list[str]
    edits_lost: int


def check_store(data_dir: Path, key_dir: Path, log: CrashLog) -> StoreCheck:
    store = files.open_existing(data_dir, FileKeyStore(key_dir))
    try:
        integrity = store.integrity_problems()
        with store.read() as conn:
            notes = {r.record_id: r for r in records_repo.by_entity(conn, "care_note")}
            entries = outbox.all_entries(conn)
            present = records_repo.get_many(conn, {e.record_id for e in entries})
            last_seq = int(meta.get(conn, "last_device_seq", 0))
        queued = Counter(e.record_id for e in entries if e.body["op"] == "create")
        missing = log.notes - set(notes)
        unqueued = [rid for rid in notes if queued[rid] == 0]
        orphans = [e for e in entries if e.record_id not in present]
        seqs = [e.device_seq for e in entries]
        seq_problems = []
        if seqs != list(range(1, len(seqs) + 1)):
            seq_problems.append("outbox sequence numbers are not 1..n without gaps")
        if last_seq != len(seqs):
            seq_problems.append(f"last_device_seq {last_seq} but {len(seqs)} outbox entries")
        queued_diets = Counter(
            e.body["fields"]["diet"] for e in entries if e.body["op"] == "update"
        )
        edits_lost = sum(1 for value in log.edits if queued_diets[value] != 1)
        return StoreCheck(
            integrity,
            len(notes),
            len(missing),
            sum(n - 1 for n in queued.values() if n > 1),
            len(unqueued),
            len(orphans),
            seq_problems,
            edits_lost,
        )
    finally:
        store.close()


def test_sigkill_while_recording_loses_nothing(
    tmp_path: Path, profile: Profile, rng: random.Random, result: Result
) -> None:
    key_dir = tmp_path / "keys"
    stores = [tmp_path / f"pc{i}" for i in range(profile.store_children)]
    for data_dir in stores:
        make_store(data_dir, key_dir)
    share = -(-profile.store_kills // len(stores))
    seeds = [rng.randrange(1 << 30) for _ in stores]
    with ThreadPoolExecutor(len(stores)) as pool:
        logs = list(
            pool.map(
                lambda pair: crash_repeatedly(
                    pair[0], key_dir, share, profile.store_kill_max_delay_s, random.Random(pair[1])
                ),
                zip(stores, seeds, strict=True),
            )
        )
    checks = [check_store(d, key_dir, log) for d, log in zip(stores, logs, strict=True)]

    result.trials = sum(log.trials for log in logs)
    result.faults = sum(log.kills for log in logs)
    result.written = sum(len(log.notes) + len(log.edits) for log in logs)
    result.lost = sum(c.lost + c.unqueued + c.edits_lost for c in checks)
    result.duplicates = sum(c.duplicates for c in checks)
    result.details.update(
        {
            "stores": len(stores),
            "acknowledged_notes": sum(len(log.notes) for log in logs),
            "acknowledged_edits": sum(len(log.edits) for log in logs),
            "committed_but_unacknowledged": sum(c.records for c in checks)
            - sum(len(log.notes) for log in logs),
            "integrity_problems": [p for c in checks for p in c.integrity],
            "outbox_orphans": sum(c.orphans for c in checks),
            "sequence_problems": [p for c in checks for p in c.seq_problems],
            "unexpected_exits": [e for log in logs for e in log.unexpected_exits],
        }
    )
    assert not result.details["unexpected_exits"]
    assert not result.details["integrity_problems"]
    assert not result.details["sequence_problems"]
    assert result.details["outbox_orphans"] == 0
    result.check_zero()
    assert result.faults >= profile.store_kills


def test_a_crash_while_creating_the_store_can_be_retried(tmp_path: Path) -> None:
    data_dir, key_dir = tmp_path / "pc", tmp_path / "keys"
    crashed = run_child(
        ["create", "--data-dir", str(data_dir), "--key-dir", str(key_dir)],
        WCN_CRASH_AT="after_store_file",
    )
    assert crashed.killed, crashed.stderr
    assert not files.exists(data_dir)
    store = files.create(data_dir, FileKeyStore(key_dir))  # enrolment tried again
    store.close()
