"""The services of one enrolled PC, bundled: its store, its identity, its clock."""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.store import files, meta
from desktop.store.database import Store
from desktop.store.keys import choose_key_store
from shared.hlc import HybridClock

if TYPE_CHECKING:  # imported when first used: not needed to show the sign-in screen
    import httpx

    from desktop.sync.client import SyncClient
    from desktop.sync.engine import SyncEngine
    from desktop.sync.local_changes import ChangeRecorder

SYNC_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    tenant_id: str
    tenant_name: str
    home_id: str
    home_name: str
    server_url: str


def device_name() -> str:
    return os.environ.get("WCN_DEVICE_NAME") or socket.gethostname()[:100] or "ward-pc"


class AppContext:
    """Everything services need. ``http`` lets tests route sync to an in-process server."""

    def __init__(
        self,
        store: Store,
        data_dir: Path,
        *,
        http: httpx.Client | None = None,
        key_dir: str | None = None,
    ) -> None:
        self.store = store
        self.data_dir = data_dir
        self.http = http
        self.key_dir = key_dir
        # One connection pool for this PC's sync requests, made on first use: a new
        # httpx.Client loads the system's certificates (about 20 ms), too much for every
        # live update. httpx clients may be shared between threads.
        self._pool: httpx.Client | None = None
        self._pool_lock = threading.Lock()
        with store.read() as conn:
            values = meta.get_all(conn)
        self.device = DeviceInfo(
            values["device_id"],
            values["tenant_id"],
            values["tenant_name"],
            values["home_id"],
            values["home_name"],
            values["server_url"],
        )
        self._secret: str = values["device_secret"]
        self.clock = HybridClock(
            self.device.device_id[-12:], wall_ms=lambda: int(time.time() * 1000)
        )
        # A clock set back while the app was closed must not stamp new records before the
        # ones already here: start from the newest stamp this PC has issued or seen.
        if values.get("last_hlc"):
            self.clock.observe(values["last_hlc"])

    @cached_property
    def recorder(self) -> ChangeRecorder:
        """Queues this PC's changes for the server (it holds no state of its own)."""
        from desktop.sync.local_changes import ChangeRecorder

        return ChangeRecorder(self.device.device_id, self.device.home_id, self.clock)

    @classmethod
    def open(
        cls, data_dir: Path, *, key_dir: str | None = None, http: httpx.Client | None = None
    ) -> AppContext:
        store = files.open_existing(data_dir, choose_key_store(key_dir))
        return cls(store, data_dir, http=http, key_dir=key_dir)

    def client(self, *, own_connection: bool = False) -> SyncClient:
        """A sync client on this PC's shared connection pool; with ``own_connection``, on a
        pool of its own that closes with it (for the live stream, which outlives requests)."""
        from desktop.sync.client import SyncClient

        http = self.http
        if http is None and not own_connection:
            http = self._shared_pool()
        return SyncClient(
            self.device.server_url,
            http=http,
            device_id=self.device.device_id,
            device_secret=self._secret,
        )

    def _shared_pool(self) -> httpx.Client:
        import httpx

        with self._pool_lock:
            if self._pool is None:
                self._pool = httpx.Client(timeout=SYNC_TIMEOUT_S)
            return self._pool

    def _close_pool(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def sync_engine(self, client: SyncClient | None = None) -> SyncEngine:
        from desktop.sync.engine import SyncEngine

        return SyncEngine(self.store, client or self.client(), self.recorder, self.clock)

    def close(self) -> None:
        self._close_pool()
        self.store.close()

    def wipe(self) -> None:
        """Destroy this PC's key and data (a revoked PC). The store must not be used after."""
        self._close_pool()
        self.store.close()
        files.wipe(self.data_dir, choose_key_store(self.key_dir))
