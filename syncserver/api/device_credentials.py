"""Enrolled PCs' credentials as last read, so a push needs no look-up of its own before it
joins the queue. What is kept never changes for a device (its tenant, home and secret are
fixed at enrolment); whether it is still in service is read again inside each push's
transaction (``syncserver.sync.ingest``), where a device no longer enrolled is refused."""

from __future__ import annotations

import threading
from collections import OrderedDict

from syncserver.security.passwords import digest_matches
from syncserver.sync.context import DeviceContext


class DeviceCredentials:
    def __init__(self, capacity: int = 20_000) -> None:
        self._capacity = capacity
        self._known: OrderedDict[str, tuple[str, str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def match(self, device_id: str, secret: str) -> DeviceContext | None:
        """The device, if it was seen before and ``secret`` is its secret; None means "look
        it up" (a wrong secret is never refused from here)."""
        with self._lock:
            known = self._known.get(device_id)
            if known is not None:
                self._known.move_to_end(device_id)
        if known is None:
            return None
        tenant_id, home_id, secret_hash = known
        if not digest_matches(secret_hash, secret):
            return None
        return DeviceContext(device_id, tenant_id, home_id, 0)

    def remember(self, device_id: str, tenant_id: str, home_id: str, secret_hash: str) -> None:
        with self._lock:
            self._known[device_id] = (tenant_id, home_id, secret_hash)
            self._known.move_to_end(device_id)
            while len(self._known) > self._capacity:
                self._known.popitem(last=False)
