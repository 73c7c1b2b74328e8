"""When doses are due: scheduled dose slots and the PRN limits, in UK local time.

Every scheduled dose has ONE stable identity, ``slot_id``, derived from the prescription and
the instant it is due, so every PC names the same dose the same way and a dose recorded twice
can be found after sync. Times on a prescription are UK wall-clock times (Europe/London):
"08:00" is 08:00 GMT in winter and 08:00 BST in summer. A time that does not exist on the
spring change day (01:00-01:59) falls at the same minutes past 02:00 BST; a time that happens
twice on the autumn change day is due once, at its first (BST) occurrence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from shared.ids import stable_id

UK = ZoneInfo("Europe/London")
# How early or late a dose may be given and still count as on time. Time-critical medicines
# (Parkinson's, insulin, ...) have a 30-minute window either side; others one hour. Policy
# choice [U]: homes set their own, and NICE SC1 does not fix a number.
TIME_CRITICAL_WINDOW = dt.timedelta(minutes=30)
STANDARD_WINDOW = dt.timedelta(minutes=60)
SCHEDULE_KINDS = ("daily", "weekly", "monthly", "prn")


class ScheduleError(ValueError):
    """A schedule that cannot be understood; ``str()`` is a sentence for a person."""


@dataclass(frozen=True)
class DoseSlot:
    slot_id: str
    prescription_id: str
    due_at: dt.datetime  # aware, UTC
    window_start: dt.datetime
    window_end: dt.datetime
    time_critical: bool

    @property
    def local_due(self) -> dt.datetime:
        return self.due_at.astimezone(UK)


def slot_id_for(prescription_id: str, due_at: dt.datetime) -> str:
    """The stable id of the dose of ``prescription_id`` due at ``due_at`` (any zone)."""
    instant = due_at.astimezone(dt.UTC).replace(microsecond=0)
    return stable_id("dose_slot", prescription_id, instant.isoformat())


def parse_time(text: str) -> dt.time:
    try:
        hours, minutes = text.strip().split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ScheduleError(f"{text!r} is not a time like 08:00.") from None


def check_schedule(schedule: Any) -> dict[str, Any]:
    """The schedule if it can be used; otherwise ScheduleError saying what is wrong."""
    if not isinstance(schedule, Mapping):
        raise ScheduleError("The schedule is missing.")
    kind = schedule.get("kind")
    if kind not in SCHEDULE_KINDS:
        raise ScheduleError(f"Unknown kind of schedule {kind!r}.")
    times = schedule.get("times") or []
    if kind != "prn":
        if not isinstance(times, list) or not times:
            raise ScheduleError("Give at least one time for a regular medicine.")
        for text in times:
            parse_time(str(text))
    if kind == "weekly":
        days = schedule.get("weekdays") or []
        if not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise ScheduleError("A weekly medicine needs the days of the week (Mon=0 .. Sun=6).")
    if kind == "monthly":
        days = schedule.get("month_days") or []
        if not days or any(not isinstance(d, int) or not 1 <= d <= 31 for d in days):
            raise ScheduleError("A monthly medicine needs the days of the month (1-31).")
    return dict(schedule)


def local_instant(day: dt.date, at: dt.time) -> dt.datetime:
    """The UTC instant of UK wall-clock ``at`` on ``day`` (see the module docstring for the
    two change days)."""
    naive = dt.datetime.combine(day, at)
    aware = naive.replace(tzinfo=UK, fold=0)
    # Round-trip through UTC: a non-existent local time becomes the real instant an hour on.
    return aware.astimezone(dt.UTC)


def _days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def _due_on(schedule: Mapping[str, Any], day: dt.date) -> bool:
    kind = schedule["kind"]
    if kind == "daily":
        return True
    if kind == "weekly":
        return day.weekday() in schedule.get("weekdays", [])
    if kind == "monthly":
        days = schedule.get("month_days", [])
        last = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        # "the 31st" in a shorter month is its last day, so the dose is not silently skipped.
        return day.day in days or (day == last and any(d > last.day for d in days))
    return False


def slots_between(
    prescription_id: str,
    fields: Mapping[str, Any],
    start: dt.datetime,
    end: dt.datetime,
) -> list[DoseSlot]:
    """Scheduled doses of one prescription due in ``[start, end)``, in time order.

    A prescription that is not active, a PRN one, or outside its start and end dates has none;
    a discontinued one has none after ``discontinued_at``.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    schedule = fields.get("schedule") or {}
    if fields.get("status") == "suspended" or schedule.get("kind", "prn") == "prn":
        return []
    check_schedule(schedule)
    first = dt.date.fromisoformat(str(fields["start_date"]))
    last = dt.date.fromisoformat(str(fields["end_date"])) if fields.get("end_date") else None
    stop = end
    if fields.get("status") == "discontinued":
        stopped = dt.datetime.fromisoformat(str(fields.get("discontinued_at") or start.isoformat()))
        stop = min(stop, stopped)
    critical = bool(fields.get("time_critical"))
    window = TIME_CRITICAL_WINDOW if critical else STANDARD_WINDOW
    times = sorted({parse_time(str(t)) for t in schedule.get("times", [])})
    slots: list[DoseSlot] = []
    local_first = start.astimezone(UK).date() - dt.timedelta(days=1)
    local_last = end.astimezone(UK).date() + dt.timedelta(days=1)
    for day in _days(max(local_first, first), local_last):
        if last is not None and day > last:
            break
        if not _due_on(schedule, day):
            continue
        for at in times:
            due = local_instant(day, at)
            if start <= due < stop:
                slots.append(
                    DoseSlot(
                        slot_id_for(prescription_id, due),
                        prescription_id,
                        due,
                        due - window,
                        due + window,
                        critical,
                    )
                )
    # Two wall-clock times can name one instant only across a change; keep one slot each.
    unique = {s.slot_id: s for s in slots}
    return sorted(unique.values(), key=lambda s: s.due_at)


