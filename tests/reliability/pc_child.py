"""A ward PC in a child process, for the tests that kill it.

``record``: open (or create) the encrypted store and record care notes and resident edits in
a loop; each acknowledged change is printed AFTER its commit returned: ``note <record id>`` or
``edit <diet value>``. The parent kills the process at random moments.

``sync``: open an enrolled PC, record some notes (printed as above), then run one sync whose
client and engine are subclassed with hooks; the hook named by ``WCN_CRASH_AT`` sends the
process SIGKILL at that point. Prints ``synced`` if the sync ended without the crash.

``create``: create the store, SIGKILLing itself right after the database file was written
(before the store's info file), as a power cut during enrolment would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from desktop.services.context import AppContext
from desktop.store import files, meta
from desktop.store.database import Store, open_store
from desktop.store.keys import FileKeyStore
from desktop.sync.client import SyncClient
from desktop.sync.engine import SyncEngine
from desktop.sync.local_changes import Author, ChangeRecorder
from shared.hlc import HybridClock
from shared.protocol import PushResponse
from shared.pull_page import PulledRow, PullPage

CRASH_ENV = "WCN_CRASH_AT"
PUSH_STEPS = ("push_before_send", "push_after_send", "push_before_ack_commit")
PULL_STEPS = (
    "pull_before_send",
    "pull_after_reply",
    "pull_during_apply",
    "pull_before_cursor_commit",
    "after_pull_commit",
)
STEPS = PUSH_STEPS + PULL_STEPS


def crash_if(step: str) -> None:
    if os.environ.get(CRASH_ENV) == step:
        sys.stdout.write(f"crash {step}\n")
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# --- record -------------------------------------------------------------------------------


def _note_fields(resident_id: str, rng: random.Random) -> dict[str, Any]:
    return {
        "resident_id": resident_id,
        "category": rng.choice(["general", "sleep", "mood", "continence"]),
        "text": "Checked and comfortable. " * rng.randint(1, 20),
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def record(store: Store, seed: int) -> None:
    """Record until killed: mostly one note per transaction, sometimes three, sometimes an
    edit of the resident's diet (a mutable record), each printed only after its commit."""
    with store.read() as conn:
        device_id = str(meta.get(conn, "device_id"))
        home_id = str(meta.get(conn, "home_id"))
        user_id = str(meta.get(conn, "user_id"))
        resident_id = str(meta.get(conn, "resident_id"))
    clock = HybridClock(device_id[-12:])
    recorder = ChangeRecorder(device_id, home_id, clock)
    author = Author(user_id, "senior_carer")
    rng = random.Random(seed)
    counter = 0
    while True:
        roll = rng.random()
        counter += 1
        if roll < 0.15:
            value = f"diet {seed}-{counter}"
            with store.write() as conn:
                recorder.update(conn, resident_id, {"diet": value}, author)
            say(f"edit {value}")
            continue
        batch = 3 if roll > 0.85 else 1
        with store.write() as conn:
            ids = [
                recorder.create(conn, "care_note", _note_fields(resident_id, rng), author).record_id
                for _ in range(batch)
            ]
        for record_id in ids:
            say(f"note {record_id}")


# --- sync with crash hooks ----------------------------------------------------------------


class HookedClient(SyncClient):
    """The real client; a crash can come before a request is sent or after its reply."""

    def push_json(self, changes: list[str]) -> PushResponse:
        crash_if("push_before_send")
        reply = super().push_json(changes)
        crash_if("push_after_send")
        HookedEngine.armed_commit = "push_before_ack_commit"
        return reply

    def pull(self, cursor: int, limit: int, *args: Any, **kwargs: Any) -> PullPage:
        crash_if("pull_before_send")
        reply = super().pull(cursor, limit, *args, **kwargs)
        if reply.rows:
            crash_if("pull_after_reply")
            HookedEngine.armed_commit = "pull_before_cursor_commit"
        return reply


class HookedEngine(SyncEngine):
    """The real engine; a crash can come half way through applying a page, just before the
    transaction holding the page and its cursor commits, or just after it committed."""

    armed_commit: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sa.event.listen(self.store.engine, "commit", self._on_commit)

    def _on_commit(self, _conn: sa.Connection) -> None:
        step, HookedEngine.armed_commit = HookedEngine.armed_commit, None
        if step is not None:
            crash_if(step)

    def apply(self, conn: sa.Connection, states: list[PulledRow]) -> None:
        half = len(states) // 2
        super().apply(conn, states[:half])
        if states:
            crash_if("pull_during_apply")
        super().apply(conn, states[half:])

    def run_rules_on_unsent(self) -> int:
        crash_if("after_pull_commit")
        return super().run_rules_on_unsent()


def sync(data_dir: Path, key_dir: Path, notes: int, user_id: str, resident_id: str) -> None:
    context = AppContext.open(data_dir, key_dir=str(key_dir))
    author = Author(user_id, "care_assistant")
    rng = random.Random(os.getpid())
    for _ in range(notes):
        with context.store.write() as conn:
            note = context.recorder.create(
                conn, "care_note", _note_fields(resident_id, rng), author
            )
        say(f"note {note.record_id}")
    with context.store.read() as conn:
        secret = str(meta.get(conn, "device_secret"))
    client = HookedClient(
        context.device.server_url,
        device_id=context.device.device_id,
        device_secret=secret,
        timeout=10,
    )
    engine = HookedEngine(context.store, client, context.recorder, context.clock)
    engine.sync()
    client.close()
    context.close()
    say("synced")


# --- create -------------------------------------------------------------------------------


def create(data_dir: Path, key_dir: Path) -> None:
    def open_then_die(path: Path, key: bytes, *, create: bool = False) -> Store:
        store = open_store(path, key, create=create)
        crash_if("after_store_file")
        return store

    # files.create opens the new store through this name: the crash comes right after the
    # database file was written, before create() writes store.json.
    files.open_store = open_then_die  # type: ignore[attr-defined]
    store = files.create(data_dir, FileKeyStore(key_dir))
    store.close()
    say("created")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pc_child")
    parser.add_argument("mode", choices=["record", "sync", "create"])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--key-dir", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--notes", type=int, default=3)
    parser.add_argument("--user-id", default="")
    parser.add_argument("--resident-id", default="")
    args = parser.parse_args(argv)
    if args.mode == "record":
        store = files.open_existing(args.data_dir, FileKeyStore(args.key_dir))
        say("ready")
        record(store, args.seed)
    elif args.mode == "sync":
        sync(args.data_dir, args.key_dir, args.notes, args.user_id, args.resident_id)
    else:
        create(args.data_dir, args.key_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
