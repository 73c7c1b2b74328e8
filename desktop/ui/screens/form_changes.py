"""Which fields a form changed in a record it loaded: only those are sent, so another PC's
change to a different field of the same record merges with this one (per-field merge)."""

from __future__ import annotations

import datetime as dt
from typing import Any

EMPTY: tuple[object, ...] = (None, False, "")


def changed_fields(values: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    for name, value in values.items():
        as_stored = value.isoformat() if isinstance(value, dt.date) else value
        old = before.get(name)
        if as_stored != old and not (as_stored in EMPTY and old in EMPTY):
            changed[name] = value
    return changed
