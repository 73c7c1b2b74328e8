"""Rebuilding a PC's store from the server without losing anything recorded on it: a new
file is filled from the server, every unsent change is carried over, then the files are
swapped. The old file is kept beside it as ``store.previous.db`` (encrypted); nothing deletes
the live database."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.services.context import AppContext
from desktop.store import carry_over, files
from desktop.store.database import replace_store_file
from desktop.sync.engine import ProgressCallback, SyncEngine


@dataclass(frozen=True)
class RebuildReport:
    pulled: int
    carried_over: int


def rebuild_store(context: AppContext, progress: ProgressCallback | None = None) -> RebuildReport:
    live_path = context.data_dir / files.STORE_FILE
    new_path = context.data_dir / "rebuild.db"
    fresh = context.store.sibling(new_path)
    try:
        with context.store.read() as old, fresh.write() as new:
            carry_over.copy_identity(old, new)
        client = context.client()
        try:
            pulled, _repaired = SyncEngine(fresh, client, context.recorder, context.clock).pull(
                progress
            )
        finally:
            client.close()
        # Changes recorded while the rebuild downloaded are in the live store's outbox too.
        with context.store.write() as old, fresh.write() as new:
            carried = carry_over.copy_unsent(old, new)
    finally:
        fresh.close()
    old_store = context.store
    old_store.close()
    replace_store_file(new_path, live_path)
    context.store = old_store.reopen()
    return RebuildReport(pulled, carried)
