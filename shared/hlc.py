"""Hybrid logical clocks: order records for display without trusting wall clocks.

A timestamp is a string ``"<physical ms 15 digits>-<logical 5 digits>-<node>"`` that sorts
lexically in causal order. Offline data is never refused for clock skew; skew is only measured.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# The logical counter is encoded in five digits so that timestamps sort lexically.
MAX_LOGICAL = 99_999


@dataclass(frozen=True, order=True)
class Timestamp:
    physical_ms: int
    logical: int
    node: str

    def encode(self) -> str:
        return f"{self.physical_ms:015d}-{self.logical:05d}-{self.node}"

    @staticmethod
    def decode(text: str) -> Timestamp:
        try:
            physical, logical, node = text.split("-", 2)
            return Timestamp(int(physical), int(logical), node)
        except ValueError as exc:
            raise ValueError(f"not a hybrid logical clock timestamp: {text!r}") from exc


class HybridClock:
    """One clock per replica. ``now()`` for local events, ``observe()`` for remote ones."""

    def __init__(self, node: str, wall_ms: Callable[[], int] | None = None) -> None:
        self._node = node
        self._wall_ms = wall_ms or (lambda: int(time.time() * 1000))
        self._last = Timestamp(0, 0, node)
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            wall = self._wall_ms()
            if wall > self._last.physical_ms:
                self._last = Timestamp(wall, 0, self._node)
            else:
                self._last = self._next(self._last.physical_ms, self._last.logical + 1)
            return self._last.encode()

    def observe(self, remote: str) -> None:
        other = Timestamp.decode(remote)
        with self._lock:
            wall = self._wall_ms()
            physical = max(wall, self._last.physical_ms, other.physical_ms)
            if physical == self._last.physical_ms == other.physical_ms:
                logical = max(self._last.logical, other.logical) + 1
            elif physical == self._last.physical_ms:
                logical = self._last.logical + 1
            elif physical == other.physical_ms:
                logical = other.logical + 1
            else:
                logical = 0
            self._last = self._next(physical, logical)

    def _next(self, physical: int, logical: int) -> Timestamp:
        # A sixth logical digit would sort before five ("100000" < "99999"): carry into the
        # milliseconds instead, which keeps the order and is caught up by the wall clock.
        if logical > MAX_LOGICAL:
            return Timestamp(physical + 1, 0, self._node)
        return Timestamp(physical, logical, self._node)
