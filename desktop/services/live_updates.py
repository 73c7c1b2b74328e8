"""Listening for the server's live notifications and pulling at once, so a record made on one
online PC appears on the others of the home within moments. A notification of a small push
carries its changes, applied without a pull when they follow on from this PC's cursor. Runs on
its own thread until ``stop`` is set; reconnects with back-off when the network drops."""

from __future__ import annotations

import threading
from collections.abc import Callable

from desktop.services.context import AppContext
from desktop.services.sync_status import SyncService
from desktop.sync.engine import SyncReport
from desktop.sync.errors import DeviceRevoked, SyncError


class LiveUpdates:
    def __init__(self, context: AppContext, sync: SyncService) -> None:
        self._context = context
        self._sync = sync
        self.stop = threading.Event()
        self.connected = threading.Event()

    def run(self, on_pulled: Callable[[SyncReport], None] | None = None) -> None:
        delay = 1.0
        while not self.stop.is_set():
            client = self._context.client(own_connection=True)
            try:
                events = client.live_events(on_connected=self.connected.set, pages=True)
                for event in events:
                    if self.stop.is_set():
                        return
                    if event is None:  # keep-alive
                        continue
                    delay = 1.0
                    report = self._sync.take_notice(event)
                    if on_pulled is not None:
                        on_pulled(report)
            except DeviceRevoked:
                return
            except SyncError:
                pass
            finally:
                self.connected.clear()
                client.close()
            self.stop.wait(delay)
            delay = min(delay * 2, 30.0)
