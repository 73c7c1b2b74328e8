"""Time-limited access: an inspector's sign-in works only until a date and time IT sets.

The end is stored as an aware ISO date-time (``access_until`` on the staff record); both the
server and the PCs decide with ``has_ended`` and explain with ``ended_message``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Roles whose accounts must have an end, and the longest IT may give at once.
TIME_LIMITED_ROLES = frozenset({"inspector"})
MAX_DAYS = 90


def _uk_zone() -> dt.tzinfo:
    try:
        return ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:  # a PC without time-zone data: UTC is close enough
        return dt.UTC


UK = _uk_zone()


def parse_until(value: object) -> dt.datetime | None:
    """The end from a staff record's field (None when there is none, or it is unreadable)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def has_ended(until: dt.datetime | None, now: dt.datetime) -> bool:
    return until is not None and now >= until


def format_until(until: dt.datetime) -> str:
    """'31 December 2026 at 23:59' in UK time."""
    local = until.astimezone(UK)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def ended_message(until: dt.datetime) -> str:
    return (
        f"Your inspection access ended on {format_until(until)}. "
        "Ask the provider's IT team if you need it extended."
    )
