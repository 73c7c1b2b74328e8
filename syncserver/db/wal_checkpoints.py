"""SQLite's write-ahead log copied back into the database file on a thread of its own.

Left to itself SQLite does this inside the commit that takes the log past 1,000 pages, so one
push in every few dozen waits for the copy and its fsync while every other writer waits for
it. The server instead checkpoints after commits (passively: never waiting for readers or
blocking writers), on the other core, and leaves the writers' own checkpoint only as a
safety net for a log that has grown past ``SAFETY_NET_PAGES`` (this thread stopped, say)."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)
SAFETY_NET_PAGES = 16_384  # 64 MiB of 4 KiB pages
IDLE_CHECK_S = 5.0  # with no commits, still look this often (another process may write)


class WalCheckpointer:
    def __init__(self, database: Path) -> None:
        self._database = database
        self._due = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.checkpointed = threading.Event()  # set after each checkpoint (for tests)

    def start(self) -> None:
        if self._thread is None:
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="wcn-wal", daemon=True)
            self._thread.start()

    def committed(self) -> None:
        """A writer committed: the log has grown."""
        self._due.set()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping = True
        self._due.set()
        thread.join(timeout=30)

    def _run(self) -> None:
        conn = sqlite3.connect(self._database, timeout=1, check_same_thread=False)
        try:
            conn.isolation_level = None
            while not self._stopping:
                self._due.wait(IDLE_CHECK_S)
                self._due.clear()
                if self._stopping:
                    break
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpointed.set()
                except sqlite3.Error as exc:  # busy with another process's checkpoint
                    log.debug("WAL checkpoint skipped: %s", exc)
        finally:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
