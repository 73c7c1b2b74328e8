"""The time an inspector's access is checked against on a PC whose clock may be wrong.

"Now" is this PC's clock, but never earlier than the newest time the PC is known to have
reached: its last sync, the newest server timestamp (HLC) it pulled, the last sign-in here.
So setting the clock back cannot stretch access past the end IT set; a clock that runs
fast only ends it early (the safe side). See docs/security.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from desktop.services.context import AppContext
from desktop.store import local_users, meta
from shared.hlc import Timestamp


class TrustedClock:
    def __init__(self, context: AppContext, now_ms: Callable[[], int]) -> None:
        self._context = context
        self._now_ms = now_ms
        self._floor_ms = 0  # the newest time this PC is known to have reached

    def now_ms(self) -> int:
        """Reads the store: the floor is refreshed from what the PC has seen."""
        with self._context.store.read() as conn:
            seen = [
                meta.get(conn, "last_sync_ms"),
                _hlc_ms(meta.get(conn, "last_hlc")),
                local_users.newest_signin_ms(conn),
            ]
        self._floor_ms = max([self._floor_ms, *(int(t) for t in seen if t is not None)])
        return self.cached_now_ms()

    def cached_now_ms(self) -> int:
        """No database read: the floor as last refreshed (for checks on every action)."""
        return max(self._now_ms(), self._floor_ms)


def to_ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)


def _hlc_ms(hlc: object) -> int | None:
    if not isinstance(hlc, str) or not hlc:
        return None
    try:
        return Timestamp.decode(hlc).physical_ms
    except ValueError:
        return None
