"""The trend charts' rules, as properties: periods tile the span with no gap or overlap; each
reading lands in exactly one period; weight is the period's last, NEWS2 its highest, fluids
the mean of the days with a drink recorded; a period with nothing recorded has no value."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from desktop.services import trends as tr

spans = st.sampled_from(list(tr.Span))
todays = st.dates(dt.date(2001, 1, 1), dt.date(2099, 12, 31))


def moments(today: dt.date) -> st.SearchStrategy[dt.datetime]:
    return st.datetimes(
        dt.datetime.combine(today - dt.timedelta(days=400), dt.time()),
        dt.datetime.combine(today, dt.time(23, 59)),
    )


@given(spans, todays)
def test_periods_tile_the_span_and_end_today(span: tr.Span, today: dt.date) -> None:
    periods = tr.periods(span, today)
    assert len(periods) == tr.SPAN_LENGTH[span]
    assert periods[-1].holds(today)
    assert periods[-1].end == today + dt.timedelta(days=1)
    for earlier, later in itertools.pairwise(periods):
        assert earlier.end == later.start
    for period in periods:
        assert period.start < period.end
        if span is tr.Span.DAYS:
            assert (period.end - period.start).days == 1
        elif span is tr.Span.WEEKS:
            assert (period.end - period.start).days == 7
        else:
            assert period.start.day == 1


@given(spans, todays, st.data())
def test_weight_is_the_last_and_news2_the_highest_in_each_period(
    span: tr.Span, today: dt.date, data: st.DataObject
) -> None:
    readings = data.draw(
        st.lists(st.tuples(moments(today), st.integers(0, 20).map(float)), max_size=30)
    )
    periods = tr.periods(span, today)
    last = tr.last_in_period(periods, readings)
    highest = tr.highest_in_period(periods, readings)
    assert [p.period for p in last] == periods == [p.period for p in highest]
    placed = 0
    for point_last, point_high in zip(last, highest, strict=True):
        inside = [(m, v) for m, v in readings if point_last.period.holds(m.date())]
        placed += len(inside)
        assert point_last.readings == point_high.readings == len(inside)
        if not inside:
            assert point_last.value is None and point_high.value is None
            continue
        assert point_high.value == max(v for _m, v in inside)
        latest_time = max(m for m, _v in inside)
        assert point_last.value in {v for m, v in inside if m == latest_time}
    in_span = [m for m, _v in readings if periods[0].start <= m.date() <= today]
    assert placed == len(in_span)  # each reading in the span lands in exactly one period


@given(spans, todays, st.data())
def test_fluids_are_the_mean_of_days_with_a_drink_recorded(
    span: tr.Span, today: dt.date, data: st.DataObject
) -> None:
    drinks = data.draw(st.lists(st.tuples(moments(today), st.integers(0, 2000)), max_size=40))
    totals = tr.daily_totals(drinks)
    assert sum(totals.values()) == sum(ml for _m, ml in drinks)
    periods = tr.periods(span, today)
    for point in tr.mean_daily_in_period(periods, totals):
        days = [t for day, t in totals.items() if point.period.holds(day)]
        assert point.readings == len(days)
        if not days:
            assert point.value is None  # a gap, never a zero
        else:
            assert point.value is not None
            assert min(days) <= point.value <= max(days)
            assert abs(point.value - sum(days) / len(days)) <= 0.5


def test_series_know_when_they_are_empty_and_their_latest_point() -> None:
    periods = tr.periods(tr.Span.DAYS, dt.date(2026, 3, 31))
    none = tr.Series("Weight", "kg", tuple(tr.last_in_period(periods, [])))
    assert none.empty and none.latest is None
    some = tr.Series(
        "Weight",
        "kg",
        tuple(
            tr.last_in_period(
                periods,
                [(dt.datetime(2026, 3, 20, 9), 61.0), (dt.datetime(2026, 3, 30, 9), 60.2)],
            )
        ),
    )
    assert not some.empty
    assert some.latest is not None and some.latest.value == 60.2
    assert some.latest.period.label == "30 Mar"
