"""Running a sync and reporting the state the UI always shows: online or not, changes waiting,
the last successful sync, and a warning after a long time offline."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.services.context import AppContext
from desktop.store import meta, outbox
from desktop.sync.errors import DeviceRevoked, Offline, SyncError

if TYPE_CHECKING:  # the engine is imported by the first sync, not before the app shows
    from desktop.sync.client import SyncClient
    from desktop.sync.engine import ProgressCallback, SyncEngine, SyncReport

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
        self.revoked = False

    def sync_now(self, progress: ProgressCallback | None = None) -> SyncReport:
        """One full sync. Only one runs at a time on a PC; a second caller waits for it."""
        return self._run(lambda engine: engine.sync(progress))

    def pull_now(self) -> SyncReport:
        """Only pull (after a live notification): quick, and never sends anything."""

        from desktop.sync.engine import SyncReport

        def pull(engine: SyncEngine) -> SyncReport:
            pulled, repaired = engine.pull(check=False)
            return SyncReport(pulled=pulled, repaired=repaired)

        return self._run(pull)

    def take_notice(self, event: str) -> SyncReport:
        """After a live notification: apply the changes it carries when they follow on from
        this PC's cursor, else (or when it carries none, or they cannot be read) pull."""
        from desktop.sync.engine import SyncReport
        from shared.pull_page import MalformedPage, decode_live_page

        try:
            notified = decode_live_page(event)
        except MalformedPage:
            notified = None

        def apply_or_pull(engine: SyncEngine) -> SyncReport:
            if notified is not None:
                applied = engine.apply_notified(notified)
                if applied is not None:
                    return SyncReport(pulled=applied)
            pulled, repaired = engine.pull(check=False)
            return SyncReport(pulled=pulled, repaired=repaired)

        return self._run(apply_or_pull)

    def sync_with_retry(
        self,
        *,
        attempts: int = 5,
        first_delay_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> SyncReport:
        """Retry a sync that failed because the network did, backing off between tries."""
        delay = first_delay_s
        for attempt in range(attempts):
            try:
                return self.sync_now()
            except Offline:
                if attempt == attempts - 1:
                    raise
                sleep(delay)
                delay = min(delay * 2, 30.0)
        raise AssertionError("unreachable")

    def _run(self, action: Callable[[SyncEngine], SyncReport]) -> SyncReport:
        with self._lock:
            if self.revoked:
                raise DeviceRevoked(
                    "This PC has been removed from service by IT.",
                    code="device_revoked",
                    status=403,
                )
            client = self._context.client()
            try:
                report = action(self._context.sync_engine(client))
            except DeviceRevoked:
                self._hand_over_and_wipe(client)
                raise DeviceRevoked(
                    "This PC has been removed from service by IT. Its unsent records were sent "
                    "where possible and everything on it has been erased.",
                    code="device_revoked",
                    status=403,
                ) from None
            except SyncError as exc:
                self._online = False
                self._last_error = exc.message
                raise
            finally:
                client.close()
            self._online = True
            self._last_error = None
            return report

    def _hand_over_and_wipe(self, client: SyncClient) -> None:
        with contextlib.suppress(SyncError):
            self._context.sync_engine(client).push()
        self.revoked = True
        self._online = False
        self._context.wipe()

    def status(self, now_ms: int | None = None) -> SyncStatus:
        now_ms = now_ms or int(time.time() * 1000)
        with self._context.store.read() as conn:
            waiting = outbox.count(conn)
            last = meta.get(conn, "last_sync_ms")
        stale = last is None or now_ms - int(last) > LONG_OFFLINE_MS
        return SyncStatus(self._online, waiting, last, self._last_error, stale)
