"""Trends of incidents for one resident, one unit or the whole home: counts per month for the
last 12 months by kind of incident, falls in the last 30 days against the 30 before, residents
who fell twice or more in 90 days, and the time of day falls happen. Pure data from the local
store; an incident entered in error is left out and an amended one counts once (its latest
version)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from desktop.services.care_common import CareServiceBase, now_utc, resident_name
from desktop.services.errors import InvalidInput, NotAllowed
from desktop.services.observations import live_events
from desktop.store import records as records_repo
from desktop.store.records import StoredRecord
from shared import incidents as inc
from shared.permissions import CLINICAL_READERS, MANAGER_ROLES, SENIOR_ROLES, can_read

MONTHS = 12
RECENT = dt.timedelta(days=30)
REPEAT_FALLS_WITHIN = dt.timedelta(days=90)
REPEAT_FALLS = 2
# Local hours [start, end) of each part of the day falls are counted in.
DAY_BANDS: tuple[tuple[str, int, int], ...] = (
    ("Night (00:00 to 06:00)", 0, 6),
    ("Morning (06:00 to 12:00)", 6, 12),
    ("Afternoon (12:00 to 18:00)", 12, 18),
    ("Evening (18:00 to 24:00)", 18, 24),
)
# Who sees the whole home's (or a unit's) trends; anyone who reads incidents sees a resident's.
HOME_TREND_ROLES = (SENIOR_ROLES | MANAGER_ROLES | {"inspector"}) & CLINICAL_READERS


@dataclass(frozen=True)
class MonthCounts:
    month: dt.date  # its first day
    counts: dict[str, int]  # kind of incident -> how many

    @property
    def label(self) -> str:
        return self.month.strftime("%b %Y")

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class RepeatFaller:
    resident_id: str
    name: str
    falls: int


@dataclass(frozen=True)
class IncidentTrends:
    scope: str  # "resident", "unit" or "home"
    title: str
    months: tuple[MonthCounts, ...]  # oldest first, the current month last
    falls_last_30_days: int
    falls_previous_30_days: int
    repeat_fallers: tuple[RepeatFaller, ...]  # 2+ falls in 90 days, most falls first
    fall_times: tuple[tuple[str, int], ...]  # (part of the day, falls in the 12 months)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(inc.KINDS)

    @property
    def total(self) -> int:
        return sum(m.total for m in self.months)

    @property
    def empty(self) -> bool:
        return self.total == 0 and not self.falls_previous_30_days

    def summary_lines(self) -> list[str]:
        """The summaries as sentences for staff."""
        last, before = self.falls_last_30_days, self.falls_previous_30_days
        change = "the same as" if last == before else ("up from" if last > before else "down from")
        lines = [f"Falls in the last 30 days: {last}, {change} {before} in the 30 days before."]
        if self.scope != "resident":
            if self.repeat_fallers:
                names = ", ".join(f"{r.name} ({r.falls})" for r in self.repeat_fallers)
                lines.append(f"Residents with 2 or more falls in 90 days: {names}.")
            else:
                lines.append("No resident has fallen twice or more in the last 90 days.")
        elif self.repeat_fallers:
            lines.append(f"{self.repeat_fallers[0].falls} falls in the last 90 days.")
        if any(n for _, n in self.fall_times):
            bands = "; ".join(f"{band}: {n}" for band, n in self.fall_times)
            lines.append(f"When falls happened (last 12 months): {bands}.")
        return lines


def month_starts(today: dt.date, count: int = MONTHS) -> tuple[dt.date, ...]:
    """The first days of the ``count`` months up to and including today's, oldest first."""
    index = today.year * 12 + today.month - 1
    return tuple(dt.date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1))


def _moment(record: StoredRecord) -> dt.datetime | None:
    value = record.fields.get("occurred_at") or record.occurred_at
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def day_band(moment: dt.datetime) -> str:
    hour = moment.astimezone().hour
    return next(label for label, start, end in DAY_BANDS if start <= hour < end)


