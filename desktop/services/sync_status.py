"""Running a sync and reporting the state the UI always shows: online or not, changes waiting,
the last successful sync, and a warning after a long time offline."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from desktop.services.context import AppContext
from desktop.store import meta, outbox
from desktop.sync.engine import ProgressCallback, SyncReport
from desktop.sync.errors import SyncError

LONG_OFFLINE_MS = 4 * 60 * 60 * 1000


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None  # None until the first attempt
    waiting: int
    last_sync_ms: int | None
    last_error: str | None
    stale: bool  # other PCs may have records this one has not seen yet

    def describe(self) -> str:
        state = "Not synced yet" if self.online is None else "Online" if self.online else "Offline"
        waiting = "nothing waiting" if self.waiting == 0 else f"{self.waiting} change(s) waiting"
        return f"{state} · {waiting}"


class SyncService:
    def __init__(self, context: AppContext) -> None:
        self._context = context
        self._online: bool | None = None
        self._last_error: str | None = None
        self._lock = threading.Lock()

    def sync_now(self, progress: ProgressCallback | None = None) -> SyncReport:
        """One full sync. Only one runs at a time on a PC; a second caller waits for it."""
        with self._lock:
            client = self._context.client()
            try:
                report = self._context.sync_engine(client).sync(progress)
            except SyncError as exc:
                self._online = False
                self._last_error = exc.message
                raise
            finally:
                client.close()
            self._online = True
            self._last_error = None
            return report

    def status(self, now_ms: int | None = None) -> SyncStatus:
        now_ms = now_ms or int(time.time() * 1000)
        with self._context.store.read() as conn:
            waiting = outbox.count(conn)
            last = meta.get(conn, "last_sync_ms")
        stale = last is None or now_ms - int(last) > LONG_OFFLINE_MS
        return SyncStatus(self._online, waiting, last, self._last_error, stale)