def doses_per_day(fields: Mapping[str, Any]) -> float:
    """Average scheduled doses a day (for stock forecasts); 0 for PRN."""
    schedule = fields.get("schedule") or {}
    kind = schedule.get("kind")
    times = len(schedule.get("times") or [])
    if kind == "daily":
        return float(times)
    if kind == "weekly":
        return times * len(schedule.get("weekdays") or []) / 7
    if kind == "monthly":
        return times * len(schedule.get("month_days") or []) * 12 / 365
    return 0.0


def describe_schedule(fields: Mapping[str, Any]) -> str:
    """'08:00, 20:00 daily', 'Mon, Thu at 09:00', 'When required (PRN): at least 4 h apart'."""
    schedule = fields.get("schedule") or {}
    kind = schedule.get("kind")
    times = ", ".join(str(t) for t in schedule.get("times") or [])
    if kind == "daily":
        text = f"{times} daily"
    elif kind == "weekly":
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        days = ", ".join(names[d] for d in schedule.get("weekdays") or [] if 0 <= d <= 6)
        text = f"{days} at {times}"
    elif kind == "monthly":
        days = ", ".join(str(d) for d in schedule.get("month_days") or [])
        text = f"Monthly on day {days} at {times}"
    else:
        text = "When required (PRN)"
        gap = fields.get("prn_min_interval_minutes")
        if gap:
            text += f": at least {_hours(int(gap))} apart"
        most = fields.get("prn_max_per_24h")
        if most:
            text += f", no more than {most:g} in 24 h"
    if fields.get("time_critical"):
        text += " (time-critical)"
    return text


def _hours(minutes: int) -> str:
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


# --- PRN limits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PrnDose:
    record_id: str
    given_at: dt.datetime
    quantity: float


@dataclass(frozen=True)
class PrnProblem:
    kind: str  # "too_soon" or "over_max"
    message: str
    next_allowed: dt.datetime | None = None


def prn_problems(
    fields: Mapping[str, Any],
    earlier: Iterable[PrnDose],
    at: dt.datetime,
    quantity: float,
) -> list[PrnProblem]:
    """What is wrong with giving ``quantity`` at ``at``, given every dose already recorded
    (from every PC). Limits come from the prescription (or a homely remedy, whose fields
    ``min_interval_minutes`` / ``max_per_24h`` are read too)."""
    gap = fields.get("prn_min_interval_minutes", fields.get("min_interval_minutes"))
    most = fields.get("prn_max_per_24h", fields.get("max_per_24h"))
    doses = [d for d in earlier if abs(d.given_at - at) < dt.timedelta(hours=24)]
    problems: list[PrnProblem] = []
    if gap:
        interval = dt.timedelta(minutes=int(gap))
        close = [d for d in doses if abs(at - d.given_at) < interval]
        if close:
            nearest = max(close, key=lambda d: d.given_at)
            allowed = nearest.given_at + interval
            problems.append(
                PrnProblem(
                    "too_soon",
                    f"Too soon: a dose was recorded at {_clock(nearest.given_at)}; doses must "
                    f"be at least {_hours(int(gap))} apart (next from {_clock(allowed)}).",
                    allowed,
                )
            )
    if most:
        window_start = at - dt.timedelta(hours=24)
        taken = sum(d.quantity for d in doses if window_start < d.given_at <= at)
        if taken + quantity > float(most) + 1e-9:
            problems.append(
                PrnProblem(
                    "over_max",
                    f"Over the 24-hour maximum: {taken:g} already given in the last 24 hours; "
                    f"the most is {float(most):g}.",
                )
            )
    return problems


def prn_violations(fields: Mapping[str, Any], doses: Iterable[PrnDose]) -> dict[str, str]:
    """Doses (by record id) that broke a PRN limit, each with why, judged over the whole set
    in time order (so every replica that knows the same doses finds the same ones)."""
    ordered = sorted(doses, key=lambda d: (d.given_at, d.record_id))
    found: dict[str, str] = {}
    for index, dose in enumerate(ordered):
        problems = prn_problems(fields, ordered[:index], dose.given_at, dose.quantity)
        if problems:
            found[dose.record_id] = " ".join(p.message for p in problems)
    return found


def _clock(when: dt.datetime) -> str:
    local = when.astimezone(UK)
    return f"{local:%H:%M} on {local.day} {local:%b}"
