"""Hybrid logical clocks: strictly increasing whatever the wall clock does."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.hlc import MAX_LOGICAL, HybridClock, Timestamp
from shared.protocol import Change

# Wall clocks up to the year 2286; remote clocks can be anywhere in that range. Small
# values make local and remote clocks land on the same millisecond often.
wall_times = st.integers(0, 30) | st.integers(0, 10**13)
timestamps = st.builds(
    Timestamp,
    physical_ms=wall_times,
    logical=st.integers(0, MAX_LOGICAL),
    node=st.from_regex(r"[0-9A-Za-z_.:]{1,20}", fullmatch=True),
)
HLC_PATTERN = re.compile(Change.model_fields["hlc"].metadata[0].pattern)


class ScriptedWall:
    """A wall clock that reads the given times in turn, jumping however they jump."""

    def __init__(self, readings: list[int]) -> None:
        self._readings: Iterator[int] = iter(readings)
        self._last = 0

    def __call__(self) -> int:
        self._last = next(self._readings, self._last)
        return self._last


operations = st.lists(
    st.one_of(st.just(None), timestamps),  # None: a local event; a timestamp: a remote one
    min_size=1,
    max_size=40,
)


@given(timestamps)
def test_encoding_round_trips(stamp: Timestamp) -> None:
    assert Timestamp.decode(stamp.encode()) == stamp


@given(timestamps, timestamps)
def test_encoded_timestamps_sort_as_timestamps(a: Timestamp, b: Timestamp) -> None:
    assert (a.encode() < b.encode()) == (a < b)


@pytest.mark.parametrize("text", ["", "12345", "abc-def-node", "000000000000001"])
def test_decoding_garbage_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match="not a hybrid logical clock timestamp"):
        Timestamp.decode(text)


@given(st.lists(wall_times, min_size=1, max_size=60), operations)
def test_monotonic_under_arbitrary_wall_clock_jumps(walls: list[int], ops: list[object]) -> None:
    clock = HybridClock("pc1", ScriptedWall(walls))
    previous = ""
    for op in ops:
        if isinstance(op, Timestamp):
            clock.observe(op.encode())
            stamp = clock.now()
            assert stamp > op.encode()
            assert Timestamp.decode(stamp) > op
        else:
            stamp = clock.now()
        assert stamp > previous
        assert Timestamp.decode(stamp) > Timestamp.decode(previous or "0-0-")
        assert HLC_PATTERN.match(stamp)
        previous = stamp


@given(st.lists(wall_times, min_size=1, max_size=20), st.lists(timestamps, max_size=5), timestamps)
def test_observe_makes_the_local_clock_exceed_the_remote(
    walls: list[int], history: list[Timestamp], remote: Timestamp
) -> None:
    clock = HybridClock("pc1", ScriptedWall(walls))
    for earlier in history:
        clock.observe(earlier.encode())
    before = clock.now()
    clock.observe(remote.encode())
    after = clock.now()
    assert after > remote.encode()
    assert after > before
    assert Timestamp.decode(after).physical_ms >= remote.physical_ms


@given(st.integers(1, 10**13), st.integers(1, 10**13))
def test_a_wall_clock_ahead_of_the_last_event_is_used_as_is(first: int, second: int) -> None:
    clock = HybridClock("pc1", ScriptedWall([first, second]))
    clock.now()
    stamp = Timestamp.decode(clock.now())
    if second > first:
        assert (stamp.physical_ms, stamp.logical) == (second, 0)
    else:
        assert (stamp.physical_ms, stamp.logical) == (first, 1)


def test_a_remote_clock_far_in_the_future_is_followed_not_refused() -> None:
    clock = HybridClock("pc1", ScriptedWall([1_000]))
    future = Timestamp(9_000_000_000_000, 7, "pc2")
    clock.observe(future.encode())
    assert Timestamp.decode(clock.now()) == Timestamp(future.physical_ms, 9, "pc1")


def test_the_logical_counter_never_grows_a_sixth_digit() -> None:
    # Regression: at 99999 the counter went to 100000, which sorts before 99999.
    clock = HybridClock("pc1", ScriptedWall([1_000]))
    remote = Timestamp(5_000, MAX_LOGICAL, "pc2")
    clock.observe(remote.encode())
    after_observe = clock.now()
    assert after_observe > remote.encode()
    assert Timestamp.decode(after_observe) == Timestamp(5_001, 1, "pc1")

    stuck = HybridClock("pc1", ScriptedWall([1_000]))
    stuck.observe(Timestamp(5_000, MAX_LOGICAL - 1, "pc2").encode())
    last = stuck.now()
    for _ in range(3):
        stamp = stuck.now()
        assert stamp > last
        assert HLC_PATTERN.match(stamp)
        last = stamp


def test_the_default_clock_reads_real_time() -> None:
    stamp = Timestamp.decode(HybridClock("server").now())
    assert stamp.physical_ms > 1_700_000_000_000
    assert stamp.node == "server"
