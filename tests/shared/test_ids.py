"""UUIDv7 record ids: time-ordered, unique, and well formed."""

from __future__ import annotations

import re
import threading
import time
import uuid
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from shared.ids import new_id, stable_id, uuid7
from shared.protocol import UUID_PATTERN

# Explicit times are drawn at or before the real time, so that these tests never move the
# process's id clock into the future for tests that run after them.
NOW_MS = int(time.time() * 1000)
past_times = st.integers(NOW_MS - 10**10, NOW_MS)


def millis(value: uuid.UUID) -> int:
    return value.int >> 80


@given(st.lists(past_times, min_size=1, max_size=50))
def test_ids_are_strictly_ordered_whatever_times_they_are_given(times: list[int]) -> None:
    ids = [uuid7(ms) for ms in times]
    assert all(a.int < b.int for a, b in pairwise(ids))
    assert [str(i) for i in ids] == sorted(str(i) for i in ids)


@given(past_times)
def test_an_id_is_never_stamped_earlier_than_asked(ms: int) -> None:
    assert millis(uuid7(ms)) >= ms


@given(past_times)
def test_ids_are_version_7_rfc_9562(ms: int) -> None:
    value = uuid7(ms)
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert re.fullmatch(UUID_PATTERN, str(value))


def test_many_ids_in_one_millisecond_stay_ordered() -> None:
    ms = NOW_MS - 1_000
    ids = [uuid7(ms) for _ in range(5_000)]  # more than the 4096 a 12-bit counter holds
    assert all(a.int < b.int for a, b in pairwise(ids))
    assert millis(ids[-1]) - millis(ids[0]) <= 2


def test_an_id_made_now_carries_the_current_time() -> None:
    before = int(time.time() * 1000)
    value = uuid.UUID(new_id())
    after = int(time.time() * 1000)
    assert before <= millis(value) <= after + 2


def test_ids_made_on_many_threads_are_unique_and_ordered_per_thread() -> None:
    made: list[list[str]] = [[] for _ in range(4)]

    def make(out: list[str]) -> None:
        out.extend(new_id() for _ in range(2_000))

    threads = [threading.Thread(target=make, args=(out,)) for out in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for out in made for i in out]
    assert len(set(every)) == len(every) == 8_000
    for out in made:
        assert out == sorted(out)


def test_new_ids_sort_in_the_order_they_were_made() -> None:
    ids = [new_id() for _ in range(1_000)]
    assert ids == sorted(ids)
    assert all(re.fullmatch(UUID_PATTERN, i) for i in ids)


@given(st.text(min_size=1, max_size=20), st.lists(st.text(max_size=20), max_size=4))
def test_stable_ids_are_the_same_on_every_replica(namespace: str, parts: list[str]) -> None:
    first = stable_id(namespace, *parts)
    assert first == stable_id(namespace, *parts)
    assert uuid.UUID(first).version == 5
    assert re.fullmatch(UUID_PATTERN, first)


@given(st.uuids(), st.uuids())
def test_stable_ids_differ_for_different_subjects(a: uuid.UUID, b: uuid.UUID) -> None:
    if a != b:
        assert stable_id("conflict", str(a)) != stable_id("conflict", str(b))
    assert stable_id("conflict", str(a)) != stable_id("after_discharge", str(a))
