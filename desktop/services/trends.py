"""Trend series for a resident's charts (weight, NEWS2, fluids) as plain data: the readings
grouped into days, weeks or months of this PC's calendar.

Rules, one value a period:

* weight: the last weight recorded in the period (what the resident weighs now, not an
  average of a weight that was wrong and its re-weigh);
* NEWS2: the highest complete score in the period (the worst is what needed a response);
* fluids: a day's total is every drink recorded that calendar day; a period shows the mean of
  its days' totals, counting only days with a drink recorded (a day with nothing recorded is
  not a day of drinking nothing, and showing it as 0 would hide a gap in recording).

A period with nothing recorded has no value (a gap in the line), never a zero.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Span(StrEnum):
    DAYS = "days"  # the last 14 days, one point a day
    WEEKS = "weeks"  # the last 12 weeks (7 days each, ending today), one point a week
    MONTHS = "months"  # the last 12 calendar months, one point a month


SPAN_LENGTH = {Span.DAYS: 14, Span.WEEKS: 12, Span.MONTHS: 12}
SPAN_LABELS = {Span.DAYS: "14 days", Span.WEEKS: "12 weeks", Span.MONTHS: "12 months"}


@dataclass(frozen=True)
class Period:
    start: dt.date  # the first day in it
    end: dt.date  # the day after the last
    label: str

    def holds(self, day: dt.date) -> bool:
        return self.start <= day < self.end


@dataclass(frozen=True)
class Point:
    period: Period
    value: float | None  # None: nothing recorded in the period
    readings: int  # how many readings (or, for fluids, days) went into it


@dataclass(frozen=True)
class Series:
    title: str
    unit: str
    points: tuple[Point, ...]
    target: float | None = None  # the resident's daily fluid target, drawn as a line

    @property
    def empty(self) -> bool:
        return all(p.value is None for p in self.points)

    @property
    def latest(self) -> Point | None:
        recorded = [p for p in self.points if p.value is not None]
        return recorded[-1] if recorded else None


@dataclass(frozen=True)
class Trends:
    span: Span
    weight: Series
    news2: Series
    fluids: Series


def _month_start(day: dt.date, back: int) -> dt.date:
    months = day.year * 12 + day.month - 1 - back
    return dt.date(months // 12, months % 12 + 1, 1)


def periods(span: Span, today: dt.date) -> list[Period]:
    """The periods of ``span`` ending with the one holding ``today``, oldest first; together
    they cover every day from the first start to today with no gap or overlap."""
    count = SPAN_LENGTH[span]
    if span is Span.DAYS:
        days = [today - dt.timedelta(days=n) for n in range(count - 1, -1, -1)]
        return [Period(d, d + dt.timedelta(days=1), f"{d:%d %b}") for d in days]
    if span is Span.WEEKS:
        result = []
        for n in range(count - 1, -1, -1):
            end = today + dt.timedelta(days=1) - dt.timedelta(weeks=n)
            start = end - dt.timedelta(weeks=1)
            result.append(Period(start, end, f"{start:%d %b}"))
        return result
    starts = [_month_start(today, n) for n in range(count - 1, -1, -1)]
    ends = [*starts[1:], today + dt.timedelta(days=1)]
    return [Period(s, e, f"{s:%b %Y}") for s, e in zip(starts, ends, strict=True)]


def _place(period_list: Sequence[Period], day: dt.date) -> int | None:
    for index, period in enumerate(period_list):
        if period.holds(day):
            return index
    return None


def last_in_period(
    period_list: Sequence[Period], readings: Iterable[tuple[dt.datetime, float]]
) -> list[Point]:
    """Each period's last reading by time (``readings`` are in local time)."""
    chosen: dict[int, tuple[dt.datetime, float]] = {}
    counts: dict[int, int] = defaultdict(int)
    for moment, value in readings:
        index = _place(period_list, moment.date())
        if index is None:
            continue
        counts[index] += 1
        if index not in chosen or moment >= chosen[index][0]:
            chosen[index] = (moment, value)
    return [
        Point(p, chosen[i][1] if i in chosen else None, counts[i])
        for i, p in enumerate(period_list)
    ]


def highest_in_period(
    period_list: Sequence[Period], readings: Iterable[tuple[dt.datetime, float]]
) -> list[Point]:
    best: dict[int, float] = {}
    counts: dict[int, int] = defaultdict(int)
    for moment, value in readings:
        index = _place(period_list, moment.date())
        if index is None:
            continue
        counts[index] += 1
        best[index] = max(value, best.get(index, value))
    return [Point(p, best.get(i), counts[i]) for i, p in enumerate(period_list)]


def daily_totals(drinks: Iterable[tuple[dt.datetime, int]]) -> dict[dt.date, int]:
    """Millilitres drunk each calendar day (``drinks`` in local time)."""
    totals: dict[dt.date, int] = defaultdict(int)
    for moment, ml in drinks:
        totals[moment.date()] += ml
    return dict(totals)


def mean_daily_in_period(period_list: Sequence[Period], totals: dict[dt.date, int]) -> list[Point]:
    """Each period's mean daily total over the days with a drink recorded, to the ml."""
    days: dict[int, list[int]] = defaultdict(list)
    for day, total in totals.items():
        index = _place(period_list, day)
        if index is not None:
            days[index].append(total)
    return [
        Point(p, round(sum(days[i]) / len(days[i])) if days.get(i) else None, len(days.get(i, [])))
        for i, p in enumerate(period_list)
    ]