def build_trends(
    scope: str,
    title: str,
    incidents: Iterable[StoredRecord],
    names: dict[str, str],
    now: dt.datetime,
) -> IncidentTrends:
    """The trends of these incident records (every version; amendments resolved here)."""
    starts = month_starts(now.astimezone().date())
    counts: dict[dt.date, Counter[str]] = {m: Counter() for m in starts}
    falls_last = falls_before = 0
    recent_falls: Counter[str] = Counter()
    bands: Counter[str] = Counter()
    for record in live_events(incidents):
        moment, kind = _moment(record), str(record.fields.get("kind", ""))
        if moment is None or kind not in inc.KINDS or moment > now:
            continue
        local = moment.astimezone().date()
        month = dt.date(local.year, local.month, 1)
        in_year = month in counts
        if in_year:
            counts[month][kind] += 1
        if kind != "fall":
            continue
        if in_year:
            bands[day_band(moment)] += 1
        age = now - moment
        if age <= RECENT:
            falls_last += 1
        elif age <= 2 * RECENT:
            falls_before += 1
        if age <= REPEAT_FALLS_WITHIN:
            recent_falls[record.resident_id or ""] += 1
    repeat = sorted(
        (
            RepeatFaller(rid, names.get(rid, "Unknown resident"), n)
            for rid, n in recent_falls.items()
            if n >= REPEAT_FALLS
        ),
        key=lambda r: (-r.falls, r.name),
    )
    return IncidentTrends(
        scope,
        title,
        tuple(MonthCounts(m, {k: counts[m][k] for k in inc.KINDS}) for m in starts),
        falls_last,
        falls_before,
        tuple(repeat),
        tuple((label, bands[label]) for label, _, _ in DAY_BANDS),
    )


class IncidentTrendsService(CareServiceBase):
    def for_resident(self, resident_id: str, *, now: dt.datetime | None = None) -> IncidentTrends:
        self._require(home=False)
        with self._context.store.read() as conn:
            fields = self._resident(conn, resident_id)
            events = records_repo.for_resident(conn, resident_id, ("incident",))
        name = resident_name(fields)
        return build_trends("resident", name, events, {resident_id: name}, now or now_utc())

    def for_home(
        self, unit_id: str | None = None, *, now: dt.datetime | None = None
    ) -> IncidentTrends:
        """The whole home's trends, or one unit's (by the residents now on it)."""
        self._require(home=True)
        with self._context.store.read() as conn:
            residents = records_repo.by_entity(conn, "resident")
            events = records_repo.by_entity(conn, "incident")
            title = self._home(conn).get("name") or "The home"
            if unit_id is not None:
                unit = records_repo.get(conn, unit_id)
                if unit is None or unit.entity != "unit":
                    raise InvalidInput("That unit is not on this PC.", field="unit")
                title = unit.fields.get("name") or "Unit"
        names = {r.record_id: resident_name(r.fields) for r in residents}
        if unit_id is not None:
            on_unit = {r.record_id for r in residents if r.fields.get("unit_id") == unit_id}
            events = [e for e in events if e.resident_id in on_unit]
        scope = "home" if unit_id is None else "unit"
        return build_trends(scope, str(title), events, names, now or now_utc())

    def units(self) -> list[tuple[str, str]]:
        """The home's units as (id, name), by name."""
        self._require(home=True)
        with self._context.store.read() as conn:
            units = records_repo.by_entity(conn, "unit")
        return sorted(((u.record_id, str(u.fields.get("name", ""))) for u in units), key=_name)

    def may_see_home(self) -> bool:
        user = self._session.current
        return user is not None and user.role in HOME_TREND_ROLES

    def _require(self, *, home: bool) -> None:
        role = self._session.require().role
        if not can_read(role, "incident"):
            raise NotAllowed("Your role does not give access to incidents.")
        if home and role not in HOME_TREND_ROLES:
            raise NotAllowed("Only a senior carer, nurse or manager can see the home's trends.")


def _name(unit: tuple[str, str]) -> str:
    return unit[1]
