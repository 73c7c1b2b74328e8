"""Time-ordered identifiers (UUIDv7, RFC 9562) made on the device that records a fact."""

from __future__ import annotations

import os
import threading
import time
import uuid
from typing import NewType

RecordId = NewType("RecordId", str)
ChangeId = NewType("ChangeId", str)
TenantId = NewType("TenantId", str)
HomeId = NewType("HomeId", str)
DeviceId = NewType("DeviceId", str)
UserId = NewType("UserId", str)


class _Clock:
    """The last millisecond and counter used, so that ids made here are strictly ordered."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_ms = 0
        self.counter = 0


_clock = _Clock()


def uuid7(now_ms: int | None = None) -> uuid.UUID:
    """A UUIDv7: 48-bit Unix milliseconds, then a 12-bit counter that keeps ids made
    within one millisecond in order, then 62 random bits."""
    with _clock.lock:
        ms = int(time.time() * 1000) if now_ms is None else now_ms
        if ms <= _clock.last_ms:
            ms = _clock.last_ms
            _clock.counter += 1
            if _clock.counter > 0xFFF:
                ms += 1
                _clock.counter = 0
        else:
            _clock.counter = 0
        _clock.last_ms = ms
        counter = _clock.counter
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand
    return uuid.UUID(int=value)


def new_id() -> str:
    return str(uuid7())


def stable_id(namespace: str, *parts: str) -> str:
    """A deterministic id for a thing two replicas may both create (a review item for the
    same conflict): both make the same id, so the records merge instead of duplicating."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "wcn:" + namespace + ":" + "/".join(parts)))
