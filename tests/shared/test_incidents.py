"""Incidents: body map marks and the post-fall observation schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import incidents as inc

fractions = st.floats(0, 1, allow_nan=False)
marks = st.fixed_dictionaries(
    {
        "side": st.sampled_from(inc.SIDES),
        "x": fractions,
        "y": fractions,
        "description": st.text(min_size=1, max_size=50).filter(str.strip),
    },
    optional={"photo_ref": st.text(min_size=1, max_size=20)},
)
times = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2035, 1, 1),
    timezones=st.just(dt.UTC),
)


@given(st.lists(marks, max_size=inc.MAX_MARKS))
def test_good_marks_survive_a_round_trip(raw: list[dict[str, object]]) -> None:
    parsed = inc.parse_body_map(raw)
    assert len(parsed) == len(raw)
    assert inc.parse_body_map([m.as_json() for m in parsed]) == parsed
    for mark, item in zip(parsed, raw, strict=True):
        assert mark.side == item["side"]
        assert mark.description == str(item["description"]).strip()


@given(
    marks, st.sampled_from(["x", "y"]), st.floats(allow_nan=False).filter(lambda v: not 0 <= v <= 1)
)
def test_a_mark_off_the_outline_is_refused(
    mark: dict[str, object], axis: str, value: float
) -> None:
    with pytest.raises(inc.IncidentError, match="outside the body outline"):
        inc.parse_body_map([{**mark, axis: value}])


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        ({"side": "left", "x": 0.5, "y": 0.5, "description": "bruise"}, "front or the back"),
        ({"side": "front", "x": 0.5, "y": 0.5, "description": " "}, "describe"),
        ({"side": "front", "x": "a", "y": 0.5, "description": "cut"}, "must be a number"),
        ({"side": "front", "x": True, "y": 0.5, "description": "cut"}, "must be a number"),
        ("bruise", "not a mark"),
    ],
)
def test_bad_marks_are_explained(mark: object, message: str) -> None:
    with pytest.raises(inc.IncidentError, match=message):
        inc.parse_body_map([mark])


def test_too_many_marks_are_refused() -> None:
    mark = {"side": "front", "x": 0.5, "y": 0.5, "description": "graze"}
    with pytest.raises(inc.IncidentError, match="at most"):
        inc.parse_body_map([mark] * (inc.MAX_MARKS + 1))
    assert inc.parse_body_map(None) == ()


@given(times, st.booleans())
def test_the_schedule_is_ordered_and_covers_24_hours(fall: dt.datetime, head: bool) -> None:
    schedule = inc.post_fall_schedule(fall, head_injury=head)
    assert list(schedule) == sorted(set(schedule))
    assert schedule[0] > fall
    assert schedule[-1] == fall + dt.timedelta(hours=24)
    gaps = [b - a for a, b in zip((fall, *schedule), schedule, strict=False)]
    first_gap = dt.timedelta(minutes=30) if head else dt.timedelta(hours=1)
    assert gaps[0] == first_gap
    assert gaps == sorted(gaps)  # observations only become less frequent


@given(times)
def test_a_possible_head_injury_is_watched_more_closely(fall: dt.datetime) -> None:
    head = inc.post_fall_schedule(fall, head_injury=True)
    other = inc.post_fall_schedule(fall, head_injury=False)
    assert len(head) > len(other)
    for hours in (1, 2, 4, 6):
        until = fall + dt.timedelta(hours=hours)
        assert sum(t <= until for t in head) >= sum(t <= until for t in other)


@given(st.one_of(st.none(), st.booleans()), st.booleans(), st.booleans())
def test_an_unwitnessed_fall_counts_as_a_possible_head_injury(
    witnessed: bool | None, head: bool, anticoagulants: bool
) -> None:
    possible = inc.head_injury_possible(
        witnessed=witnessed, head_injury=head, anticoagulants=anticoagulants
    )
    assert possible == (head or anticoagulants or witnessed is not True)


@given(times, st.booleans(), st.data())
def test_progress_counts_answered_slots_and_overdue_ones(
    fall: dt.datetime, head: bool, data: st.DataObject
) -> None:
    schedule = inc.post_fall_schedule(fall, head_injury=head)
    done = data.draw(st.lists(st.sampled_from(schedule), unique=True))
    now = fall + dt.timedelta(minutes=data.draw(st.integers(0, 30 * 60)))
    progress = inc.observation_progress(schedule, done, now)
    assert progress.done == len(done)
    assert progress.total == len(schedule)
    assert all(slot < now and slot not in done for slot in progress.overdue)
    assert len(progress.overdue) == sum(1 for s in schedule if s < now and s not in done)
    assert progress.finished == (len(done) == len(schedule))
    if progress.next_due is not None:
        assert progress.next_due >= now and progress.next_due not in done


def test_a_naive_fall_time_and_wrong_grades_are_refused() -> None:
    with pytest.raises(inc.IncidentError, match="time zone"):
        inc.post_fall_schedule(dt.datetime(2025, 1, 1, 12), head_injury=True)
    with pytest.raises(inc.IncidentError, match="1, 2, 3 or 4"):
        inc.check_pressure_ulcer("skin_damage", 5)
    with pytest.raises(inc.IncidentError, match="skin damage"):
        inc.check_pressure_ulcer("fall", 3)
    inc.check_pressure_ulcer("skin_damage", 3)
    with pytest.raises(inc.IncidentError):
        inc.check_severity("catastrophic")
