"""The shifts a handover covers, in UK time (Europe/London): the day shift 08:00 to 20:00, the
night shift 20:00 to 08:00 the next morning, or the last 12 hours. A shift includes its first
minute and excludes its last (a note at 20:00 belongs to the night shift), so every moment
is in exactly one day or night shift. On the nights the clocks change the night shift is 11 or
13 hours long: it still runs from 20:00 to 08:00 on the wall clock.

Which shift the screen opens on is a policy choice [U]: the one that ended less than an hour
ago (handover happens around the change of shift), otherwise the one in progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from shared.medication.scheduling import UK

DAY_STARTS = dt.time(8, 0)
NIGHT_STARTS = dt.time(20, 0)
HANDOVER_GRACE = dt.timedelta(hours=1)  # policy [U]: see the module docstring
LAST_HOURS = 12


class ShiftKind(StrEnum):
    DAY = "day"
    NIGHT = "night"
    LAST_12_HOURS = "last_12_hours"


SHIFT_LABELS = {
    ShiftKind.DAY: "Day shift (08:00 to 20:00)",
    ShiftKind.NIGHT: "Night shift (20:00 to 08:00)",
    ShiftKind.LAST_12_HOURS: "The last 12 hours",
}


@dataclass(frozen=True)
class Shift:
    """A period handed over: ``start`` included, ``end`` excluded, both in UTC."""

    kind: ShiftKind
    start: dt.datetime
    end: dt.datetime

    def contains(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return start < self.end and self.start < end

    @property
    def label(self) -> str:
        """'Day shift, Thu 26 Nov 2026, 08:00 to 20:00' (UK time)."""
        start, end = self.start.astimezone(UK), self.end.astimezone(UK)
        if self.kind is ShiftKind.DAY:
            return f"Day shift, {_date(start)}, {start:%H:%M} to {end:%H:%M}"
        if self.kind is ShiftKind.NIGHT:
            return f"Night shift, {_date(start)} {start:%H:%M} to {_date(end)} {end:%H:%M}"
        return f"Last 12 hours, {_date(start)} {start:%H:%M} to {_date(end)} {end:%H:%M}"


def _date(moment: dt.datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=UK).astimezone(dt.UTC)


def day_shift(day: dt.date) -> Shift:
    """08:00 to 20:00 on ``day`` (UK time)."""
    return Shift(ShiftKind.DAY, _at(day, DAY_STARTS), _at(day, NIGHT_STARTS))


def night_shift(day: dt.date) -> Shift:
    """20:00 on ``day`` to 08:00 the next morning (UK time)."""
    return Shift(
        ShiftKind.NIGHT, _at(day, NIGHT_STARTS), _at(day + dt.timedelta(days=1), DAY_STARTS)
    )


def last_hours(now: dt.datetime, hours: int = LAST_HOURS) -> Shift:
    end = now.astimezone(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return Shift(ShiftKind.LAST_12_HOURS, end - dt.timedelta(hours=hours), end)


def shift_at(moment: dt.datetime) -> Shift:
    """The day or night shift that ``moment`` falls in."""
    local = moment.astimezone(UK)
    if local.time() >= NIGHT_STARTS:
        return night_shift(local.date())
    if local.time() >= DAY_STARTS:
        return day_shift(local.date())
    return night_shift(local.date() - dt.timedelta(days=1))


def default_shift(now: dt.datetime) -> Shift:
    """The shift being handed over at ``now``: the one that ended within the last hour,
    otherwise the one in progress."""
    return shift_at(now - HANDOVER_GRACE)


def shift_for(kind: ShiftKind, day: dt.date, now: dt.datetime) -> Shift:
    """The ``kind`` of shift that starts on ``day`` (the last 12 hours ignore ``day``)."""
    if kind is ShiftKind.DAY:
        return day_shift(day)
    if kind is ShiftKind.NIGHT:
        return night_shift(day)
    return last_hours(now)
